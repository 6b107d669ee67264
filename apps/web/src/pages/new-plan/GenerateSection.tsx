import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys, repositoriesQuery } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';

type Depth = NonNullable<Schemas['GeneratePlan']['depth']>;
type Usage = Omit<Schemas['PlanUsage'], 'planId'>;
/** POST /api/plans/generate answers the write result and the usage of the model calls it made. */
export type GenerateResult = Schemas['WriteResult'] & { usage?: Usage };

/**
 * The API takes a level of detail rather than a task count: "Tasks per chunk" is turned into it
 * (up to 3 → brief, 4 to 6 → standard, 7 or more → detailed).
 */
export function depthFor(tasksPerChunk: number | undefined): Depth | undefined {
  if (tasksPerChunk === undefined) return undefined;
  if (tasksPerChunk <= 3) return 'brief';
  if (tasksPerChunk <= 6) return 'standard';
  return 'detailed';
}

const optionalInt = (s: string) => {
  const n = Number(s);
  return s.trim() === '' || !Number.isInteger(n) ? undefined : n;
};

const integer = new Intl.NumberFormat();
const usd = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});

/** "Generate with Claude": a description in, a draft plan out (this can take a minute). */
export function GenerateSection() {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [repository, setRepository] = useState('');
  const [chunks, setChunks] = useState('');
  const [tasksPerChunk, setTasksPerChunk] = useState('');
  const repositories = useQuery(repositoriesQuery());
  const queryClient = useQueryClient();
  const generate = useMutation({
    mutationFn: async (): Promise<GenerateResult> =>
      unwrap(
        await api.POST('/api/plans/generate', {
          body: {
            title: title.trim(),
            description: description.trim(),
            repository: repository || undefined,
            targetChunks: optionalInt(chunks),
            depth: depthFor(optionalInt(tasksPerChunk)),
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: planKeys.lists() }),
  });
  const done = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (generate.isSuccess) done.current?.focus();
  }, [generate.isSuccess]);

  const depth = depthFor(optionalInt(tasksPerChunk));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    generate.mutate();
  };
  return (
    <section className="card new-plan-section" aria-labelledby="generate-title">
      <h2 id="generate-title">Generate with Claude</h2>
      <p className="muted">
        Describe what to build; Claude writes a draft plan (chunks and tasks) that you then review and refine.
      </p>
      <form onSubmit={submit}>
        <label>
          Title
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={500} />
        </label>
        <label>
          Description
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} required rows={6} />
        </label>
        <label>
          Repository
          <select value={repository} onChange={(e) => setRepository(e.target.value)}>
            <option value="">None</option>
            {(repositories.data?.repositories ?? []).map((r) => (
              <option key={r.id} value={`repo:${r.id}`}>
                {r.name} ({r.path})
              </option>
            ))}
          </select>
        </label>
        {repositories.isError ? (
          <p className="field-error">Could not load the registered repositories.</p>
        ) : null}
        <fieldset>
          <legend>Size (optional)</legend>
          <div className="new-plan-hints">
            <label>
              Chunks
              <input
                type="number"
                inputMode="numeric"
                min={1}
                max={50}
                value={chunks}
                onChange={(e) => setChunks(e.target.value)}
              />
            </label>
            <label>
              Tasks per chunk
              <input
                type="number"
                inputMode="numeric"
                min={1}
                max={20}
                value={tasksPerChunk}
                onChange={(e) => setTasksPerChunk(e.target.value)}
                aria-describedby="tasks-per-chunk-hint"
              />
            </label>
          </div>
          <p id="tasks-per-chunk-hint" className="muted">
            Claude is asked for a level of detail: up to 3 tasks per chunk is brief, 4 to 6 standard, 7 or
            more detailed.{depth ? ` This asks for: ${depth}.` : ''}
          </p>
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={generate.isPending}>
            Generate plan
          </button>
        </div>
      </form>
      {generate.isPending ? <Busy label="Claude is writing the plan…" /> : null}
      <ErrorMessage error={generate.error} title="The plan was not generated" />
      {generate.isSuccess ? <Generated result={generate.data} headingRef={done} /> : null}
    </section>
  );
}

function Generated({
  result,
  headingRef,
}: {
  result: GenerateResult;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
}) {
  const u = result.usage;
  return (
    <div className="new-plan-result">
      <h3 ref={headingRef} tabIndex={-1}>
        Plan generated
      </h3>
      {u ? (
        <dl className="new-plan-usage">
          <dt>Input tokens</dt>
          <dd>{integer.format(u.inputTokens)}</dd>
          <dt>Output tokens</dt>
          <dd>{integer.format(u.outputTokens)}</dd>
          {u.cacheReadInputTokens || u.cacheCreationInputTokens ? (
            <>
              <dt>Cached tokens (read / written)</dt>
              <dd>
                {integer.format(u.cacheReadInputTokens)} / {integer.format(u.cacheCreationInputTokens)}
              </dd>
            </>
          ) : null}
          <dt>Model calls</dt>
          <dd>{u.calls}</dd>
          <dt>Estimated cost</dt>
          <dd>{usd.format(u.costUsd)}</dd>
        </dl>
      ) : null}
      <div className="actions">
        <Link to={`/plans/${result.id}/planning`} className="button primary">
          Review the plan
        </Link>
        <Link to={`/plans/${result.id}`} className="button">
          Open in the editor
        </Link>
      </div>
    </div>
  );
}
