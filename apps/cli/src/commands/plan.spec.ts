import { defaultTitle } from './plan';

describe('defaultTitle', () => {
  it('is the first line of the description, cut at a word near 80 characters', () => {
    expect(defaultTitle('  Add OAuth login\nwith GitHub and Google')).toBe('Add OAuth login');
    const long =
      'Add a command-line todo manager with add, list, done and remove commands, stored in a JSON file, with tests';
    const title = defaultTitle(long);
    expect(title).toBe('Add a command-line todo manager with add, list, done and remove commands…');
    expect(Array.from(title).length).toBeLessThanOrEqual(81);
    expect(defaultTitle('x'.repeat(100))).toBe(`${'x'.repeat(80)}…`);
  });
});
