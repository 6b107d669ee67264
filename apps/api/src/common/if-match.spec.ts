import { BadRequestException } from '@nestjs/common';
import { combineExpectedRevision, parseIfMatch } from './if-match';

describe('parseIfMatch', () => {
  it.each([
    ['3', 3],
    ['"3"', 3],
    ['W/"3"', 3],
    [' "12" ', 12],
    ['0', 0],
  ])('parses %s', (header, expected) => {
    expect(parseIfMatch(header)).toBe(expected);
  });

  it('treats an absent header, an empty one and * as no precondition', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('')).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });

  it.each(['abc', '"3', '3"', 'W/3x', '-1', '"1", "2"', '1.5', 'W/"abc"'])(
    'refuses %s with a 400',
    (header) => {
      expect(() => parseIfMatch(header)).toThrow(BadRequestException);
    },
  );
});

describe('combineExpectedRevision', () => {
  it('takes whichever is given', () => {
    expect(combineExpectedRevision(2, undefined)).toBe(2);
    expect(combineExpectedRevision(undefined, 4)).toBe(4);
    expect(combineExpectedRevision(undefined, undefined)).toBeUndefined();
    expect(combineExpectedRevision(5, 5)).toBe(5);
  });

  it('refuses a header and a body that disagree', () => {
    expect(() => combineExpectedRevision(1, 2)).toThrow(/If-Match names revision 1/);
  });
});
