import * as path from 'node:path';
import { ConfigError, describeConfig, loadConfig } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded stack under .chunkwise', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.eventStore).toEqual({ kind: 'sqlite', file: path.resolve('.chunkwise/events.db') });
    expect(c.readModels).toEqual({ kind: 'sqlite', file: path.resolve('.chunkwise/read-models.db') });
    expect(c.apiToken).toBeNull();
  });

  it('names every invalid variable at once', () => {
    try {
      loadConfig({ CHUNKWISE_PORT: 'abc', CHUNKWISE_EVENT_STORE: 'mongo', CHUNKWISE_API_TOKEN: 'short' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/CHUNKWISE_PORT/);
      expect(msg).toMatch(/CHUNKWISE_EVENT_STORE/);
      expect(msg).toMatch(/CHUNKWISE_API_TOKEN/);
    }
  });

  it('requires URLs for server stores and redacts passwords when described', () => {
    expect(() => loadConfig({ CHUNKWISE_EVENT_STORE: 'postgres' })).toThrow(/CHUNKWISE_EVENT_STORE_URL/);
    expect(() => loadConfig({ CHUNKWISE_EVENT_STORE: 'kurrentdb' })).toThrow(/KURRENTDB_URL/);
    const c = loadConfig({
      CHUNKWISE_EVENT_STORE: 'postgres',
      CHUNKWISE_EVENT_STORE_URL: 'postgres://app:s3cret@db:5432/chunkwise',
      CHUNKWISE_API_TOKEN: 'a-long-token',
    });
    const described = JSON.stringify(describeConfig(c));
    expect(described).not.toContain('s3cret');
    expect(described).not.toContain('a-long-token');
  });
});
