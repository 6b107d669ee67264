// Lints source texts as if they were files of this repository (ESLint with the repository's own
// eslint.config.mjs). Reads [{ filePath, code }] as JSON on stdin; writes, for each, the problems
// found as [{ ruleId, message }] on stdout. Run as a child process by test/lint-rules.e2e.ts.
import process from 'node:process';
import { text } from 'node:stream/consumers';
import { ESLint } from 'eslint';

const cases = JSON.parse(await text(process.stdin));
const eslint = new ESLint({ cwd: process.cwd() });
const results = [];
for (const { filePath, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath });
  results.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
process.stdout.write(JSON.stringify(results));
