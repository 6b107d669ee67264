/**
 * No request body makes the API answer 5xx. Through the real HTTP server (createApp on SQLite, the
 * real Temporal dev server so execution routes get past their reachability check): generated JSON
 * bodies — deep, wide, large, unicode, wrong types, the routes' own field names — go to every write
 * route; each answer is a 2xx, or a 4xx whose body names the problem; every plan a write accepted
 * then exports in every format. Plus the fixed cases of the hardening issue: deep `execution`,
 * a QA gate typo, a plan stored by an older version with deep settings, and an early 413.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@chunkwise/config';
import { planStreamId } from '@chunkwise/domain';
import type { EventStore } from '@chunkwise/event-store';
import { FORMATS } from '@chunkwise/formats';
import { startTemporalDevServer, type TemporalDevServer } from '@chunkwise/temporal';
import fc from 'fast-check';
import request from 'supertest';
import { createApp } from '../apps/api/src/app.factory';
import { EVENT_STORE } from '../apps/api/src/infrastructure/tokens';
import { withTemporalCli } from './support/temporal-cli';
import { makeTempDir } from './support/temp-dir';

jest.setTimeout(180_000);

const BODY_LIMIT = 128 * 1024;

const sampleDocument = () => ({
  title: 'Bodies',
  description: 'fuzzed',
  chunks: [
    { key: 'C01_a', title: 'A' },
    { key: 'C02_b', title: 'B' },
  ],
  tasks: [
    { id: 'T1', chunk: 'C01_a', title: 'one' },
    { id: 'T2', chunk: 'C01_a', title: 'two', dependsOn: ['T1'] },
    { id: 'T3', chunk: 'C02_b', title: 'three', dependsOn: ['T2'] },
  ],
  execution: { agent: { type: 'command', argv: ['node', 'agent.js'] }, maxAttempts: 2 },
});

/** JSON text nested `depth` levels deep, built without recursion (JSON.stringify would overflow). */
const deepText = (depth: number, kind: 'object' | 'array', key = 'a') =>
  kind === 'object'
    ? `${`{"${key}":`.repeat(depth)}1${'}'.repeat(depth)}`
    : `${'['.repeat(depth)}1${']'.repeat(depth)}`;

interface Route {
  method: 'post' | 'patch' | 'put' | 'delete';
  path: string;
  /** The body's own field names, so that generated bodies also carry right keys with wrong values. */
  fields: string[];
  /** Fields that hold objects or arrays (where a deep value is most at home). */
  nested?: string[];
  /** Planning routes need the LLM, which this suite does not configure: 503 llm_unavailable is their answer to a valid body. */
  llm?: boolean;
}

const ROUTES: Route[] = [
  {
    method: 'post',
    path: '/api/plans',
    nested: ['execution', 'tasks', 'chunks'],
    fields: ['title', 'description', 'repository', 'chunks', 'tasks', 'execution', 'expectedRevision'],
  },
  {
    method: 'post',
    path: '/api/plans/validate',
    nested: ['execution', 'tasks'],
    fields: ['title', 'chunks', 'tasks', 'execution'],
  },
  {
    method: 'patch',
    path: '/api/plans/:id',
    nested: ['execution'],
    fields: ['title', 'description', 'repository', 'execution', 'expectedRevision'],
  },
  { method: 'delete', path: '/api/plans/:id', fields: ['expectedRevision'] },
  { method: 'post', path: '/api/plans/:id/finalize', fields: ['expectedRevision'] },
  { method: 'post', path: '/api/plans/:id/reopen', fields: ['reason', 'expectedRevision'] },
  { method: 'post', path: '/api/plans/:id/feedback', fields: ['feedback', 'author', 'expectedRevision'] },
  { method: 'post', path: '/api/plans/:id/validate', fields: [] },
  {
    method: 'post',
    path: '/api/plans/:id/chunks',
    fields: ['key', 'title', 'description', 'executionMode', 'pauseAfter', 'index'],
  },
  { method: 'put', path: '/api/plans/:id/chunks/order', fields: ['order', 'expectedRevision'] },
  {
    method: 'patch',
    path: '/api/plans/:id/chunks/C01_a',
    fields: ['title', 'description', 'executionMode', 'pauseAfter'],
  },
  { method: 'delete', path: '/api/plans/:id/chunks/C02_b', fields: ['expectedRevision'] },
  {
    method: 'post',
    path: '/api/plans/:id/tasks',
    nested: ['acceptance', 'dependsOn', 'labels'],
    fields: [
      'id',
      'chunk',
      'title',
      'description',
      'dependsOn',
      'depends_on',
      'acceptance',
      'status',
      'labels',
      'optional',
      'cancelled',
      'beforeTaskId',
    ],
  },
  {
    method: 'patch',
    path: '/api/plans/:id/tasks/T1',
    fields: ['title', 'description', 'acceptance', 'canRunInParallel', 'labels', 'optional'],
  },
  { method: 'put', path: '/api/plans/:id/tasks/T2/dependencies', fields: ['dependsOn'] },
  { method: 'post', path: '/api/plans/:id/tasks/T3/move', fields: ['toChunk', 'beforeTaskId'] },
  { method: 'delete', path: '/api/plans/:id/tasks/T3', fields: ['expectedRevision'] },
  {
    method: 'post',
    path: '/api/plans/import',
    nested: ['files'],
    fields: [
      'format',
      'filename',
      'tag',
      'title',
      'repository',
      'content',
      'files',
      'allTags',
      'inferDependencies',
      'dryRun',
    ],
  },
  {
    method: 'post',
    path: '/api/plans/:id/execute',
    nested: ['options'],
    fields: ['from', 'target', 'chunks', 'options'],
  },
  { method: 'post', path: '/api/plans/:id/resume', fields: [] },
  { method: 'post', path: '/api/plans/:id/pause', fields: ['reason'] },
  { method: 'post', path: '/api/plans/:id/stop', fields: ['reason'] },
  { method: 'post', path: '/api/plans/:id/cancel', fields: ['reason'] },
  { method: 'post', path: '/api/plans/:id/tasks/T1/approve', nested: ['edit'], fields: ['action', 'edit'] },
  { method: 'post', path: '/api/plans/:id/tasks/T1/retry', fields: ['edit'] },
  { method: 'post', path: '/api/plans/:id/tasks/T1/skip', fields: ['reason'] },
  { method: 'post', path: '/api/plans/:id/tasks/T1/complete', fields: [] },
  { method: 'post', path: '/api/plans/:id/tasks/T1/edit', fields: ['title', 'description', 'acceptance'] },
  { method: 'post', path: '/api/repositories', nested: ['defaults'], fields: ['path', 'name', 'defaults'] },
  {
    method: 'post',
    path: '/api/plans/generate',
    fields: ['title', 'description', 'repository', 'targetChunks', 'depth'],
    llm: true,
  },
  {
    method: 'post',
    path: '/api/plans/:id/review',
    fields: ['type', 'scope', 'targetId', 'expectedRevision'],
    llm: true,
  },
  {
    method: 'post',
    path: '/api/plans/:id/suggestions/s_0/apply',
    fields: ['ids', 'expectedRevision'],
    llm: true,
  },
  {
    method: 'post',
    path: '/api/plans/:id/refine',
    fields: ['feedback', 'mode', 'drafts', 'author', 'expectedRevision'],
    llm: true,
  },
];

/** Values of every JSON type, unicode (lone surrogates included) and odd numbers among them. */
const leaf = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    'T1',
    'C01_a',
    '../../etc',
    '\u0000',
    '__proto__',
    'constructor',
    'x'.repeat(30_000),
  ),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e300, -0, 2 ** 53 + 1),
  fc.boolean(),
  fc.constant(null),
);
const shallow = fc.jsonValue({ maxDepth: 4 }).map((v) => v as unknown);
const value = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 2, arbitrary: shallow },
  fc.array(leaf, { maxLength: 5 }),
);
/** A deep value as JSON text, sometimes just over the bound, sometimes far beyond what a serializer survives. */
const deep = fc
  .tuple(
    fc.oneof(fc.integer({ min: 30, max: 6000 }), fc.constantFrom(64, 65, 1000, 5000, 20_000)),
    fc.constantFrom<'object' | 'array'>('object', 'array'),
  )
  .map(([depth, kind]) => deepText(depth, kind));

/** A body's text, shown shortened when fast-check reports a counterexample. */
interface Body {
  text: string;
  [fc.toStringMethod]: () => string;
}
const asBody = (text: string): Body => ({
  text,
  [fc.toStringMethod]: () =>
    JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text),
});

/** A valid body of the route, to put a generated value into one of its fields. */
const base = (route: Route): Record<string, unknown> =>
  route.path === '/api/plans' || route.path === '/api/plans/validate' ? sampleDocument() : {};

/** Object text from a valid base with `value` (JSON text) in field `key`. */
const withField = (o: Record<string, unknown>, key: string, valueText: string) =>
  `{${[
    ...Object.entries(o)
      .filter(([k]) => k !== key)
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`),
    `${JSON.stringify(key)}:${valueText}`,
  ].join(',')}}`;

/**
 * A body as text: any JSON; an object of the route's fields with any values; a valid body with
 * one field given any value, or a deep one; a long array.
 */
const body = (route: Route): fc.Arbitrary<Body> => bodyText(route).map(asBody);
const bodyText = (route: Route) => {
  const keys = route.fields.length ? route.fields : ['x'];
  const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, fc.string({ maxLength: 8 }));
  const fields = fc.dictionary(key, value, { maxKeys: 6 });
  return fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 3, arbitrary: fields.map((o) => JSON.stringify(o)) },
    {
      weight: 3,
      arbitrary: fc.tuple(key, value).map(([k, v]) => withField(base(route), k, JSON.stringify(v) ?? 'null')),
    },
    { weight: 3, arbitrary: fc.tuple(key, deep).map(([k, d]) => withField(base(route), k, d)) },
    ...(route.nested
      ? [
          {
            weight: 4,
            arbitrary: fc
              .tuple(fc.constantFrom(...route.nested), deep)
              .map(([k, d]) => withField(base(route), k, d)),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.integer({ min: 1, max: 20_000 }),
          // Small items only: 20,000 copies of a 30 kB string would be a 600 MB body for the test itself.
          fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null), fc.constant({})),
        )
        .map(([n, v]) => JSON.stringify({ [keys[0]]: Array.from({ length: n }, () => v) })),
    },
  );
};

withTemporalCli('test/request-bodies.e2e.ts', ({ path: binary }) => {
  describe('no request body makes the API answer 5xx', () => {
    const tmp = makeTempDir('cw-request-bodies-');
    let server: TemporalDevServer;
    let app: NestExpressApplication;
    let http: ReturnType<NestExpressApplication['getHttpServer']>;

    beforeAll(async () => {
      server = await startTemporalDevServer({ dataDir: join(tmp.path, 'temporal'), binary, headless: true });
      const config = loadConfig({
        CHUNKWISE_DATA_DIR: join(tmp.path, 'data'),
        TEMPORAL_ADDRESS: server.address,
        CHUNKWISE_TASK_QUEUE: `chunkwise-bodies-${Math.random().toString(36).slice(2, 8)}`,
        CHUNKWISE_BODY_LIMIT: String(BODY_LIMIT),
        CHUNKWISE_LOG_LEVEL: 'error',
        ANTHROPIC_API_KEY: '',
      });
      app = await createApp(config, { logger: false });
      await app.listen(0, '127.0.0.1');
      http = app.getHttpServer();
    });

    afterAll(async () => {
      await app?.close();
      await server?.stop();
      tmp.remove();
    });

    const createPlan = async (doc: object = sampleDocument()) => {
      const res = await request(http).post('/api/plans').send(doc);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };

    /** Every format, and the Chunkwise one as JSON too: each must answer 200. */
    const exportsEverywhere = async (id: string) => {
      for (const format of FORMATS) {
        const res = await request(http).get(`/api/plans/${id}/export?format=${format}`);
        if (res.status !== 200)
          throw new Error(`export ${format} of ${id}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      const json = await request(http).get(`/api/plans/${id}/export?format=chunkwise&json=true`);
      if (json.status !== 200) throw new Error(`export chunkwise json of ${id}: ${json.status}`);
    };

    const send = (route: Route, id: string, text: string, type = 'application/json') =>
      request(http)[route.method](route.path.replace(':id', id)).set('Content-Type', type).send(text);

    test('generated bodies on every write route: 2xx, or 4xx naming the problem; accepted plans export in every format', async () => {
      const seen = new Map<string, number[]>();
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...ROUTES)
            .chain((route) => fc.tuple(fc.constant(route), body(route), fc.boolean())),
          async ([route, { text }, asYaml]) => {
            const id = await createPlan();
            const yaml =
              asYaml &&
              route.path.startsWith('/api/plans') &&
              route.method === 'post' &&
              !route.path.includes(':id');
            const res = await send(route, id, text, yaml ? 'application/yaml' : 'application/json');
            seen.set(`${route.method} ${route.path}`, [
              ...(seen.get(`${route.method} ${route.path}`) ?? []),
              res.status,
            ]);
            const what = `${route.method.toUpperCase()} ${route.path} ${text.slice(0, 200)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
            if (route.llm && res.status === 503 && res.body.code === 'llm_unavailable') return;
            if (res.status >= 500) throw new Error(`5xx: ${what}`);
            if (res.status >= 400) {
              if (typeof res.body?.message !== 'string' || res.body.message.length === 0)
                throw new Error(`4xx without a message: ${what}`);
              return;
            }
            if (res.status < 200 || res.status >= 300) throw new Error(`unexpected status: ${what}`);
            await exportsEverywhere(id);
            const created = typeof res.body?.id === 'string' && res.body.id !== id ? res.body.id : undefined;
            if (created && res.status === 201) await exportsEverywhere(created);
          },
        ),
        {
          numRuns: Number(process.env.CHUNKWISE_BODY_RUNS ?? 800),
          endOnFailure: true,
          // Besides the generated ones: every nested field of every route, 1,000 and 5,000 levels deep.
          examples: ROUTES.flatMap((route) =>
            (route.nested ?? []).flatMap((field) =>
              [1000, 5000].map(
                (depth) =>
                  [[route, asBody(withField(base(route), field, deepText(depth, 'object'))), false]] as [
                    [Route, Body, boolean],
                  ],
              ),
            ),
          ),
        },
      );
      if (process.env.CHUNKWISE_BODY_DEBUG)
        console.log([...seen].map(([k, v]) => `${k}: ${v.join(' ')}`).join('\n'));
      // Every route was reached at least once (the property picks routes uniformly).
      expect(seen.size).toBeGreaterThan(ROUTES.length * 0.8);
    });

    test('execution nested 5,000 levels deep → 400 naming the path, on create and on PATCH', async () => {
      const text = `{"title":"deep","execution":${deepText(5000, 'object')}}`;
      const created = await request(http)
        .post('/api/plans')
        .set('Content-Type', 'application/json')
        .send(text);
      expect(created.status).toBe(400);
      expect(created.body.issues[0].path).toMatch(/^body\.execution\.a\.a\.a/);
      expect(created.body.message).toMatch(/nested more than 64 levels deep/);

      const id = await createPlan();
      const patched = await request(http)
        .patch(`/api/plans/${id}`)
        .set('Content-Type', 'application/json')
        .send(`{"execution":${deepText(5000, 'object')}}`);
      expect(patched.status).toBe(400);
      expect(patched.body.issues[0].path).toMatch(/^body\.execution\.a/);

      // The same inside an imported file (JSON, YAML block and flow styles) and a YAML body.
      const deepYamlFlow = `title: deep\nexecution: ${deepText(5000, 'array')}\n`;
      const deepYamlBlock = `title: deep\nexecution:\n${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} 1\n`;
      for (const content of [text, deepYamlFlow, deepYamlBlock]) {
        const imported = await request(http).post('/api/plans/import').send({ format: 'chunkwise', content });
        expect([400, 413]).toContain(imported.status);
        expect(imported.body.message).toEqual(expect.any(String));
      }
      for (const yaml of [deepYamlFlow, deepYamlBlock]) {
        const res = await request(http).post('/api/plans').set('Content-Type', 'application/yaml').send(yaml);
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/nested|deep/);
      }

      // Deep enough to pass the bound but not the schema: still a 400 naming the path.
      const schema = await request(http)
        .post('/api/plans')
        .set('Content-Type', 'application/json')
        .send(`{"title":"deep","execution":{"agent":${deepText(40, 'object', 'type')}}}`);
      expect(schema.status).toBe(400);
      expect(schema.body.issues[0].path).toMatch(/^execution\.agent/);
    });

    test('a typo in a QA gate, or a wrong agent option, is a 400 when the plan is written', async () => {
      const doc = sampleDocument();
      const typo = await request(http)
        .post('/api/plans')
        .send({
          ...doc,
          execution: {
            ...doc.execution,
            qaGates: [{ name: 'lint', argv: ['npm', 'run', 'lint'], timeoutsec: 60 }],
          },
        })
        .expect(400);
      expect(typo.body.issues).toEqual([
        expect.objectContaining({
          path: 'execution.qaGates[0]',
          message: expect.stringMatching(/timeoutsec/),
        }),
      ]);
      const gates = await request(http)
        .post('/api/plans')
        .send({ ...doc, execution: { qaGate: [] } })
        .expect(400);
      expect(gates.body.message).toMatch(/qaGate/);
      const agent = await request(http)
        .post('/api/plans')
        .send({ ...doc, execution: { agent: { type: 'command', argv: 'npm test' } } })
        .expect(400);
      expect(agent.body.issues[0].path).toBe('execution.agent.argv');
      const id = await createPlan();
      const patch = await request(http)
        .patch(`/api/plans/${id}`)
        .send({ execution: { agent: { type: 'claude', argv: ['x'] } } })
        .expect(400);
      expect(patch.body.issues[0].path).toMatch(/^body\.execution\.agent/);
      // What was written is stored as written: no defaults filled in.
      const ok = await request(http)
        .patch(`/api/plans/${id}`)
        .send({ execution: { qaGates: [{ name: 'lint', argv: ['npm', 'run', 'lint'] }] } })
        .expect(200);
      const plan = await request(http).get(`/api/plans/${id}`).expect(200);
      expect(ok.body.revision).toBe(2);
      expect(plan.body.execution).toEqual({ qaGates: [{ name: 'lint', argv: ['npm', 'run', 'lint'] }] });
    });

    test('an accepted deep-ish body exports in every format; so does a plan stored with deep settings by an older version', async () => {
      // 60 levels under a key the document does not know: within the bound, accepted, not kept.
      const text = JSON.stringify({ ...sampleDocument(), notes: 'PLACEHOLDER' }).replace(
        '"PLACEHOLDER"',
        deepText(60, 'array'),
      );
      const created = await request(http)
        .post('/api/plans')
        .set('Content-Type', 'application/json')
        .send(text)
        .expect(201);
      await exportsEverywhere(created.body.id);

      // An older version stored `execution` as any object: 1,000 levels deep, appended as it did.
      const id = await createPlan();
      const store = app.get<EventStore>(EVENT_STORE);
      const deepValue = JSON.parse(deepText(1000, 'object')) as Record<string, unknown>;
      await store.append(
        planStreamId(id),
        [
          {
            id: randomUUID(),
            type: 'PlanDetailsUpdated',
            data: { revision: 2, changes: { execution: deepValue } },
          },
        ],
        { expectedRevision: 'any' },
      );
      for (let i = 0; i < 100; i++) {
        const detail = await request(http).get(`/api/plans/${id}`);
        if (detail.body.revision === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await exportsEverywhere(id);
      const yaml = await request(http).get(`/api/plans/${id}/export?format=chunkwise`).expect(200);
      expect(yaml.body.warnings).toEqual([
        expect.objectContaining({ code: 'not_exported', path: 'execution' }),
      ]);
      // The plan stays usable: other writes fold and decide over the stored settings.
      await request(http).patch(`/api/plans/${id}`).send({ title: 'still works' }).expect(200);
      await request(http).patch(`/api/plans/${id}`).send({ execution: null }).expect(200);
      await exportsEverywhere(id);
    });

    test('a Content-Length over the limit is refused with 413 at once, without the body being sent', async () => {
      const { port } = http.address() as AddressInfo;
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            'POST /api/plans HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
              `Content-Length: ${BODY_LIMIT * 10}\r\n\r\n`,
          );
        });
        let data = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          data += chunk;
          if (data.includes('\r\n\r\n') && data.includes('}')) {
            socket.destroy();
            resolve(data);
          }
        });
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer within 3 s (got ${JSON.stringify(data)})`));
        }, 3000);
        socket.on('close', () => clearTimeout(timer));
      });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toMatch(/connection: close/i);
      expect(answer).toContain(`exceeds the limit of ${BODY_LIMIT} bytes`);
      // A length within the limit is still read and parsed as before.
      await request(http).post('/api/plans').send(sampleDocument()).expect(201);
    });
  });
});
