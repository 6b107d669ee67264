import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PlanDetail } from '../../api/client';
import { dashboardSettingsQuery, planKeys, progressQuery } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ConfirmButton } from './ConfirmButton';
import { sessionApi, temporalUiLink } from './execution-api';
import './controls.css';

type Action = 'pause' | 'resume' | 'stop' | 'cancel';
const BUSY: Record<Action, string> = {
  pause: 'Pausing at the next safe point…',
  resume: 'Resuming…',
  stop: 'Stopping at the next safe point…',
  cancel: 'Cancelling…',
};

/**
 * Pause / Resume / Stop / Cancel of the plan's session, as its status allows, in the plan header of
 * every tab (always one click away; Stop and Cancel ask first). The Temporal UI link opens the
 * session's workflow when the server knows the UI's address.
 */
export function SessionControls({ plan }: { plan: PlanDetail }) {
  const queryClient = useQueryClient();
  const active = plan.status === 'running' || plan.status === 'paused';
  const hadSession = active || ['completed', 'failed', 'cancelled'].includes(plan.status);
  const progress = useQuery({ ...progressQuery(plan.id), enabled: hadSession });
  const settings = useQuery({ ...dashboardSettingsQuery(), enabled: hadSession });
  const action = useMutation({
    mutationFn: async (a: Action): Promise<unknown> => sessionApi[a](plan.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) }),
  });
  const sessionStatus = progress.data?.status;
  // A stopped session leaves the plan paused: only Resume (a new session from its checkpoint) applies.
  const stopped = plan.status === 'paused' && sessionStatus === 'stopped';
  const can = {
    pause: plan.status === 'running',
    resume: plan.status === 'paused',
    stop: active && !stopped,
    cancel: active && !stopped,
  };
  const link = temporalUiLink(settings.data, plan.id, progress.data?.sessionId);
  if (!active && !link) return null;
  const busy = action.isPending;
  return (
    <div className="session-controls" role="group" aria-label="Session controls">
      <div className="actions">
        {can.pause ? (
          <button type="button" disabled={busy} onClick={() => action.mutate('pause')}>
            Pause
          </button>
        ) : null}
        {can.resume ? (
          <button type="button" className="primary" disabled={busy} onClick={() => action.mutate('resume')}>
            Resume
          </button>
        ) : null}
        {can.stop ? (
          <ConfirmButton
            label="Stop"
            question="Stop this session?"
            detail="Running turns finish, then the session stops at a checkpoint. You can resume it later."
            confirmLabel="Yes, stop"
            disabled={busy}
            onConfirm={() => action.mutate('stop')}
          />
        ) : null}
        {can.cancel ? (
          <ConfirmButton
            label="Cancel"
            className="danger"
            question="Cancel this plan’s execution?"
            detail="Running turns are cancelled now and the plan ends cancelled. This cannot be resumed."
            confirmLabel="Yes, cancel"
            disabled={busy}
            onConfirm={() => action.mutate('cancel')}
          />
        ) : null}
        {link ? (
          <a href={link} target="_blank" rel="noreferrer noopener">
            Temporal UI
          </a>
        ) : null}
      </div>
      <p className="sr-only" role="status" aria-live="polite">
        {busy && action.variables ? BUSY[action.variables] : ''}
      </p>
      {action.isError ? <ErrorMessage error={action.error} title={`Could not ${action.variables}`} /> : null}
    </div>
  );
}
