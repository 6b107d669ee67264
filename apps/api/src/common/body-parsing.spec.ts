import { PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { refuseAnnouncedOversize } from './body-parsing';

describe('refuseAnnouncedOversize', () => {
  const run = (contentLength: string | undefined) => {
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response;
    let passed: unknown = 'not called';
    const next: NextFunction = (err?: unknown) => (passed = err);
    const req = {
      headers: contentLength === undefined ? {} : { 'content-length': contentLength },
    } as Request;
    refuseAnnouncedOversize(1000)(req, res, next);
    return { passed, headers };
  };

  it('refuses a Content-Length over the limit at once (413) and closes the connection', () => {
    const { passed, headers } = run('1001');
    expect(passed).toBeInstanceOf(PayloadTooLargeException);
    expect((passed as Error).message).toMatch(
      /1001 bytes \(Content-Length\) exceeds the limit of 1000 bytes/,
    );
    expect(headers.Connection).toBe('close');
    expect(run('99999999999999999999999').passed).toBeInstanceOf(PayloadTooLargeException);
  });

  it('lets through a length within the limit, no length, or a malformed one (the parser judges those)', () => {
    for (const v of ['1000', '0', undefined, 'abc', '-5']) expect(run(v).passed).toBeUndefined();
  });
});
