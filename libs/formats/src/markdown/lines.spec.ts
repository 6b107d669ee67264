import { scanMarkdown } from './lines';
import { outlineMarkdown } from './outline';

const kinds = (text: string) => scanMarkdown(text).lines.map((l) => l.kind);

describe('markdown line scanner', () => {
  it('recognises checkbox lines in every bullet style, and nothing else', () => {
    const lines = scanMarkdown(
      [
        '- [ ] a',
        '* [x] b',
        '+ [X] c',
        '1. [ ] d',
        '2) [-] e',
        '- [ ]* f',
        '- [x]\\* g',
        '- [P] h',
        '- [] i',
        '-[ ] j',
        '- [ ]k',
      ].join('\n'),
    ).lines;
    expect(
      lines.map((l) => (l.kind === 'checkbox' ? `${l.box}${l.star ? '*' : ''}:${l.text}` : l.kind)),
    ).toEqual([' :a', 'x:b', 'X:c', ' :d', '-:e', ' *:f', 'x*:g', 'text', 'text', 'text', 'text']);
  });

  it('never reads a heading or a checkbox inside a code fence (``` or ~~~, indented, unclosed)', () => {
    expect(kinds('```\n- [ ] x\n# h\n```\n- [ ] y')).toEqual(['code', 'code', 'code', 'code', 'checkbox']);
    expect(kinds('  ~~~~ md\n- [ ] x\n~~~\n~~~~\n- [ ] y')).toEqual([
      'code',
      'code',
      'code',
      'code',
      'checkbox',
    ]);
    const unclosed = scanMarkdown('- [ ] a\n```\n- [ ] b');
    expect(unclosed.lines.map((l) => l.kind)).toEqual(['checkbox', 'code', 'code']);
    expect(unclosed.unclosedFence).toBe(2);
  });

  it('skips HTML comments (one or several lines) and YAML front matter only at the top', () => {
    expect(kinds('<!--\n- [ ] x\n-->\n- [ ] y')).toEqual(['comment', 'comment', 'comment', 'checkbox']);
    expect(kinds('---\ntitle: x\n---\n# T')).toEqual([
      'frontmatter',
      'frontmatter',
      'frontmatter',
      'heading',
    ]);
    // A rule that never closes is not front matter; one further down is a rule.
    expect(kinds('---\n- [ ] x')).toEqual(['text', 'checkbox']);
    expect(kinds('# T\n---\nx\n---')).toEqual(['heading', 'text', 'text', 'text']);
  });

  it('handles CRLF, a byte-order mark and tab indentation (a tab is four columns)', () => {
    const lines = scanMarkdown('\uFEFF# Title\r\n- [ ] a\r\n\t- [ ] b\r\n  \t- [ ] c').lines;
    expect(lines.map((l) => [l.kind, l.indent])).toEqual([
      ['heading', 0],
      ['checkbox', 0],
      ['checkbox', 4],
      ['checkbox', 4],
    ]);
    expect(lines[0]).toMatchObject({ text: 'Title' });
  });

  it('reads an indented first line as the title heading, and only the first line', () => {
    const lines = scanMarkdown('\n      # Implementation Plan - Site\n\n    # not a heading').lines;
    expect(lines.map((l) => l.kind)).toEqual(['blank', 'heading', 'blank', 'text']);
  });

  it('drops a heading’s closing #s but keeps a # that is part of the text', () => {
    const headings = scanMarkdown('## Setup ##\n## C#\n#hashtag').lines;
    expect(headings.map((l) => (l.kind === 'heading' ? l.text : l.kind))).toEqual(['Setup', 'C#', 'text']);
  });

  it('stays linear on hostile lines (a megabyte of spaces, of brackets)', () => {
    const started = Date.now();
    scanMarkdown(`- [ ] x${' '.repeat(1_000_000)}y`);
    scanMarkdown(`## ${' '.repeat(1_000_000)}#`);
    scanMarkdown('- ['.repeat(300_000));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('markdown outline', () => {
  it('nests checkboxes by indentation and attaches more-indented lines to the task above', () => {
    const { sections } = outlineMarkdown('## G\n- [ ] a\n  detail\n  - [ ] b\n    more\n- [ ] c\nprose');
    const [, g] = sections;
    expect(g.tasks.map((t) => [t.text, t.body, t.children.map((c) => [c.text, c.body])])).toEqual([
      ['a', ['  detail'], [['b', ['    more']]]],
      ['c', [], []],
    ]);
    expect(g.prose.map((p) => p.raw)).toEqual(['prose']);
  });

  it('caps the nesting depth of a hostile file instead of recursing without end', () => {
    const deep = Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}- [ ] t${i}`).join('\n');
    const { sections } = outlineMarkdown(deep);
    let depth = 0;
    for (let t = sections[0].tasks[0]; t; t = t.children[0]) depth = t.depth;
    expect(depth).toBe(7);
  });
});
