import { formatDuration, type Io } from './output';

/**
 * Shows that the CLI is waiting for the model: on a terminal, a spinner with the elapsed time on
 * stderr (redrawn in place, erased at the end); elsewhere, plain lines on stderr (a start line, a
 * "still waiting" line every `heartbeatMs`, an end line) so logs stay readable and stdout clean.
 */
export interface ProgressOptions {
  io: Io;
  /** Redraw a spinner in place (stderr is a terminal). */
  tty: boolean;
  /** Raw stderr writes, for the spinner (default process.stderr). */
  rawErr?: (text: string) => void;
  intervalMs?: number;
  heartbeatMs?: number;
  now?: () => number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export async function waitFor<T>(o: ProgressOptions, label: string, fn: () => Promise<T>): Promise<T> {
  const now = o.now ?? Date.now;
  const started = now();
  const elapsed = () => formatDuration(now() - started);
  const raw = o.rawErr ?? ((text: string) => void process.stderr.write(text));
  let timer: NodeJS.Timeout;
  if (o.tty) {
    let frame = 0;
    const draw = () => raw(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${label}… ${elapsed()}`);
    draw();
    timer = setInterval(draw, o.intervalMs ?? 100);
  } else {
    o.io.err(`${label}…`);
    timer = setInterval(() => o.io.err(`  … still waiting (${elapsed()})`), o.heartbeatMs ?? 30_000);
  }
  const end = (mark: string, word: string) => {
    clearInterval(timer);
    if (o.tty) raw(`\r\x1b[2K${mark} ${label} (${elapsed()})\n`);
    else o.io.err(`${label}: ${word} (${elapsed()})`);
  };
  try {
    const result = await fn();
    end('✓', 'done');
    return result;
  } catch (err) {
    end('✗', 'failed');
    throw err;
  }
}
