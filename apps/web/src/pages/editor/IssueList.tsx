import type { ValidationIssue } from '../../api/errors';

/** The problems found with one task, chunk or the plan, shown where they are. */
export function IssueList({ issues, label }: { issues?: ValidationIssue[]; label: string }) {
  if (!issues?.length) return null;
  // Named by text, not aria-label: a label search for a form field ("Title") must not find this list.
  return (
    <div className="issues">
      <p className="sr-only">
        {issues.length === 1 ? 'A problem' : `${issues.length} problems`} with {label}:
      </p>
      <ul>
        {issues.map((issue, n) => (
          <li key={n} className="field-error">
            {issue.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
