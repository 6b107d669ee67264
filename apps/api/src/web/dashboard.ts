import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/**
 * Where the built dashboard lives: CHUNKWISE_WEB_DIR, else dist/web of the package (found by
 * walking up from this file: it runs from apps/api/src under the tests and from dist/apps/api/src).
 */
export function dashboardDir(env: Record<string, string | undefined> = process.env): string {
  if (env.CHUNKWISE_WEB_DIR) return path.resolve(env.CHUNKWISE_WEB_DIR);
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'web');
}

const notBuilt = (
  prefix: string,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chunkwise</title></head>
<body><main><h1>The Chunkwise dashboard is not built</h1>
<p>Run <code>npm run setup</code> (or <code>npm run build:web</code>) and reload. The API is at
<a href="/${prefix}/docs">/${prefix}/docs</a>.</p></main></body></html>`;

/**
 * Serves the dashboard at `/` from the same origin as the API: hashed assets cached for a year,
 * index.html never cached, and every other GET outside /api answered with index.html so that a
 * deep link (/plans/…) opens the single-page app. The pages carry no data: auth is on /api.
 */
export function installDashboard(app: NestExpressApplication, apiPrefix: string, dir = dashboardDir()): void {
  const index = path.join(dir, 'index.html');
  const apiPath = new RegExp(`^/${apiPrefix}(?:/|$)`);
  app.useStaticAssets(path.join(dir, 'assets'), {
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
  });
  app.use('/assets', (_req: Request, res: Response) => {
    // A stale or mistyped asset name: a plain 404 (no file-system detail).
    res.status(404).type('text').send('asset not found');
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || apiPath.test(req.path)) return next();
    res.set('Cache-Control', 'no-cache');
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
    let html: string;
    try {
      html = readFileSync(index, 'utf8');
    } catch {
      res.status(503).type('html').send(notBuilt(apiPrefix));
      return;
    }
    // Files at the top of dist/web (favicon, …) are served as they are; everything else is the app.
    const file = path.join(dir, path.normalize(req.path).replace(/^[/\\]+/, ''));
    if (req.path !== '/' && file.startsWith(dir + path.sep) && path.extname(file) && existsSync(file)) {
      res.sendFile(file);
      return;
    }
    res.type('html').send(html);
  });
}
