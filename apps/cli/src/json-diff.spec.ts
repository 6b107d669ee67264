import { jsonDiff } from './json-diff';

describe('jsonDiff', () => {
  it('is empty for equal values, whatever the key order', () => {
    expect(jsonDiff({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toEqual([]);
  });

  it('names the path of each difference', () => {
    expect(
      jsonDiff({ a: 1, b: [1, 2], c: 'x' }, { a: 2, b: [1], d: true }, 20, ['live', 'replayed']),
    ).toEqual([
      '.a: live 1, replayed 2',
      '.b: 2 items in live, 1 in replayed',
      '.c: live "x", replayed missing',
      '.d: live missing, replayed true',
    ]);
  });

  it('stops after the limit', () => {
    const out = jsonDiff({ a: 1, b: 1, c: 1 }, { a: 2, b: 2, c: 2 }, 1);
    expect(out).toEqual(['.a: left 1, right 2', '… and 2 more differences']);
  });
});
