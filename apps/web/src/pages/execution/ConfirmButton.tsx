import { useEffect, useId, useRef, useState } from 'react';

/**
 * A button that asks first: a modal <dialog> (focus moves into it, Escape closes it) with the
 * question and a confirm button ("Yes, stop"); "No" or Escape closes it, doing nothing.
 */
export function ConfirmButton({
  label,
  ariaLabel,
  question,
  detail,
  confirmLabel,
  onConfirm,
  disabled,
  className,
}: {
  label: string;
  /** The button's accessible name when its text alone is ambiguous ("Delete" which schedule). */
  ariaLabel?: string;
  question: string;
  detail?: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  className?: string;
}) {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    if (!open && d.open) {
      if (typeof d.close === 'function') d.close();
      else d.removeAttribute('open');
    }
  }, [open]);
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={disabled}
        aria-label={ariaLabel}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="confirm" onClose={() => setOpen(false)}>
        {open ? (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              setOpen(false);
              onConfirm();
            }}
          >
            <h2 id={titleId}>{question}</h2>
            {detail ? <p>{detail}</p> : null}
            <div className="actions">
              <button type="submit" className="danger" autoFocus>
                {confirmLabel}
              </button>
              <button type="button" onClick={() => setOpen(false)}>
                No
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </>
  );
}
