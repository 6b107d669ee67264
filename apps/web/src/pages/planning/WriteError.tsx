import { useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../api/errors';
import { planKeys } from '../../api/queries';
import { ErrorMessage } from '../../components/ErrorMessage';

/** Is this the 409 of a stale If-Match (someone else wrote first)? */
export const isStaleRevision = (e: unknown): e is ApiError =>
  e instanceof ApiError && e.status === 409 && e.currentRevision !== undefined;

function titleOf(e: unknown, action: string): string {
  if (!(e instanceof ApiError)) return `${action} failed`;
  switch (e.status) {
    case 0:
      return `${action} failed`;
    case 409:
      return `${action} was refused (conflict)`;
    case 502:
      return `${action} failed: the model's answer was invalid, nothing was changed`;
    case 503:
      return `${action} failed: the service is not available (is the LLM configured?)`;
    default:
      return `${action} failed`;
  }
}

/**
 * The error of a write. A stale revision (409 with currentRevision) says plainly that the plan
 * changed since it was loaded, and offers to reload it; every other error shows the API's message.
 */
export function WriteError({
  error,
  planId,
  basedOn,
  action,
  onDismiss,
}: {
  error: unknown;
  planId: string;
  /** The revision the failed write was based on. */
  basedOn?: number;
  /** What was attempted, e.g. "The planning turn". */
  action: string;
  onDismiss?: () => void;
}) {
  const queryClient = useQueryClient();
  if (!error) return null;
  if (isStaleRevision(error)) {
    const reload = () => {
      void queryClient.invalidateQueries({ queryKey: planKeys.plan(planId) });
      onDismiss?.();
    };
    return (
      <div className="error conflict" role="alert">
        <p>
          <strong>Conflict: the plan changed since you loaded it.</strong>{' '}
          {basedOn !== undefined ? `${action} was based on revision ${basedOn}; ` : `${action} was refused; `}
          the plan is now at revision {error.currentRevision}. Nothing was changed. Review the latest
          revision, then try again.
        </p>
        <p className="muted">{error.message}</p>
        <button type="button" onClick={reload}>
          Reload the plan
        </button>
      </div>
    );
  }
  return <ErrorMessage error={error} title={titleOf(error, action)} />;
}
