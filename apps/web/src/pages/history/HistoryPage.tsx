/** Placeholder: built in its own branch. */
export function HistoryPage() {
  return <p>HistoryPage</p>;
}
