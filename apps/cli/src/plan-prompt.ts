import { createInterface } from 'node:readline/promises';
import type { Io } from './output';

/** Asks questions on the injected streams and reads the answers, one line each. */
export interface Prompter {
  /** The next answer (trimmed), or null once the input has ended (EOF, Ctrl-D, Ctrl-C at a prompt). */
  ask(question: string): Promise<string | null>;
  close(): void;
}

export interface PrompterOptions {
  input: NodeJS.ReadableStream;
  io: Io;
  /**
   * A terminal to edit the answer on (stdout of a TTY): readline then echoes, edits and shows the
   * prompt itself. Without it, prompts go through `io` and each answer is echoed after its prompt, so a
   * transcript of a piped session reads like the interactive one.
   */
  terminal?: NodeJS.WritableStream;
}

/**
 * Lines are queued as they arrive rather than read with rl.question(): piped answers come in one
 * chunk, and readline drops lines that arrive while no question is pending.
 */
export function createPrompter(o: PrompterOptions): Prompter {
  const rl = createInterface({ input: o.input, output: o.terminal, terminal: Boolean(o.terminal) });
  const lines: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let closed = false;
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    closed = true;
    for (const next of waiting.splice(0)) next(null);
  });
  // Ctrl-C on a terminal: at a prompt it ends the input (the loop then leaves the draft as it is);
  // while a turn is running nothing is asked, so the process is interrupted as usual.
  rl.on('SIGINT', () => {
    const asking = waiting.length > 0;
    rl.close();
    if (asking) return;
    o.terminal?.write('\n'); // below the spinner line
    process.kill(process.pid, 'SIGINT');
  });

  return {
    ask: (question) => {
      if (o.terminal) {
        rl.setPrompt(question);
        rl.prompt();
      } else o.io.write(question);
      const answer =
        lines.length > 0
          ? Promise.resolve<string | null>(lines.shift()!)
          : closed
            ? Promise.resolve<string | null>(null)
            : new Promise<string | null>((resolve) => waiting.push(resolve));
      return answer.then((line) => {
        if (!o.terminal) o.io.write(line === null ? '\n' : `${line}\n`);
        return line === null ? null : line.trim();
      });
    },
    close: () => rl.close(),
  };
}
