/** Placeholder: built in its own branch. */
export function PlansPage() {
  return <p>PlansPage</p>;
}
