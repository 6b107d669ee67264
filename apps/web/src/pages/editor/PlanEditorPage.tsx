/** Placeholder: built in its own branch. */
export function PlanEditorPage() {
  return <p>PlanEditorPage</p>;
}
