/** Placeholder: built in its own branch. */
export function NewPlanPage() {
  return <p>NewPlanPage</p>;
}
