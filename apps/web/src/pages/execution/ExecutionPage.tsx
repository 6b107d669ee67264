/** Placeholder: built in its own branch. */
export function ExecutionPage() {
  return <p>ExecutionPage</p>;
}
