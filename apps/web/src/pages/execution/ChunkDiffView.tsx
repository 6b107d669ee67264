import { useQuery } from '@tanstack/react-query';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { chunkDiffQuery, type ChunkDiff } from './execution-api';
import { shortSha } from './session-log';

const FILE_STATUS: Record<string, string> = { A: 'added', M: 'modified', D: 'deleted', T: 'type changed' };

function lineClass(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return 'ud-file';
  if (line.startsWith('+')) return 'ud-added';
  if (line.startsWith('-')) return 'ud-removed';
  if (line.startsWith('@@')) return 'ud-hunk';
  if (line.startsWith('commit ') || line.startsWith('diff --git')) return 'ud-header';
  return undefined;
}

/** A unified diff with added/removed lines marked (by colour and by their +/- prefix). */
export function UnifiedDiff({ text, label }: { text: string; label: string }) {
  const lines = text.split('\n');
  return (
    <pre className="unified-diff" aria-label={label} tabIndex={0}>
      {lines.map((line, i) => (
        <span key={i} className={lineClass(line)}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

export function FilesChanged({ diff }: { diff: ChunkDiff }) {
  if (diff.files.length === 0) return <p className="muted">No files changed.</p>;
  return (
    <ul className="files-changed" aria-label="Files changed">
      {diff.files.map((f) => (
        <li key={f.path}>
          <code>{f.path}</code> <span className="muted">{FILE_STATUS[f.status] ?? f.status}</span>{' '}
          {f.additions !== null ? <span className="count-added">+{f.additions}</span> : null}{' '}
          {f.deletions !== null ? <span className="count-removed">−{f.deletions}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** What a chunk's commits changed: commits, files and the diff (GET /plans/:id/chunks/:key/diff). */
export function ChunkDiffView({
  planId,
  chunkKey,
  chunkTitle,
}: {
  planId: string;
  chunkKey: string;
  chunkTitle: string;
}) {
  const diff = useQuery(chunkDiffQuery(planId, chunkKey));
  if (diff.isPending) return <Busy label="Loading the chunk’s changes…" />;
  if (diff.isError)
    return (
      <ErrorMessage
        error={diff.error}
        title="Could not read the chunk’s changes"
        onRetry={() => void diff.refetch()}
      />
    );
  const d = diff.data;
  return (
    <div className="chunk-diff">
      <h4>Commits</h4>
      {d.commits.length === 0 ? (
        <p className="muted">No commits.</p>
      ) : (
        <ul aria-label="Commits">
          {d.commits.map((c) => (
            <li key={c.sha}>
              <code>{shortSha(c.sha)}</code> {c.subject}
            </li>
          ))}
        </ul>
      )}
      {d.missing.length > 0 ? (
        <p className="muted">Not in this repository: {d.missing.map(shortSha).join(', ')}</p>
      ) : null}
      <h4>Files changed ({d.files.length})</h4>
      <FilesChanged diff={d} />
      {d.diff ? (
        <details open>
          <summary>Diff of {chunkTitle}</summary>
          <UnifiedDiff text={d.diff} label={`Diff of ${chunkTitle}`} />
          {d.truncated ? (
            <p className="muted">The diff is cut at 1 MiB; see the repository for the rest.</p>
          ) : null}
        </details>
      ) : null}
    </div>
  );
}
