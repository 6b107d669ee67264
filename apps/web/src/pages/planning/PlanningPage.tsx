/** Placeholder: built in its own branch. */
export function PlanningPage() {
  return <p>PlanningPage</p>;
}
