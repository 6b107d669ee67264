import { useQuery } from '@tanstack/react-query';
import { NavLink, Outlet, useParams } from 'react-router';
import { planQuery } from '../api/queries';
import { Busy } from '../components/Busy';
import { ErrorMessage } from '../components/ErrorMessage';
import { StatusBadge } from '../components/StatusBadge';
import { usePlanStream } from '../live/plan-stream';
import { SessionControls } from '../pages/execution/SessionControls';
import type { PlanContext } from './plan-context';

const STREAM_LABEL = { connecting: 'Connecting…', open: 'Live', lost: 'Connection lost — reconnecting…' };

/** A plan's frame: title, status, revision, live state, the session controls, and the tabs. */
export function PlanLayout() {
  const { id = '' } = useParams();
  // A new plan id mounts a new frame: its stream and live state start fresh.
  return <PlanFrame key={id} id={id} />;
}

function PlanFrame({ id }: { id: string }) {
  const plan = useQuery(planQuery(id));
  const stream = usePlanStream(id);
  if (plan.isPending) return <Busy label="Loading the plan…" />;
  if (plan.isError)
    return (
      <ErrorMessage error={plan.error} title="Could not load the plan" onRetry={() => void plan.refetch()} />
    );
  const context: PlanContext = { plan: plan.data, stream };
  return (
    <article className="plan" aria-labelledby="plan-title">
      <header className="plan-header">
        <div>
          <h1 id="plan-title">{plan.data.title}</h1>
          <p className="plan-meta">
            <StatusBadge status={plan.data.status} /> <span>revision {plan.data.revision}</span>{' '}
            <span className={`live live-${stream.state}`} role="status" aria-live="polite">
              {STREAM_LABEL[stream.state]}
            </span>
          </p>
        </div>
        <SessionControls plan={plan.data} />
      </header>
      <nav className="tabs" aria-label="Plan">
        <NavLink to="." end>
          Plan
        </NavLink>
        <NavLink to="planning">Planning</NavLink>
        <NavLink to="run">Execution</NavLink>
        <NavLink to="history">History</NavLink>
      </nav>
      <Outlet context={context} />
    </article>
  );
}
