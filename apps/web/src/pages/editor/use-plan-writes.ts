import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import type { PlanDetail } from '../../api/client';
import { ApiError } from '../../api/errors';
import { planKeys, planQuery } from '../../api/queries';

/** One edit of the plan, replayable: `run` performs it on a given revision (and may chain several writes). */
export interface PlanChange {
  /** What it does, in words ("Save task Write tests"): named in the conflict and error messages. */
  label: string;
  /** Where validation issues that name no task or chunk of the plan are shown (see `place`). */
  target: string;
  /** Performs the change based on `revision`; resolves to the revision after it. */
  run: (revision: number) => Promise<number>;
  /** The plan as it will look, shown while the write is under way (reorders). */
  optimistic?: (plan: PlanDetail) => PlanDetail;
  /** After success (e.g. close the form). */
  onDone?: () => void;
}

export interface Conflict {
  change: PlanChange;
  error: ApiError;
}

export interface Failure {
  change: PlanChange;
  error: unknown;
}

/** A 409 because the plan moved on since the revision the write was based on. */
export const isStale = (e: unknown): e is ApiError =>
  e instanceof ApiError &&
  e.status === 409 &&
  (e.body?.code === 'stale_revision' || (e.body?.code === undefined && e.currentRevision !== undefined));

/**
 * Writes to a plan, each based on the revision the editor shows (If-Match). A stale write is never
 * retried silently: it becomes a `conflict` the user resolves with `reload` (drop the edit) or
 * `reapply` (the same change again, on the current revision).
 */
export function usePlanWrites(plan: PlanDetail) {
  const queryClient = useQueryClient();
  // The revision our own last write produced: the next write is based on it even before the refetch lands.
  const ownRevision = useRef(plan.revision);
  const [pending, setPending] = useState<string | null>(null);
  // Writes run one after the other, each based on the revision the one before produced.
  const queue = useRef<Promise<void>>(Promise.resolve());
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const detailKey = planKeys.detail(plan.id);

  async function perform(change: PlanChange, revision: number) {
    setPending(change.label);
    setConflict(null);
    setFailure(null);
    const before = queryClient.getQueryData<PlanDetail>(detailKey);
    if (change.optimistic && before) queryClient.setQueryData(detailKey, change.optimistic(before));
    try {
      const after = await change.run(revision);
      ownRevision.current = Math.max(ownRevision.current, after);
      change.onDone?.();
      void queryClient.invalidateQueries({ queryKey: planKeys.lists() });
      await queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) });
    } catch (error) {
      if (before) queryClient.setQueryData(detailKey, before);
      if (isStale(error)) setConflict({ change, error });
      else setFailure({ change, error });
    } finally {
      setPending(null);
    }
  }

  return {
    /** The label of the write under way, if any (controls are disabled meanwhile). */
    pending,
    conflict,
    failure,
    write: (change: PlanChange): Promise<void> => {
      const shown = plan.revision;
      queue.current = queue.current.then(() => perform(change, Math.max(shown, ownRevision.current)));
      return queue.current;
    },
    /** Drops the stale edit and loads the plan as it is now. */
    reload: async () => {
      setConflict(null);
      await queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) });
    },
    /** The same change again, based on the revision the server named (or the plan as it is now). */
    reapply: async () => {
      if (!conflict) return;
      const revision =
        conflict.error.currentRevision ?? (await queryClient.fetchQuery(planQuery(plan.id))).revision;
      await perform(conflict.change, revision);
    },
    dismissFailure: () => setFailure(null),
  };
}
