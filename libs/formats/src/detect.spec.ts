import { detectFormat } from './detect';
import { fixture } from '../../../test/support/format-fixtures';

describe('detectFormat', () => {
  it.each([
    ['openspec/add-dark-mode/tasks.md', 'openspec'],
    ['speckit/001-quirks/tasks.md', 'speckit'],
    ['speckit/002-crlf-bom/tasks.md', 'speckit'],
    ['kiro/quirks/tasks.md', 'kiro'],
    ['taskmaster/tagged/tasks.json', 'taskmaster'],
    ['taskmaster/legacy/tasks.json', 'taskmaster'],
    ['massgen/project_plan.json', 'massgen'],
    ['chunkwise/plan.yaml', 'chunkwise'],
  ])('%s is %s', (path, format) => {
    expect(detectFormat(fixture(path))).toBe(format);
  });

  it('recognises by content alone, whatever the file is called', () => {
    const as = (content: string) => detectFormat({ name: 'upload', content });
    expect(as('## 1. Setup\n\n- [ ] 1.1 Do it')).toBe('openspec');
    expect(as('## Phase 1: Setup\n\n- [ ] T001 [P] Do it')).toBe('speckit');
    expect(as('- [ ] 1. Parent\n  - [ ] 1.1 Child\n  - _Requirements: 1.1_')).toBe('kiro');
    expect(as('{"master":{"tasks":[{"id":1,"title":"x"}]}}')).toBe('taskmaster');
    expect(as('{"tasks":[{"id":1,"title":"x","dependencies":[]}]}')).toBe('taskmaster');
    expect(as('{"tasks":[{"id":"F1","chunk":"C01","description":"x","depends_on":[]}]}')).toBe('massgen');
    expect(as('{"title":"x","tasks":[{"id":"T1","chunk":"C1","title":"x","dependsOn":[]}]}')).toBe(
      'chunkwise',
    );
    expect(as('title: x\ntasks:\n  - id: T1\n')).toBe('chunkwise');
    // An OpenSpec change folder is recognised by its proposal.md.
    expect(
      detectFormat({ name: 'x/tasks.md', content: '- [ ] a' }, [{ name: 'x/proposal.md', content: '' }]),
    ).toBe('openspec');
  });

  it('uses the path when it says where the file comes from', () => {
    expect(detectFormat({ name: '.kiro/specs/auth/tasks.md', content: '## 1. A\n- [ ] 1.1 x' })).toBe('kiro');
    expect(detectFormat({ name: 'specs/004-coaching/tasks.md', content: '## A\n- [ ] 1.1 x' })).toBe(
      'speckit',
    );
  });

  it('returns null when nothing looks like a task list', () => {
    expect(detectFormat({ name: 'notes.md', content: '# Notes\n\nJust prose.\n- a bullet' })).toBeNull();
  });
});
