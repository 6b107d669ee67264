import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ImportedPlan, ImportedTask, InputFile } from '@chunkwise/formats';

/** Helpers of the format importers' specs: fixtures under test/fixtures/formats. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'formats');

/** A fixture as an input file named by its path under the fixtures folder (the importer reads hints from it). */
export function fixture(path: string): InputFile {
  const file = join(FIXTURES, path);
  return { name: relative(FIXTURES, file), content: readFileSync(file, 'utf8') };
}

export const taskById = (plan: ImportedPlan, id: string): ImportedTask => {
  const t = plan.document.tasks.find((x) => x.id === id);
  if (!t) throw new Error(`no task ${id} in ${plan.document.tasks.map((x) => x.id).join(', ')}`);
  return t;
};

export const ids = (plan: ImportedPlan) => plan.document.tasks.map((t) => t.id);

export const chunkOf = (plan: ImportedPlan, id: string) =>
  plan.document.chunks.find((c) => c.key === taskById(plan, id).chunk)!;

/** The warnings of a given code, as messages. */
export const warningsOf = (plan: ImportedPlan, code: string) =>
  plan.warnings.filter((w) => w.code === code).map((w) => w.message);
