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
 * Writes to a plan, each based on the revision the user's edit started from (If-Match): the revision
 * shown when they clicked, or when they opened the form. Our own writes since then count as seen (the
 * next write is based on what they produced, even before the refetch lands); anybody else's do not: a
 * stale write is never retried silently but becomes a `conflict` the user resolves with `reload` (drop
 * the edit) or `reapply` (the same change again, on the current revision).
 */
export function usePlanWrites(plan: PlanDetail) {
  const queryClient = useQueryClient();
  // Revisions our own writes went from → to.
  const ownSteps = useRef(new Map<number, number>());
  // Writes run one after the other, each based on the revision the one before produced.
  const queue = useRef<Promise<void>>(Promise.resolve());
  const [pending, setPending] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  // The revisions our own writes produced (shown plans at those revisions hold nothing unseen).
  const [ownRevisions, setOwnRevisions] = useState<ReadonlySet<number>>(new Set());
  const detailKey = planKeys.detail(plan.id);

  /** `base`, moved past the revisions our own writes produced after it. */
  const seen = (base: number) => {
    let revision = base;
    for (let guard = 0; ownSteps.current.has(revision) && guard < 10_000; guard++)
      revision = ownSteps.current.get(revision)!;
    return revision;
  };

  async function perform(change: PlanChange, revision: number) {
    setPending(change.label);
    setConflict(null);
    setFailure(null);
    const before = queryClient.getQueryData<PlanDetail>(detailKey);
    if (change.optimistic && before) queryClient.setQueryData(detailKey, change.optimistic(before));
    try {
      const after = await change.run(revision);
      if (after > revision) {
        ownSteps.current.set(revision, after);
        setOwnRevisions((seenBefore) => new Set(seenBefore).add(after));
      }
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

  const enqueue = (task: () => Promise<void>): Promise<void> => (queue.current = queue.current.then(task));

  return {
    /** The label of the write under way, if any. */
    pending,
    conflict,
    failure,
    ownRevisions,
    /** Performs `change` based on `base` (default: the revision shown now). */
    write: (change: PlanChange, base: number = plan.revision): Promise<void> =>
      enqueue(() => perform(change, seen(base))),
    /** Drops the stale edit and loads the plan as it is now. */
    reload: async () => {
      setConflict(null);
      await queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) });
    },
    /** The same change again, based on the revision the server named (or the plan as it is now). */
    reapply: (): Promise<void> => {
      const stale = conflict;
      if (!stale) return Promise.resolve();
      return enqueue(async () => {
        const revision =
          stale.error.currentRevision ?? (await queryClient.fetchQuery(planQuery(plan.id))).revision;
        await perform(stale.change, revision);
      });
    },
    dismissFailure: () => setFailure(null),
  };
}
