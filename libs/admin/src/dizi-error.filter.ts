import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { DiziError } from '@dizi/errors';

/** Turns errors into JSON bodies `{ error, message, field? }` with the matching HTTP status. */
@Catch()
export class DiziErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DiziError) {
      res
        .status(exception.httpStatus)
        .json({ error: exception.code, message: exception.message, field: exception.field });
      return;
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      res
        .status(exception.getStatus())
        .json(typeof body === 'string' ? { error: 'http', message: body } : body);
      return;
    }
    res.status(500).json({ error: 'internal', message: 'internal error; see the server log' });
  }
}
