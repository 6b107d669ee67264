import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, withRevision, type PlanDetail } from '../../api/client';
import { unwrap } from '../../api/errors';
import { Busy } from '../../components/Busy';
import {
  planningKeys,
  REVIEW_TYPES,
  type ReviewScope,
  type ReviewType,
  type SuggestionSet,
} from './planning-api';
import { WriteError } from './WriteError';

/**
 * Asks Claude to review the plan one way (whole plan, one chunk or one task): the answer is a
 * suggestion set, nothing changes until suggestions are applied.
 */
export function ReviewForm({
  plan,
  onSet,
}: {
  plan: Pick<PlanDetail, 'id' | 'revision' | 'chunks'>;
  onSet: (set: SuggestionSet) => void;
}) {
  const queryClient = useQueryClient();
  const ids = useId();
  const [type, setType] = useState<ReviewType>('refine_descriptions');
  const [scope, setScope] = useState<ReviewScope>('all');
  const [chunkKey, setChunkKey] = useState('');
  const [taskId, setTaskId] = useState('');
  const firstChunk = plan.chunks[0]?.key ?? '';
  const firstTask = plan.chunks.flatMap((c) => c.tasks)[0]?.id ?? '';
  // A target that vanished (a newer revision removed it) falls back to the first one.
  const chunk = plan.chunks.some((c) => c.key === chunkKey) ? chunkKey : firstChunk;
  const task = plan.chunks.some((c) => c.tasks.some((t) => t.id === taskId)) ? taskId : firstTask;
  const targetId = scope === 'chunk' ? chunk : scope === 'task' ? task : null;

  const review = useMutation({
    mutationFn: async (v: {
      type: ReviewType;
      scope: ReviewScope;
      targetId: string | null;
      revision: number;
    }) =>
      unwrap(
        await api.POST('/api/plans/{id}/review', {
          params: { path: { id: plan.id } },
          headers: withRevision(v.revision),
          body: { type: v.type, scope: v.scope, ...(v.targetId ? { targetId: v.targetId } : {}) },
        }),
      ),
    onSuccess: (set) => {
      queryClient.setQueryData(planningKeys.suggestions(plan.id, set.setId), set);
      onSet(set);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (review.isPending) return;
    if (scope !== 'all' && !targetId) return;
    review.mutate({ type, scope, targetId, revision: plan.revision });
  };

  const noTarget = scope !== 'all' && !targetId;

  return (
    <form className="review-form" onSubmit={submit} noValidate aria-busy={review.isPending}>
      <div className="review-options">
        <div>
          <label htmlFor={`${ids}-type`}>Review type</label>
          <select id={`${ids}-type`} value={type} onChange={(e) => setType(e.target.value as ReviewType)}>
            {REVIEW_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${ids}-scope`}>Scope</label>
          <select id={`${ids}-scope`} value={scope} onChange={(e) => setScope(e.target.value as ReviewScope)}>
            <option value="all">Whole plan</option>
            <option value="chunk">A chunk</option>
            <option value="task">A task</option>
          </select>
        </div>
        {scope === 'chunk' ? (
          <div>
            <label htmlFor={`${ids}-chunk`}>Chunk</label>
            <select id={`${ids}-chunk`} value={chunk} onChange={(e) => setChunkKey(e.target.value)}>
              {plan.chunks.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.title}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {scope === 'task' ? (
          <div>
            <label htmlFor={`${ids}-task`}>Task</label>
            <select id={`${ids}-task`} value={task} onChange={(e) => setTaskId(e.target.value)}>
              {plan.chunks.map((c) => (
                <optgroup key={c.key} label={c.title}>
                  {c.tasks.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.title}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {noTarget ? <p className="field-error">The plan has no {scope} to review yet.</p> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={review.isPending || noTarget}>
          Request review
        </button>
      </div>
      {review.isPending ? <Busy label="Claude is reviewing the plan…" /> : null}
      <WriteError
        error={review.error}
        planId={plan.id}
        basedOn={review.variables?.revision}
        action="The review"
        onDismiss={() => review.reset()}
      />
    </form>
  );
}
