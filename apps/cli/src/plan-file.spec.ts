import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPlanFile } from './plan-file';

describe('readPlanFile', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cw-planfile-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('parses JSON and sends it as JSON', () => {
    const f = readPlanFile(file('p.json', '{"title":"x","tasks":[]}'));
    expect(f.format).toBe('json');
    expect(f.parsed).toEqual({ title: 'x', tasks: [] });
  });

  it('keeps YAML as written (the server records the format)', () => {
    const text = 'title: x\ntasks: []\n';
    const f = readPlanFile(file('p.yaml', text));
    expect(f).toMatchObject({ format: 'yaml', text, parsed: { title: 'x', tasks: [] } });
    // no extension, not JSON: YAML
    expect(readPlanFile(file('plan', text)).format).toBe('yaml');
  });

  it('reports syntax errors with their place', () => {
    expect(() => readPlanFile(file('bad.json', '{\n  "title": x\n}'))).toThrow(
      /not valid JSON: Unexpected token 'x'$/,
    );
    expect(() => readPlanFile(file('bad2.json', '{\n  "title": "x",\n}'))).toThrow(
      /not valid JSON: .*line 3, column 1\)$/,
    );
    expect(() => readPlanFile(file('bad.yaml', 'title: [x\n'))).toThrow(/not valid YAML \(1 error\)/);
    expect(() => readPlanFile(file('list.yaml', '- a\n- b\n'))).toThrow(/must hold a mapping .* not a list/);
    expect(() => readPlanFile(file('empty.yaml', '  \n'))).toThrow(/is empty/);
    expect(() => readPlanFile(join(dir, 'missing.yaml'))).toThrow(
      /cannot read plan file .*missing.yaml: no such file/,
    );
  });
});
