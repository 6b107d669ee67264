import type { PlanDetail } from '../../api/client';

/** Placeholder: pause / stop / resume / cancel, always one click away (built with the execution view). */
export function SessionControls({ plan }: { plan: PlanDetail }) {
  return <div className="controls" data-status={plan.status} />;
}
