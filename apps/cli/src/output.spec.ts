import { formatDuration, formatPercent, step, table, truncate } from './output';
import { memoryIo } from '../../../test/support/cli-fakes';

describe('output', () => {
  it('lays out a table with aligned columns and cut cells', () => {
    const rows = [
      { id: 'a', title: 'short', n: 1 },
      { id: 'bbbb', title: 'a title that is far too long for its column', n: 100 },
    ];
    expect(
      table(rows, [
        { header: 'ID', value: (r) => r.id },
        { header: 'TITLE', value: (r) => r.title, max: 12 },
        { header: 'N', value: (r) => String(r.n), align: 'right' },
      ]),
    ).toEqual(['ID    TITLE           N', 'a     short           1', 'bbbb  a title tha…  100']);
  });

  it('truncates and flattens text', () => {
    expect(truncate('one\n  two', 20)).toBe('one two');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });

  it('formats durations and percentages', () => {
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(2140)).toBe('2.1 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatPercent(1 / 3)).toBe('33%');
    expect(formatPercent(undefined)).toBe('-');
  });

  it('prints a step on one line', async () => {
    const io = memoryIo();
    await step(
      io,
      'starting thing',
      async () => 42,
      (n) => `answer ${n}`,
    );
    await expect(
      step(io, 'failing thing', async () => {
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(io.stdout()).toMatch(
      /^starting thing… ok \(answer 42, \d+ ms\)\nfailing thing… failed \(\d+ ms\)\n$/,
    );
  });
});
