import { formatTrailer, splitTrailer, trailerFlag, trailerList, trailerValue } from './trailer';

describe('chunkwise trailer', () => {
  it('round-trips values with the characters of its own syntax', () => {
    const values = ['a;b', 'c,d', 'e=f', 'g h', 'i-->j', '100%', 'ünï'];
    const line = `- [ ] 1.1 Title${formatTrailer([
      ['id', 'x:1'],
      ['deps', values],
      ['optional', true],
      ['skip', false],
      ['none', undefined],
      ['empty', []],
    ])}`;
    expect(line).not.toMatch(/-->.*-->/);
    const { text, trailer } = splitTrailer(line);
    expect(text).toBe('- [ ] 1.1 Title');
    expect(trailerValue(trailer, 'id')).toBe('x:1');
    expect(trailerList(trailer, 'deps')).toEqual(values);
    expect(trailerFlag(trailer, 'optional')).toBe(true);
    expect(trailer?.has('skip') || trailer?.has('none') || trailer?.has('empty')).toBe(false);
  });

  it('reads only a trailing chunkwise comment', () => {
    expect(splitTrailer('Title <!-- a note -->').trailer).toBeNull();
    expect(splitTrailer('Title <!-- chunkwise: id=1 --> more').trailer).toBeNull();
    expect(formatTrailer([['optional', false]])).toBe('');
  });
});
