import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { getFreePort } from './free-port';
import { findProjectRoot } from './project-root';
import { TEMPORAL_SERVER_DYNAMIC_CONFIG, temporalServerConfig } from './temporal-server';

describe('the Temporal server of the production profile', () => {
  test('its dynamic config is the one docker-compose.yml mounts', () => {
    const mounted = readFileSync(
      join(findProjectRoot(), 'temporal-dynamicconfig', 'production.yaml'),
      'utf8',
    );
    expect(parse(TEMPORAL_SERVER_DYNAMIC_CONFIG)).toEqual(parse(mounted));
  });

  test('its static config: PostgreSQL stores, every service on the ports given, membership ports as given', () => {
    const ports = {
      frontend: 7301,
      frontendHttp: 7302,
      frontendMembership: 21001,
      history: 7303,
      historyMembership: 21002,
      matching: 7304,
      matchingMembership: 21003,
      worker: 7305,
      workerMembership: 21004,
    };
    const config = parse(
      temporalServerConfig({
        postgres: { host: '127.0.0.1', port: 5432, user: 'temporal', password: 's3cret' },
        databases: { main: 'm', visibility: 'v' },
        ports,
        dynamicConfigFile: '/x/dc.yaml',
      }),
    );
    expect(config.persistence.datastores['postgres-default'].sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'm',
      connectAddr: '127.0.0.1:5432',
      user: 'temporal',
      password: 's3cret',
    });
    expect(config.persistence.datastores['postgres-visibility'].sql.databaseName).toBe('v');
    expect(config.services.frontend.rpc).toEqual({
      grpcPort: 7301,
      membershipPort: 21001,
      httpPort: 7302,
      bindOnLocalHost: true,
    });
    expect(config.services.worker.rpc.membershipPort).toBe(21004);
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:7301');
    expect(config.dynamicConfigClient.filepath).toBe('/x/dc.yaml');
  });

  test('free ports below a bound (the server keeps membership ports in a smallint)', async () => {
    for (let i = 0; i < 5; i++) {
      const p = await getFreePort('127.0.0.1', 32_768);
      expect(p).toBeGreaterThanOrEqual(20_000);
      expect(p).toBeLessThan(32_768);
    }
  });
});
