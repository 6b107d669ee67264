import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { readFileText } from './read-file';

export const IMPORT_FORMATS = [
  ['auto', 'Auto-detect'],
  ['chunkwise', 'Chunkwise (YAML or JSON)'],
  ['openspec', 'OpenSpec'],
  ['speckit', 'Spec Kit'],
  ['taskmaster', 'Task Master'],
  ['kiro', 'Kiro'],
  ['massgen', 'MassGen'],
] as const;
type Format = (typeof IMPORT_FORMATS)[number][0];

interface ImportWarning {
  code: string;
  message: string;
  file?: string;
  line?: number;
  path?: string;
}
/** One import answer (a dry run carries the document that would be created). */
export interface ImportResult {
  id?: string;
  revision?: number;
  format: string;
  filename?: string;
  chunks: number;
  tasks: number;
  warnings: ImportWarning[];
  document?: Record<string, unknown>;
}
interface ImportRequest {
  format?: Format;
  filename?: string;
  content?: string;
  files?: Array<{ name: string; content: string }>;
  inferDependencies?: boolean;
}

interface PreviewChunk {
  key: string;
  title: string;
  tasks: Array<{ id: string; title: string }>;
}

/** The chunks of a dry run's plan document, each with its tasks (tasks without a known chunk last). */
export function previewChunks(document: Record<string, unknown> | undefined): PreviewChunk[] {
  const rawChunks = Array.isArray(document?.chunks)
    ? (document.chunks as Array<Record<string, unknown>>)
    : [];
  const rawTasks = Array.isArray(document?.tasks) ? (document.tasks as Array<Record<string, unknown>>) : [];
  const chunks: PreviewChunk[] = rawChunks.map((c) => ({
    key: String(c.key ?? ''),
    title: String(c.title ?? c.key ?? ''),
    tasks: [],
  }));
  const byKey = new Map(chunks.map((c) => [c.key, c]));
  const orphans: PreviewChunk = { key: '', title: 'Tasks without a chunk', tasks: [] };
  for (const t of rawTasks) {
    const task = { id: String(t.id ?? ''), title: String(t.title ?? t.id ?? '') };
    (byKey.get(String(t.chunk ?? '')) ?? orphans).tasks.push(task);
  }
  return orphans.tasks.length ? [...chunks, orphans] : chunks;
}

const single = (answer: ImportResult | { plans: ImportResult[] }): ImportResult =>
  'plans' in answer ? answer.plans[0] : answer;

async function postImport(request: ImportRequest, dryRun: boolean): Promise<ImportResult> {
  const answer = unwrap(await api.POST('/api/plans/import', { body: { ...request, dryRun } }));
  return single(answer as ImportResult | { plans: ImportResult[] });
}

/** "Import a file": preview what another tool's plan becomes (chunks, tasks, warnings), then import it. */
export function ImportSection() {
  const [files, setFiles] = useState<File[]>([]);
  const [format, setFormat] = useState<Format>('auto');
  const [inferDependencies, setInferDependencies] = useState(false);
  const [noFile, setNoFile] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const requestOf = async (): Promise<ImportRequest> => {
    const read = await Promise.all(
      files.map(async (f) => ({ name: f.name, content: await readFileText(f) })),
    );
    const common = { format, ...(inferDependencies ? { inferDependencies: true } : {}) };
    return read.length === 1
      ? { ...common, filename: read[0].name, content: read[0].content }
      : { ...common, files: read };
  };
  const preview = useMutation({
    mutationFn: async () => {
      const request = await requestOf();
      return { request, result: await postImport(request, true) };
    },
  });
  const store = useMutation({
    mutationFn: (request: ImportRequest) => postImport(request, false),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: planKeys.lists() });
      if (result.id) void navigate(`/plans/${result.id}`);
    },
  });
  // Any change of the inputs makes the preview stale: it must be made again before importing.
  const changed = () => {
    preview.reset();
    store.reset();
  };

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (files.length === 0) {
      setNoFile(true);
      return;
    }
    store.reset();
    preview.mutate();
  };
  const shown = preview.data;
  return (
    <section className="card new-plan-section" aria-labelledby="import-title">
      <h2 id="import-title">Import a file</h2>
      <p className="muted">
        A plan written by another tool: an OpenSpec change (tasks.md, with proposal.md), a Spec Kit tasks.md,
        a Task Master tasks.json, a Kiro tasks.md, a MassGen plan, or a Chunkwise document.
      </p>
      <form onSubmit={submit}>
        <label>
          Plan file
          <input
            type="file"
            multiple
            accept=".md,.markdown,.json,.yaml,.yml,.txt"
            aria-invalid={noFile ? true : undefined}
            aria-describedby={noFile ? 'import-no-file' : 'import-file-hint'}
            onChange={(e) => {
              setFiles(Array.from(e.target.files ?? []));
              setNoFile(false);
              changed();
            }}
          />
        </label>
        {noFile ? (
          <p id="import-no-file" className="field-error">
            Choose the file to import.
          </p>
        ) : (
          <p id="import-file-hint" className="muted">
            Choose several files for a folder (an OpenSpec change: proposal.md and tasks.md).
          </p>
        )}
        <label>
          Format
          <select
            value={format}
            onChange={(e) => {
              setFormat(e.target.value as Format);
              changed();
            }}
          >
            {IMPORT_FORMATS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="new-plan-check">
          <input
            type="checkbox"
            checked={inferDependencies}
            onChange={(e) => {
              setInferDependencies(e.target.checked);
              changed();
            }}
          />{' '}
          Turn dependencies written in words (“Depends on: 1.2”) into real ones
        </label>
        <div className="actions">
          <button type="submit" disabled={preview.isPending}>
            Preview import
          </button>
        </div>
      </form>
      {preview.isPending ? <p className="muted">Reading the file…</p> : null}
      <ErrorMessage error={preview.error} title="The file could not be imported" />
      {shown ? (
        <ImportPreview
          result={shown.result}
          busy={store.isPending}
          onImport={() => store.mutate(shown.request)}
        />
      ) : null}
      <ErrorMessage error={store.error} title="The plan was not imported" />
    </section>
  );
}

function ImportPreview({
  result,
  busy,
  onImport,
}: {
  result: ImportResult;
  busy: boolean;
  onImport: () => void;
}) {
  const chunks = previewChunks(result.document);
  const title = typeof result.document?.title === 'string' ? result.document.title : null;
  return (
    <section className="new-plan-preview" aria-labelledby="import-preview-title">
      <h3 id="import-preview-title">Preview{title ? `: ${title}` : ''}</h3>
      <p>
        Format <strong>{result.format}</strong>
        {result.filename ? (
          <>
            {' '}
            from <code>{result.filename}</code>
          </>
        ) : null}
        : {result.chunks} {result.chunks === 1 ? 'chunk' : 'chunks'}, {result.tasks}{' '}
        {result.tasks === 1 ? 'task' : 'tasks'}. Nothing is stored until you import it.
      </p>
      {chunks.map((c) => (
        <div key={c.key || '(none)'} className="new-plan-preview-chunk">
          <h4>
            {c.title}
            {c.key && c.key !== c.title ? <span className="muted"> ({c.key})</span> : null}
          </h4>
          {c.tasks.length ? (
            <ol>
              {c.tasks.map((t) => (
                <li key={t.id}>{t.title}</li>
              ))}
            </ol>
          ) : (
            <p className="muted">No tasks.</p>
          )}
        </div>
      ))}
      <h4>Warnings ({result.warnings.length})</h4>
      {result.warnings.length ? (
        <ul className="new-plan-warnings">
          {result.warnings.map((w, n) => (
            <li key={n}>
              {w.file ? (
                <code>
                  {w.file}
                  {w.line ? `:${w.line}` : ''}
                </code>
              ) : null}{' '}
              {w.message}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No warnings.</p>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={onImport}>
          Import plan
        </button>
      </div>
    </section>
  );
}
