import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { readFileText } from './read-file';

/**
 * A JSON object is sent as JSON; anything else as YAML, as written (the API parses YAML and names the
 * line of a syntax error).
 */
export function documentBody(text: string): { json: Record<string, unknown> } | { yaml: string } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value && typeof value === 'object' && !Array.isArray(value))
        return { json: value as Record<string, unknown> };
    } catch {
      // Not JSON after all: YAML (a flow mapping) or a typo the API will name.
    }
  }
  return { yaml: text };
}

/** "Create by hand": paste (or load) a Chunkwise plan document, YAML or JSON, and create it. */
export function ByHandSection() {
  const [text, setText] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const [empty, setEmpty] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: async (source: string) => {
      const body = documentBody(source);
      const header = { 'x-chunkwise-source': 'api' };
      const result =
        'json' in body
          ? await api.POST('/api/plans', { params: { header }, body: body.json as never })
          : await api.POST('/api/plans', {
              params: { header },
              body: body.yaml as never,
              bodySerializer: (b: unknown) => b as string,
              headers: { 'Content-Type': 'application/yaml' },
            });
      return unwrap(result);
    },
    onSuccess: async (written) => {
      await queryClient.invalidateQueries({ queryKey: planKeys.lists() });
      void navigate(`/plans/${written.id}`);
    },
  });

  const load = async (e: React.ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    try {
      setText(await readFileText(file));
      setFileError(null);
      setEmpty(false);
      create.reset();
    } catch (err) {
      setFileError(`Could not read ${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setEmpty(true);
      return;
    }
    create.mutate(text);
  };
  const issues = create.error instanceof ApiError ? create.error.issues.length : 0;
  return (
    <section className="card new-plan-section" aria-labelledby="by-hand-title">
      <h2 id="by-hand-title">Create by hand</h2>
      <p className="muted">
        A Chunkwise plan document: <code>title</code>, <code>chunks</code> (key, title) and <code>tasks</code>{' '}
        (id, chunk, title, description, dependsOn, acceptance). See <code>examples/sample-plan.yaml</code>.
      </p>
      <form onSubmit={submit}>
        <label>
          Plan document (YAML or JSON)
          <textarea
            className="new-plan-document"
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setEmpty(false);
            }}
            rows={14}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            aria-invalid={empty || issues > 0 ? true : undefined}
            aria-describedby={empty ? 'by-hand-empty' : undefined}
          />
        </label>
        {empty ? (
          <p id="by-hand-empty" className="field-error">
            Paste a plan document or load it from a file.
          </p>
        ) : null}
        <label>
          Load from a file
          <input
            type="file"
            accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml,text/plain"
            onChange={(e) => void load(e)}
          />
        </label>
        {fileError ? <p className="field-error">{fileError}</p> : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Create plan
          </button>
        </div>
      </form>
      {create.isPending ? <p className="muted">Creating the plan…</p> : null}
      <ErrorMessage error={create.error} title="The plan was not created" />
    </section>
  );
}
