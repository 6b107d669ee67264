import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { mapError } from './error-mapping';

/**
 * The one exception filter: every error of every route (and of body parsing and unknown routes)
 * becomes a JSON error body through `mapError`. Internal errors are logged with their stack and
 * answered with a generic message; nothing about them (stack, SQL, URLs) reaches the client.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const { status, body, internal } = mapError(exception);
    if (internal) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`${req?.method ?? '?'} ${req?.originalUrl ?? req?.url ?? '?'} failed: ${detail}`);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(body);
  }
}
