import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Component tests of the terminal UI (Ink is ESM only; vitest loads it natively, jest's CommonJS
// cannot). The reducer, keys and range selection are also covered by jest specs beside them.
const root = fileURLToPath(new URL('../..', import.meta.url));
const libs = readdirSync(`${root}libs`, { withFileTypes: true }).filter((d) => d.isDirectory());

export default defineConfig({
  root,
  resolve: {
    alias: Object.fromEntries(libs.map((d) => [`@chunkwise/${d.name}`, `${root}libs/${d.name}/src`])),
  },
  test: {
    include: ['apps/cli/src/tui/**/*.spec.tsx'],
    environment: 'node',
  },
});
