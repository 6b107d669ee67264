import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, withRevision, type PlanDetail } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';
import { Busy } from '../../components/Busy';
import type { RefineMode, RefineResult, Turn } from './planning-api';
import { WriteError } from './WriteError';

const MIN_DRAFTS = 2;
const MAX_DRAFTS = 5;
const DEFAULT_DRAFTS = 3;

interface RefineVars {
  feedback: string;
  mode: RefineMode;
  drafts: number;
  revision: number;
}

/**
 * One planning turn with feedback: "Continue planning" (multi: several drafts, then a judge) or
 * "Quick edit" (single: one edit). The turn is based on the revision on screen (If-Match); the new
 * revision is handed to `onTurn` so the page can show what changed.
 */
export function RefineForm({
  plan,
  onTurn,
}: {
  plan: Pick<PlanDetail, 'id' | 'revision'>;
  onTurn: (turn: Turn, result: RefineResult) => void;
}) {
  const queryClient = useQueryClient();
  const ids = useId();
  const [feedback, setFeedback] = useState('');
  const [mode, setMode] = useState<RefineMode>('multi');
  const [drafts, setDrafts] = useState(String(DEFAULT_DRAFTS));
  const [problems, setProblems] = useState<{ feedback?: string; drafts?: string }>({});
  const [recorded, setRecorded] = useState<number | null>(null);

  const refine = useMutation({
    mutationFn: async (v: RefineVars) =>
      unwrap(
        await api.POST('/api/plans/{id}/refine', {
          params: { path: { id: plan.id } },
          headers: withRevision(v.revision),
          body: { feedback: v.feedback, mode: v.mode, ...(v.mode === 'multi' ? { drafts: v.drafts } : {}) },
        }),
      ),
    onSuccess: async (result, v) => {
      setFeedback('');
      await queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) });
      onTurn({ from: v.revision, to: result.revision }, result);
    },
  });

  const record = useMutation({
    mutationFn: async (v: { feedback: string; revision: number }) =>
      unwrap(
        await api.POST('/api/plans/{id}/feedback', {
          params: { path: { id: plan.id } },
          headers: withRevision(v.revision),
          body: { feedback: v.feedback },
        }),
      ),
    onSuccess: async (_r, v) => {
      setFeedback('');
      setRecorded(v.revision);
      await queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) });
    },
  });

  const check = () => {
    const next: typeof problems = {};
    if (!feedback.trim()) next.feedback = 'Write what should change in the plan.';
    const n = Number(drafts);
    if (mode === 'multi' && (!Number.isInteger(n) || n < MIN_DRAFTS || n > MAX_DRAFTS))
      next.drafts = `Drafts must be a whole number from ${MIN_DRAFTS} to ${MAX_DRAFTS}.`;
    setProblems(next);
    return Object.keys(next).length === 0;
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (refine.isPending || !check()) return;
    record.reset();
    setRecorded(null);
    refine.mutate({ feedback: feedback.trim(), mode, drafts: Number(drafts), revision: plan.revision });
  };

  const recordOnly = () => {
    if (!feedback.trim()) {
      setProblems({ feedback: 'Write the feedback to record.' });
      return;
    }
    setProblems({});
    refine.reset();
    setRecorded(null);
    record.mutate({ feedback: feedback.trim(), revision: plan.revision });
  };

  const busy = refine.isPending || record.isPending;
  const pending = refine.isPending ? refine.variables : undefined;

  return (
    <form className="refine-form" onSubmit={submit} noValidate aria-busy={busy}>
      <label htmlFor={`${ids}-feedback`}>Feedback</label>
      <textarea
        id={`${ids}-feedback`}
        value={feedback}
        onChange={(e) => setFeedback(e.target.value)}
        aria-invalid={problems.feedback ? true : undefined}
        aria-describedby={`${ids}-feedback-hint${problems.feedback ? ` ${ids}-feedback-error` : ''}`}
        rows={4}
      />
      <p id={`${ids}-feedback-hint`} className="muted hint">
        What should change: missing work, tasks to split or merge, a different order, clearer acceptance
        criteria…
      </p>
      {problems.feedback ? (
        <p id={`${ids}-feedback-error`} className="field-error">
          {problems.feedback}
        </p>
      ) : null}

      <div className="refine-options">
        <div>
          <label htmlFor={`${ids}-mode`}>Mode</label>
          <select id={`${ids}-mode`} value={mode} onChange={(e) => setMode(e.target.value as RefineMode)}>
            <option value="multi">Continue planning (multi)</option>
            <option value="single">Quick edit (single)</option>
          </select>
        </div>
        <div>
          <label htmlFor={`${ids}-drafts`}>Drafts</label>
          <input
            id={`${ids}-drafts`}
            type="number"
            inputMode="numeric"
            min={MIN_DRAFTS}
            max={MAX_DRAFTS}
            step={1}
            value={drafts}
            disabled={mode === 'single'}
            onChange={(e) => setDrafts(e.target.value)}
            aria-invalid={problems.drafts ? true : undefined}
            aria-describedby={`${ids}-drafts-hint${problems.drafts ? ` ${ids}-drafts-error` : ''}`}
          />
          <p id={`${ids}-drafts-hint`} className="muted hint">
            {mode === 'multi'
              ? `Drafts written in parallel, then judged (${MIN_DRAFTS}–${MAX_DRAFTS}).`
              : 'A quick edit writes one draft.'}
          </p>
          {problems.drafts ? (
            <p id={`${ids}-drafts-error`} className="field-error">
              {problems.drafts}
            </p>
          ) : null}
        </div>
      </div>

      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Run planning turn
        </button>
        <button type="button" onClick={recordOnly} disabled={busy}>
          Record feedback only
        </button>
      </div>

      {pending ? (
        <Busy
          label={
            pending.mode === 'multi'
              ? `Claude is writing ${pending.drafts} drafts of revision ${pending.revision + 1} and judging them…`
              : `Claude is making a quick edit of revision ${pending.revision}…`
          }
        />
      ) : null}
      {record.isPending ? <Busy label="Recording the feedback…" /> : null}
      {recorded !== null ? (
        <p role="status" className="muted">
          Feedback recorded on revision {recorded}.
        </p>
      ) : null}
      <WriteError
        error={refine.error}
        planId={plan.id}
        basedOn={refine.variables?.revision}
        action="The planning turn"
        onDismiss={() => refine.reset()}
      />
      <WriteError
        error={record.error}
        planId={plan.id}
        basedOn={record.variables?.revision}
        action="Recording the feedback"
        onDismiss={() => record.reset()}
      />
    </form>
  );
}
