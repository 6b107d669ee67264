import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTemplate } from '@chunkwise/domain';
import { builtinTemplatesDir, loadBuiltinTemplates } from './template-service';

describe('built-in templates', () => {
  it('are the five files of templates/, each valid and renderable with its examples', () => {
    const builtins = loadBuiltinTemplates();
    expect(builtinTemplatesDir()).toMatch(/templates$/);
    expect(builtins.map((t) => t.name)).toEqual([
      'add-api-endpoint',
      'add-authentication',
      'add-crud-resource',
      'fix-bug',
      'upgrade-dependency',
    ]);
    for (const t of builtins) {
      expect(t).toMatchObject({ version: 0, source: { kind: 'builtin' } });
      const params = Object.fromEntries(
        t.parameters.filter((p) => p.required).map((p) => [p.name, p.example ?? p.name]),
      );
      const { content } = renderTemplate(t, params);
      expect(content.tasks.length).toBeGreaterThan(1);
      expect(JSON.stringify(content)).not.toContain('{{');
    }
  });

  it('refuses a file that is not a valid template, or named after another', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-builtins-'));
    try {
      writeFileSync(
        join(dir, 'x.yaml'),
        'name: y\ntitle: Y\ndocument: {title: T, tasks: [{id: A, chunk: C, title: a}]}\n',
      );
      expect(() => loadBuiltinTemplates(dir)).toThrow(/x.yaml is named y/);
      writeFileSync(join(dir, 'x.yaml'), 'name: x\ntitle: X\ndocument: {title: "{{p}}", tasks: []}\n');
      expect(() => loadBuiltinTemplates(dir)).toThrow(/built-in template x.yaml: invalid template/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
