import type { ValidationIssue } from '../../api/errors';

/** The problems found with one task, chunk or the plan, shown where they are. */
export function IssueList({ issues, label }: { issues?: ValidationIssue[]; label: string }) {
  if (!issues?.length) return null;
  return (
    <ul className="issues" aria-label={`Problems with ${label}`}>
      {issues.map((issue, n) => (
        <li key={n} className="field-error">
          {issue.message}
        </li>
      ))}
    </ul>
  );
}
