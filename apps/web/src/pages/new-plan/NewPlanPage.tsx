import { ByHandSection } from './ByHandSection';
import { GenerateSection } from './GenerateSection';
import { ImportSection } from './ImportSection';
import './new-plan.css';

/** Three ways to a new plan: let Claude write it, write it by hand, or import another tool's file. */
export function NewPlanPage() {
  return (
    <div className="new-plan">
      <h1>New plan</h1>
      <GenerateSection />
      <ByHandSection />
      <ImportSection />
    </div>
  );
}
