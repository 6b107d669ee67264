import { findWordedDependency, refsOf } from './worded-dependency';

describe('findWordedDependency', () => {
  it.each([
    ['  - **Dependencies**: 1.2, 2.1', 'Dependencies: 1.2, 2.1', ['1.2', '2.1']],
    ['**Dependencies:** 3', 'Dependencies: 3', ['3']],
    ['Depends on: T003', 'Depends on: T003', ['T003']],
    ['- Requires: 2.1 and 2.2', 'Requires: 2.1 and 2.2', ['2.1', '2.2']],
    ['Blocked by: task 4', 'Blocked by: task 4', ['4']],
    ['_After: 7.4d_', 'After: 7.4d', ['7.4d']],
  ])('reads the label line %j', (line, phrase, refs) => {
    expect(findWordedDependency(line)).toEqual({ phrase, refs, none: false });
  });

  it('reads None as no dependency', () => {
    expect(findWordedDependency('- **Dependencies**: None')).toEqual({
      phrase: 'Dependencies: None',
      refs: [],
      none: true,
    });
  });

  it('quotes only the phrase of an inline dependency, ending at its parenthesis', () => {
    const long = `- [ ] T020 ${'a very long title '.repeat(20)}(depends on T009-T011, T017) and more`;
    expect(findWordedDependency(long)).toEqual({
      phrase: 'depends on T009-T011, T017',
      refs: ['T009', 'T010', 'T011', 'T017'],
      none: false,
    });
  });

  it('names the subject written before the phrase in a prose line', () => {
    expect(findWordedDependency('- T012 depends on T011.')).toMatchObject({
      subject: 'T012',
      refs: ['T011'],
    });
    expect(findWordedDependency('- [ ] T012 Build it (depends on T011)')).not.toHaveProperty('subject');
  });

  it('leaves lines that say nothing about dependencies', () => {
    expect(findWordedDependency('- [ ] 1.1 Write the requirements')).toBeNull();
    expect(findWordedDependency('  _Requirements: 1.1, 2.3_')).toBeNull();
    expect(findWordedDependency('The order depends')).toBeNull();
  });
});

describe('refsOf', () => {
  it('reads plain numbers only in a list of ids', () => {
    expect(refsOf('1, 2 and 4')).toEqual(['1', '2', '4']);
    expect(refsOf('the 2 services of phase 3.1')).toEqual(['3.1']);
  });

  it('expands ranges, keeping the width of the numbers', () => {
    expect(refsOf('T009-T012')).toEqual(['T009', 'T010', 'T011', 'T012']);
    expect(refsOf('1.2-1.4, 2.1')).toEqual(['1.2', '1.3', '1.4', '2.1']);
    expect(refsOf('tasks 3 to 5')).toEqual(['3', '4', '5']);
  });

  it('does not expand a backwards or a huge range', () => {
    expect(refsOf('T012-T009')).toEqual(['T012', 'T009']);
    expect(refsOf('T001-T999')).toEqual(['T001', 'T999']);
  });
});
