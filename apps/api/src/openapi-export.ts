import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@chunkwise/config';
import { createApp } from './app.factory';
import { buildOpenApiDocument } from './openapi';

/**
 * Writes the OpenAPI document to a file without listening or touching the real data directory:
 * the app is built on throw-away SQLite stores. The dashboard's typed client is generated from
 * this file by `npm run build:web`, so the UI cannot drift from the API.
 * Usage: node dist/apps/api/src/openapi-export.js <out.json>
 */
async function main(out: string): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chunkwise-openapi-'));
  try {
    const config = loadConfig({ CHUNKWISE_DATA_DIR: dataDir, CHUNKWISE_PROJECTOR: 'false' });
    const app = await createApp(config, { logger: false });
    try {
      writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const out = process.argv[2];
if (!out) {
  console.error('usage: openapi-export <out.json>');
  process.exit(2);
}
main(path.resolve(out)).then(
  () => console.log(`OpenAPI document written to ${out}`),
  (e: unknown) => {
    console.error(`openapi-export: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
