import { BadRequestException, Module, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { json, urlencoded } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { DirectoryService } from '@dizi/directory';
import { AdminAuthGuard, AdminAuthOptions } from './admin-auth.guard';
import {
  AliasesController,
  DomainsController,
  GroupsController,
  QueueController,
  UsersController,
} from './admin.controllers';
import {
  ADMIN_AUTH,
  DIRECTORY_SERVICE,
  NOTIFY,
  QUEUE_ADMIN,
  SMS_LINKS,
  SMS_SERVICE,
} from './admin.tokens';
import { DomainAlertsController, NotifyController } from './notify.controller';
import type { Notify } from '@dizi/notify';
import { SmsController } from './sms.controller';
import type { SmsLinks, SmsService } from '@dizi/sms';
import { DiziErrorFilter } from './dizi-error.filter';
import { QueueAdmin } from './queue-admin';

export interface AdminHttpDeps {
  directory: DirectoryService;
  queue: QueueAdmin;
  auth: AdminAuthOptions;
  sms: SmsService;
  smsLinks: SmsLinks;
  /** Phones and alert rules; without it those routes are not served. */
  notify?: Notify;
  log: Logger;
}

function firstField(
  errors: ValidationError[],
  prefix = '',
): { field: string; message: string } | null {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const msg = Object.values(e.constraints ?? {})[0];
    if (msg) return { field, message: msg };
    const inner = firstField(e.children ?? [], field);
    if (inner) return inner;
  }
  return null;
}

/**
 * The HTTP side of the `web` role: the admin REST API under /api/admin, described by
 * OpenAPI at /api/docs (JSON at /api/docs-json). Bad payloads get 400 with the field.
 */
export async function startAdminHttp(
  deps: AdminHttpDeps,
  port: number,
  host: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  @Module({
    controllers: [
      DomainsController,
      UsersController,
      AliasesController,
      GroupsController,
      QueueController,
      SmsController,
      ...(deps.notify ? [NotifyController, DomainAlertsController] : []),
    ],
    providers: [
      AdminAuthGuard,
      { provide: DIRECTORY_SERVICE, useValue: deps.directory },
      { provide: QUEUE_ADMIN, useValue: deps.queue },
      { provide: ADMIN_AUTH, useValue: deps.auth },
      { provide: SMS_SERVICE, useValue: deps.sms },
      { provide: SMS_LINKS, useValue: deps.smsLinks },
      ...(deps.notify ? [{ provide: NOTIFY, useValue: deps.notify }] : []),
    ],
  })
  class AdminHttpModule {}

  // Body parsers are added by hand, after the SMS provider callbacks: those read the raw
  // request themselves (JSON, form or query string, as each provider sends them).
  const app = await NestFactory.create(AdminHttpModule, { logger: false, bodyParser: false });
  app.use(
    '/api/sms/callback',
    (req: IncomingMessage & { url: string }, res: ServerResponse, next: () => void) => {
      const [linkId, ...rest] = req.url.replace(/^\//, '').split('/');
      const handler = deps.smsLinks.httpCallback(decodeURIComponent(linkId ?? ''));
      if (!handler) return next();
      req.url = `/${rest.join('/')}`;
      handler(req, res);
    },
  );
  app.use(json({ limit: '1mb' }));
  app.use(urlencoded({ extended: false, limit: '1mb' }));
  app.useGlobalFilters(new DiziErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => {
        const first = firstField(errors) ?? { field: 'body', message: 'invalid payload' };
        return new BadRequestException({
          error: 'invalid',
          message: `${first.field}: ${first.message}`,
          field: first.field,
        });
      },
    }),
  );
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Dizi admin API')
      .setDescription('Domains, users, aliases, groups and the outbound queue.')
      .setVersion('0.1')
      .addBasicAuth()
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc);
  await app.listen(port, host);
  const addr = app.getHttpServer().address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  deps.log.info({ port: actual }, 'HTTP admin API ready');
  return { port: actual, close: () => app.close() };
}
