import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseUsageReport, readUsageFile, UsageLineScanner } from './usage-report';

describe("the command agent's usage report", () => {
  it('finds the last report line on stdout, across chunk boundaries', () => {
    const s = new UsageLineScanner();
    s.feed('working\n{"chunkwise_usage": {"input_tokens": 1, "output_tokens": 2, "cost_usd": 0.5}}\n{"chunk');
    s.feed(
      'wise_usage": {"input_tokens": 10, "output_tokens": 20, "cache_read_tokens": 3, "cache_write_tokens": 4, "cost_usd": 0.25, "model": "x"}}',
    );
    expect(s.end()).toEqual({
      inputTokens: 10,
      outputTokens: 20,
      cacheReadTokens: 3,
      cacheCreationTokens: 4,
      costUsd: 0.25,
      model: 'x',
    });
  });

  it('ignores lines that are not reports: no report is unknown (null), never zero', () => {
    const s = new UsageLineScanner();
    s.feed('{"type":"result","usage":{"input_tokens":5}}\nsaid "chunkwise_usage" in prose\n');
    expect(s.end()).toBeNull();
    expect(parseUsageReport({ input_tokens: -1 })).toBeNull();
  });

  it('prices tokens by the model when the report gives no cost', () => {
    const u = parseUsageReport({ input_tokens: 1_000_000, output_tokens: 0, model: 'claude-sonnet-4-5' });
    expect(u?.costUsd).toBeCloseTo(3, 6);
    expect(parseUsageReport({ input_tokens: 5 })?.costUsd).toBeNull();
  });

  it('reads the file the agent wrote, then removes it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cw-usage-'));
    const file = path.join(dir, 'usage.json');
    await fs.writeFile(
      file,
      JSON.stringify({ chunkwise_usage: { input_tokens: 7, output_tokens: 8, cost_usd: 0.01 } }),
    );
    expect(await readUsageFile(file)).toMatchObject({ inputTokens: 7, outputTokens: 8, costUsd: 0.01 });
    await expect(fs.stat(file)).rejects.toThrow();
    expect(await readUsageFile(file)).toBeNull();
    await fs.rm(dir, { recursive: true });
  });
});
