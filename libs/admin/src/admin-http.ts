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
  LINK_ADMIN,
  NOTIFY,
  QUEUE_ADMIN,
  SMS_LINKS,
  SMS_SERVICE,
} from './admin.tokens';
import { DomainAlertsController, NotifyController } from './notify.controller';
import { RemindersController } from './reminders.controller';
import { MobileMailController } from './mobile-mail.controller';
import type { Notify } from '@dizi/notify';
import { SmsController } from './sms.controller';
import { BILLING, UsageController } from './usage.controller';
import type { Billing } from '@dizi/billing';
import { LinksController } from './links.controller';
import type { LinkAdmin, SmsLinks, SmsService } from '@dizi/sms';
import { DiziErrorFilter } from './dizi-error.filter';
import { QueueAdmin } from './queue-admin';

export interface AdminHttpDeps {
  directory: DirectoryService;
  queue: QueueAdmin;
  auth: AdminAuthOptions;
  sms: SmsService;
  smsLinks: SmsLinks;
  /** SMS links of both sources; adds, changes and removes the API ones. */
  linkAdmin: LinkAdmin;
  /** Phones and alert rules; without it those routes are not served. */
  notify?: Notify;
  /** Usage records and plans; without it those routes are not served. */
  billing?: Billing;
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
      LinksController,
      ...(deps.notify
        ? [NotifyController, DomainAlertsController, RemindersController, MobileMailController]
        : []),
      ...(deps.billing ? [UsageController] : []),
    ],
    providers: [
      AdminAuthGuard,
      { provide: DIRECTORY_SERVICE, useValue: deps.directory },
      { provide: QUEUE_ADMIN, useValue: deps.queue },
      { provide: ADMIN_AUTH, useValue: deps.auth },
      { provide: SMS_SERVICE, useValue: deps.sms },
      { provide: SMS_LINKS, useValue: deps.smsLinks },
      { provide: LINK_ADMIN, useValue: deps.linkAdmin },
      ...(deps.notify ? [{ provide: NOTIFY, useValue: deps.notify }] : []),
      ...(deps.billing ? [{ provide: BILLING, useValue: deps.billing }] : []),
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
      .setDescription('Domains, users, aliases, groups, the outbound queue, SMS and SMS links.')
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
