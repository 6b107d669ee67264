/** A plan, session, chunk or task status as a coloured badge (the text carries the meaning, not the colour). */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {label ?? status}
    </span>
  );
}
