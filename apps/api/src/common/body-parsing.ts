import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { parse as parseYaml } from 'yaml';

export const JSON_TYPES = ['application/json', 'application/*+json'];
export const YAML_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml', 'text/x-yaml'];

/**
 * Routes that also take a multipart upload, parsed (with the same limit) by multer in their
 * controller: `POST /api/plans/import`.
 */
export const MULTIPART_ROUTES = [/^\/api\/plans\/import\/?$/];
const isMultipartRoute = (req: Request) =>
  req.method === 'POST' &&
  Boolean(req.is('multipart/form-data')) &&
  MULTIPART_ROUTES.some((r) => r.test(req.path));

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * Installs the request body parsers (JSON, and YAML for plan documents), both bounded by
 * `bodyLimit`, and turns their failures into HTTP errors that reach the exception filter:
 * malformed JSON/YAML → 400, too large → 413, another media type → 415.
 * Must run before `app.init()` (Nest's own parser is disabled with `bodyParser: false`).
 */
export function installBodyParsing(app: NestExpressApplication, bodyLimit: number): void {
  app.use(refuseAnnouncedOversize(bodyLimit));
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (hasBody(req) && !req.is([...JSON_TYPES, ...YAML_TYPES]) && !isMultipartRoute(req)) {
      return next(
        new UnsupportedMediaTypeException(
          `unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}; send application/json (or application/yaml for plan documents)`,
        ),
      );
    }
    next();
  });
  // strict: false lets any JSON value through, so that a non-object body gets the schema's precise message.
  app.useBodyParser('json', { limit: bodyLimit, type: JSON_TYPES, strict: false });
  app.useBodyParser('text', { limit: bodyLimit, type: YAML_TYPES });
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) =>
    next(bodyParserError(err, bodyLimit)),
  );
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (typeof req.body === 'string' && req.is(YAML_TYPES)) {
      try {
        req.body = parseYaml(req.body, { prettyErrors: true, maxAliasCount: 100 });
      } catch (e) {
        // The YAML composer recurses: a document nested thousands of levels deep overflows the stack.
        if (e instanceof RangeError || /Maximum call stack/.test(oneLine(e)))
          return next(new BadRequestException('the YAML body is nested too deeply to read'));
        return next(new BadRequestException(`malformed YAML body: ${oneLine(e)}`));
      }
    }
    next();
  });
}

/**
 * 413 from the `Content-Length` header alone, before a byte of the body is read: a client that
 * announces more than the limit gets its answer at once instead of after the server has read (and
 * discarded) the whole body, or waited for a body that never comes. The connection is closed after
 * the answer, so the unread body is never read either. (A chunked body over the limit is refused
 * by the parser as soon as it has read past the limit.)
 */
export function refuseAnnouncedOversize(bodyLimit: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers['content-length'];
    if (header === undefined || !/^\d+$/.test(header.trim())) return next();
    const length = Number(header.trim());
    if (length <= bodyLimit) return next();
    res.setHeader('Connection', 'close');
    next(
      new PayloadTooLargeException(
        `request body of ${length} bytes (Content-Length) exceeds the limit of ${bodyLimit} bytes`,
      ),
    );
  };
}

const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 300);

/** Translates a body-parser error (they carry `type` and `status`) into an HttpException. */
export function bodyParserError(err: unknown, bodyLimit: number): unknown {
  if (err instanceof HttpException || !err || typeof err !== 'object') return err;
  const e = err as { type?: string; status?: number; message?: string };
  switch (e.type) {
    case 'entity.too.large':
      return new PayloadTooLargeException(`request body exceeds the limit of ${bodyLimit} bytes`);
    case 'entity.parse.failed':
      return new BadRequestException(`malformed JSON body: ${oneLine(err)}`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeException(oneLine(err));
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new BadRequestException(oneLine(err));
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return new HttpException(oneLine(err), e.status);
  return err;
}
