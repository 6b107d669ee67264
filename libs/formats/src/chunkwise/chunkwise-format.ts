import {
  chunkInputSchema,
  jsonDepth,
  planContentToDocument,
  planDocumentSchema,
  taskInputSchema,
  type PlanContent,
} from '@chunkwise/domain';
import { parseDocument, stringify } from 'yaml';
import { isRecord, parseJson } from '../json-input';
import { normalizeNewlines } from '../text';
import { ImportError, type ExportedPlan } from '../types';
import { Warnings } from '../warnings';

const DOCUMENT_FIELDS = new Set([...Object.keys(planDocumentSchema.shape), 'expectedRevision']);
const TASK_FIELDS = new Set(Object.keys(taskInputSchema.shape));
const CHUNK_FIELDS = new Set(Object.keys(chunkInputSchema.shape));

/**
 * Chunkwise's own plan document (JSON or YAML), read as `POST /api/plans` reads it. Nothing needs
 * mapping; fields the document schema does not know are reported instead of silently dropped.
 */
export function parseChunkwise(text: string, warnings: Warnings, file?: string): Record<string, unknown> {
  const clean = normalizeNewlines(text);
  let data: unknown;
  if (/^\s*[{[]/.test(clean)) {
    data = parseJson(clean, 'chunkwise', file);
  } else {
    const doc = parseDocument(clean, { prettyErrors: true });
    if (doc.errors.length > 0)
      throw new ImportError(
        doc.errors.slice(0, 10).map((e) => ({
          message: `not valid YAML: ${e.message.split('\n')[0]}`,
          line: e.linePos?.[0]?.line,
          file,
        })),
        'chunkwise',
      );
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // Unresolved or excessive aliases are found only when the document is turned into values.
      throw new ImportError(
        [
          {
            message: `not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
            file,
          },
        ],
        'chunkwise',
      );
    }
  }
  if (!isRecord(data))
    throw new ImportError(
      [{ message: 'a plan document must be a mapping with title, chunks and tasks', file }],
      'chunkwise',
    );
  for (const k of Object.keys(data))
    if (!DOCUMENT_FIELDS.has(k))
      warnings.add('unknown_field', `field ${JSON.stringify(k)} not imported`, { path: k, file });
  if (Array.isArray(data.tasks))
    data.tasks.forEach((t, i) => {
      if (isRecord(t))
        for (const k of Object.keys(t))
          if (!TASK_FIELDS.has(k))
            warnings.addGrouped('unknown_field', `task field ${JSON.stringify(k)} not imported`, {
              path: `tasks[${i}].${k}`,
              file,
            });
    });
  if (Array.isArray(data.chunks))
    data.chunks.forEach((c, i) => {
      if (isRecord(c))
        for (const k of Object.keys(c))
          if (!CHUNK_FIELDS.has(k))
            warnings.addGrouped('unknown_field', `chunk field ${JSON.stringify(k)} not imported`, {
              path: `chunks[${i}].${k}`,
              file,
            });
    });
  const { expectedRevision: _ignored, ...document } = data;
  return document;
}

/**
 * Deepest `execution` block the writers are given. Requests cannot write one deeper than a few
 * levels (its schema), but plans stored by older versions kept any object; the YAML and JSON
 * writers recurse, so such a block is left out of the file with a warning instead of crashing.
 */
export const MAX_EXPORTED_EXECUTION_DEPTH = 64;

export function exportChunkwise(content: PlanContent, json = false): ExportedPlan {
  const document = planContentToDocument(content);
  const warnings = new Warnings();
  if (document.execution && jsonDepth(document.execution) > MAX_EXPORTED_EXECUTION_DEPTH) {
    document.execution = undefined;
    warnings.add(
      'not_exported',
      `the execution settings are nested more than ${MAX_EXPORTED_EXECUTION_DEPTH} levels deep; not exported`,
      { path: 'execution' },
    );
  }
  return {
    format: 'chunkwise',
    files: [
      json
        ? {
            name: 'plan.json',
            content: `${JSON.stringify(document, null, 2)}\n`,
            mediaType: 'application/json',
          }
        : {
            name: 'plan.yaml',
            content: stringify(document, { lineWidth: 0 }),
            mediaType: 'application/yaml',
          },
    ],
    warnings: warnings.toArray(),
  };
}
