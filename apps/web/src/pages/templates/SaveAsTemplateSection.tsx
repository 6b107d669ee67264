import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorMessage } from '../../components/ErrorMessage';
import { plansQuery } from '../plans/plans-api';
import { parseMarks, savePlanAsTemplate, templateKeys } from './templates-api';

/** Saves a plan's current content as a template: literals marked as parameters, one `key=text` a line. */
export function SaveAsTemplateSection() {
  const plans = useQuery(plansQuery({}));
  const [planId, setPlanId] = useState('');
  const [name, setName] = useState('');
  const [marksText, setMarksText] = useState('');
  const [bad, setBad] = useState<string[]>([]);
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (marks: Record<string, string>) => savePlanAsTemplate(planId, name.trim(), marks),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: templateKeys.list() }),
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const parsed = parseMarks(marksText);
    setBad(parsed.bad);
    if (parsed.bad.length === 0 && planId && name.trim()) save.mutate(parsed.marks);
  };
  return (
    <section className="card templates-form" aria-labelledby="save-template-title">
      <h2 id="save-template-title">Save a plan as a template</h2>
      <form onSubmit={submit}>
        <label>
          Plan
          <select value={planId} onChange={(e) => setPlanId(e.target.value)} required>
            <option value="">Choose a plan</option>
            {(plans.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Template name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            pattern="[a-z0-9][a-z0-9\-]{0,62}"
            aria-describedby="save-template-name-hint"
          />
        </label>
        <p id="save-template-name-hint" className="muted hint">
          Lowercase letters, digits and “-”. An existing name gets a new version.
        </p>
        <label>
          Parameters
          <textarea
            value={marksText}
            onChange={(e) => setMarksText(e.target.value)}
            rows={3}
            placeholder="resource=invoice"
            aria-describedby="save-template-marks-hint"
            aria-invalid={bad.length ? true : undefined}
          />
        </label>
        <p id="save-template-marks-hint" className="muted hint">
          One <code>name=text</code> a line: that text of the plan becomes <code>{'{{name}}'}</code>.{' '}
          <code>{'{{placeholders}}'}</code> already in the plan become parameters too.
        </p>
        {bad.length ? (
          <p className="field-error" role="alert">
            Not name=text: {bad.join(', ')}
          </p>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={save.isPending}>
            Save as template
          </button>
        </div>
      </form>
      {save.data ? (
        <p role="status">
          Saved template <code>{save.data.name}</code> version {save.data.version} with parameters{' '}
          {save.data.parameters.map((p) => p.name).join(', ') || 'none'}.
        </p>
      ) : null}
      <ErrorMessage error={save.error} title="The template was not saved" />
    </section>
  );
}
