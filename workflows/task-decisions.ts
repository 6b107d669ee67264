/**
 * The user's decisions on tasks (the approve, retry, skip, complete and edit updates), applied at a
 * safe point: each is answered accepted, or rejected with the reason, and every change it makes is an
 * event.
 */
import { taskRepository } from '@chunkwise/domain';
import { completeTask } from './commit-and-complete';
import type { TaskEdit, UpdateAnswer } from '@chunkwise/contracts';
import { accept, reject, type Decision } from './session-control';
import type { SessionRunner } from './session-runner';

export async function applyDecision(r: SessionRunner, d: Decision): Promise<UpdateAnswer> {
  const t = r.findTask(d.taskId);
  if (!t) return reject(`task ${d.taskId} is not part of this session`);
  if (t.status === 'running') return reject(`task ${d.taskId} is running`);
  switch (d.kind) {
    case 'edit':
      await recordEdit(r, t.id, d.edit);
      return accept();
    case 'approve':
      if (t.status !== 'pending') return reject(`task ${t.id} is ${t.status}`);
      await recordEdit(r, t.id, d.edit);
      if (d.action === 'skip') await recordSkip(r, t.id, 'skipped at approval');
      else await r.record({ type: 'TaskApproved', data: { ...r.base(), taskId: t.id } });
      return accept();
    case 'retry':
      if (t.status !== 'failed') return reject(`task ${t.id} is ${t.status}, not failed`);
      await recordEdit(r, t.id, d.edit);
      await r.record({ type: 'TaskRetried', data: { ...r.base(), taskId: t.id } });
      return accept();
    case 'skip':
      if (t.status !== 'pending' && t.status !== 'failed') return reject(`task ${t.id} is ${t.status}`);
      await recordSkip(r, t.id, d.reason ?? 'skipped by the user');
      return accept();
    case 'complete': {
      // The user fixed it by hand in the work tree: the QA gates decide.
      const done = await completeTask(r, {
        tasks: [t],
        turnId: `${r.state.sessionId}-manual-${t.id}`,
        gatesFor: t.id,
        worktree: r.worktreeOf(taskRepository(t)),
        commit: { taskId: t.id, title: t.title },
        merge: false,
        manual: true,
        repository: taskRepository(t),
      });
      return done.ok ? accept() : reject(`QA gates failed: ${done.error}`);
    }
  }
}

async function recordEdit(r: SessionRunner, taskId: string, edit: TaskEdit | undefined): Promise<void> {
  if (!edit || Object.keys(edit).length === 0) return;
  const changes: TaskEdit = {};
  if (edit.title !== undefined) changes.title = edit.title;
  if (edit.description !== undefined) changes.description = edit.description;
  if (edit.acceptance !== undefined) changes.acceptance = edit.acceptance;
  await r.record({ type: 'TaskEdited', data: { ...r.base(), taskId, changes } });
}

const recordSkip = (r: SessionRunner, taskId: string, reason: string) =>
  r.record({ type: 'TaskSkipped', data: { ...r.base(), taskId, reason } });
