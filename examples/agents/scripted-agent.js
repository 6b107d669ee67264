#!/usr/bin/env node
// The example agent of `chunkwise demo`: a small deterministic "coding agent". It reads its prompt
// (stdin or the prompt file), finds its task in the chunk-only plan (CHUNKWISE_PLAN_FILE) and
// follows the directives written in the task description, one per line; other lines are prose
// and ignored, so the same descriptions can be given to a real agent.
//
//   write <path> <text…>     write a file (relative to the work tree; \n in the text is a newline)
//   append <path> <text…>    append a line to a file
//   broken <N> <path>        on attempts 1..N, append a syntax error to <path> (the QA gate catches it)
//   qa-fail <N>              on attempts 1..N write BROKEN into qa-status.txt (the QA gate fails)
//   fail <N>                 exit 1 on attempts 1..N
//   hang                     never finish (until killed)
//   crash                    kill itself with SIGKILL
//   sleep <ms>               wait before going on
//   mark-done                (turnScope chunk) mark every task of the chunk completed in plan.json
//   usage <in> <out> <usd> [file]  report the turn's usage (docs/agents.md): a {"chunkwise_usage": …}
//                            line on stdout, or with `file` the same object in $CHUNKWISE_USAGE_FILE
//
// With AGENT_LOG_DIR set, each prompt is saved there as <task>-<attempt>.prompt.md and each
// start/end is a line in events.log.
'use strict';
const fs = require('fs');
const path = require('path');

const taskId = process.env.CHUNKWISE_TASK_ID || '';
const attempt = Number(process.env.CHUNKWISE_ATTEMPT || '1');
const logDir = process.env.AGENT_LOG_DIR;

function log(line) {
  if (logDir) fs.appendFileSync(path.join(logDir, 'events.log'), `${Date.now()} ${line}\n`);
}

function readStdin() {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

function inWorkTree(file) {
  const target = path.resolve(file);
  if (!target.startsWith(process.cwd() + path.sep))
    throw new Error(`refusing to write outside the work tree: ${file}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  return target;
}

async function main() {
  let prompt = readStdin();
  if (!prompt && process.env.CHUNKWISE_PROMPT_FILE)
    prompt = fs.readFileSync(process.env.CHUNKWISE_PROMPT_FILE, 'utf8');
  if (logDir) {
    fs.mkdirSync(logDir, { recursive: true });
    fs.writeFileSync(path.join(logDir, `${taskId || 'chunk'}-${attempt}.prompt.md`), prompt);
  }
  const planFile = process.env.CHUNKWISE_PLAN_FILE;
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  const tasks = taskId
    ? plan.tasks.filter((t) => t.id === taskId)
    : plan.tasks.filter((t) => t.status !== 'completed');
  log(`start ${taskId || 'chunk'} ${attempt}`);
  for (const task of tasks) {
    for (const raw of String(task.description || '').split('\n')) {
      const line = raw.trim();
      const [verb, ...rest] = line.split(/\s+/);
      if (verb === 'write' || verb === 'append') {
        const [file, ...words] = rest;
        const target = inWorkTree(file);
        const text = words.join(' ').replace(/\\n/g, '\n');
        if (verb === 'write') fs.writeFileSync(target, text.endsWith('\n') ? text : `${text}\n`);
        else fs.appendFileSync(target, `${text}\n`);
        console.log(`agent: ${verb} ${file}`);
      } else if (verb === 'broken' && attempt <= Number(rest[0])) {
        fs.appendFileSync(inWorkTree(rest[1]), 'this is not javascript (\n');
        console.log(`agent: made a mistake in ${rest[1]} (attempt ${attempt})`);
      } else if (verb === 'qa-fail') {
        fs.writeFileSync(
          'qa-status.txt',
          attempt <= Number(rest[0]) ? `BROKEN by ${task.id} attempt ${attempt}\n` : 'OK\n',
        );
      } else if (verb === 'fail' && attempt <= Number(rest[0])) {
        console.error(`agent: told to fail attempt ${attempt} of ${task.id}`);
        log(`end ${taskId || 'chunk'} ${attempt} failed`);
        process.exit(1);
      } else if (verb === 'hang') {
        console.log(`agent: hanging on ${task.id}`);
        setInterval(() => undefined, 1000);
        return;
      } else if (verb === 'crash') {
        process.kill(process.pid, 'SIGKILL');
      } else if (verb === 'sleep') {
        await new Promise((r) => setTimeout(r, Number(rest[0])));
      } else if (verb === 'usage') {
        const [input, output, usd, where] = rest;
        const report = {
          chunkwise_usage: {
            input_tokens: Number(input),
            output_tokens: Number(output),
            cost_usd: Number(usd),
            model: 'scripted-agent',
          },
        };
        if (where === 'file') fs.writeFileSync(process.env.CHUNKWISE_USAGE_FILE, JSON.stringify(report));
        else console.log(JSON.stringify(report));
      } else if (verb === 'mark-done') {
        for (const t of plan.tasks) t.status = 'completed';
        fs.writeFileSync(planFile, JSON.stringify(plan, null, 2));
      }
    }
    console.log(`agent: did ${task.id} (attempt ${attempt})`);
  }
  log(`end ${taskId || 'chunk'} ${attempt} ok`);
}

main().catch((e) => {
  console.error(`agent error: ${e.message}`);
  process.exit(2);
});
