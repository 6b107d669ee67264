import { usePlanContext } from '../../app/plan-context';
import { PlanEditor } from './PlanEditor';

/** The Plan tab (`/plans/:id`): the plan's chunks and tasks, editable while it is a draft. */
export function PlanEditorPage() {
  const { plan } = usePlanContext();
  return <PlanEditor plan={plan} />;
}
