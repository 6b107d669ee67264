import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/errors';
import { planKeys, repositoriesQuery } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { createPlanFromTemplate, type TemplateSummary } from './templates-api';

/** The parameters of one template as a form; submitting creates a draft plan and opens it. */
export function TemplateForm({ template }: { template: TemplateSummary }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState<string[]>([]);
  const [repository, setRepository] = useState('');
  const repositories = useQuery(repositoriesQuery());
  const heading = useRef<HTMLHeadingElement>(null);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () =>
      createPlanFromTemplate(
        template.name,
        Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== '')),
        repository || undefined,
      ),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: planKeys.lists() });
      void navigate(`/plans/${created.id}`);
    },
  });
  // Keyboard and screen-reader users land on the form they asked for.
  useEffect(() => heading.current?.focus(), []);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const empty = template.parameters.filter((p) => p.required && !values[p.name]?.trim()).map((p) => p.name);
    setMissing(empty);
    if (empty.length === 0) create.mutate();
  };
  // The API names parameters in its issues' paths (params.<name>).
  const apiIssues = create.error instanceof ApiError ? create.error.issues : [];
  const problemOf = (name: string) =>
    missing.includes(name) ? 'Required.' : apiIssues.find((i) => i.path === `params.${name}`)?.message;

  return (
    <section className="card templates-form" aria-labelledby="template-form-title">
      <h2 id="template-form-title" tabIndex={-1} ref={heading}>
        New plan from “{template.title}”
      </h2>
      <form onSubmit={submit} noValidate>
        {template.parameters.length === 0 ? <p className="muted">This template has no parameters.</p> : null}
        {template.parameters.map((p) => {
          const id = `param-${p.name}`;
          const problem = problemOf(p.name);
          const hint = p.description || (p.example ? `e.g. ${p.example}` : '');
          return (
            <div key={p.name} className="templates-field">
              <label htmlFor={id}>
                {p.name}
                {p.required ? <span aria-hidden="true"> *</span> : null}
              </label>
              <input
                id={id}
                value={values[p.name] ?? ''}
                onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.target.value }))}
                required={p.required}
                aria-required={p.required}
                placeholder={p.default ?? p.example ?? ''}
                aria-invalid={problem ? true : undefined}
                aria-describedby={
                  [hint ? `${id}-hint` : '', problem ? `${id}-error` : ''].join(' ').trim() || undefined
                }
              />
              {hint ? (
                <p id={`${id}-hint`} className="muted hint">
                  {hint}
                  {p.default !== undefined ? ` (default: ${p.default})` : ''}
                </p>
              ) : null}
              {problem ? (
                <p id={`${id}-error`} className="field-error">
                  {problem}
                </p>
              ) : null}
            </div>
          );
        })}
        <label>
          Repository
          <select value={repository} onChange={(e) => setRepository(e.target.value)}>
            <option value="">The template's (or none)</option>
            {(repositories.data?.repositories ?? []).map((r) => (
              <option key={r.id} value={`repo:${r.id}`}>
                {r.name} ({r.path})
              </option>
            ))}
          </select>
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            Create plan
          </button>
        </div>
      </form>
      {create.isPending ? <Busy label="Creating the plan…" /> : null}
      <ErrorMessage error={create.error} title="The plan was not created" />
    </section>
  );
}
