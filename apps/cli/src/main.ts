import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import path from 'node:path';
import { ConfigError, loadConfig } from '@dizi/config';
import type { ConnectionOptions } from 'bullmq';
import { createLogger } from '@dizi/logging';
import { redisOptions } from '@dizi/queue';
import { SmsService } from '@dizi/sms';
import { DirectoryService } from '@dizi/directory';
import { DiziError } from '@dizi/errors';
import { QueueAdmin } from '@dizi/admin';
import {
  alertHistory,
  AlertRuleBook,
  AlertRuleView,
  DomainAlertSettings,
  PhoneBindings,
} from '@dizi/notify';
import {
  Database,
  DirectoryRepository,
  FsBlobStore,
  NotifyRepository,
  openDataSource,
  OutboundQueueRepository,
  SMS_COMMANDS,
  SmsRepository,
} from '@dizi/store';
import { registerLinkCommands } from './link-commands';
import { RetryThroughRedis } from './retry-through-redis';
import { serverRedisUrl } from './server-redis';
import { registerReminderCommands } from './reminder-commands';
import { registerContactCommands } from './contact-commands';
import { registerUsageCommands } from './usage-commands';

/**
 * `dizi`: the admin command. It works on the same database and data folder as the
 * server (same environment variables / DIZI_CONFIG), so it runs with or without a
 * server up; a queue retry is also handed to a running server's scheduler.
 */
async function main(argv: string[]): Promise<void> {
  const config = loadConfig();
  let db: Database | null = null;
  const open = async () => {
    db ??= new Database(
      await openDataSource({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
    );
    return db;
  };
  const blobs = new FsBlobStore(path.join(config.dataDir, 'blobs'));
  const directory = async () =>
    new DirectoryService(
      new DirectoryRepository(await open()),
      { userQuotaMb: config.quota.defaultUserQuotaMb },
      async (ids) => {
        for (const id of ids) await blobs.delete(id);
      },
    );
  const print = (rows: string[]) => rows.forEach((r) => console.log(r));

  const program = new Command('dizi').description('Dizi admin command').exitOverride();

  const domain = program.command('domain').description('hosted mail domains');
  domain.command('add <name>').action(async (name: string) => {
    const d = await (await directory()).addDomain(name);
    console.log(`domain ${d.name} added`);
  });
  domain
    .command('list')
    .action(async () => print((await (await directory()).listDomains()).map((d) => d.name)));
  domain
    .command('set <name>')
    .description("a domain's switches, limits, SMS account commands and alert text")
    .option('--imap <on|off>', 'IMAP access for every user of the domain')
    .option('--pop3 <on|off>', 'POP3 access for every user of the domain')
    .option('--quota <mb>', "total space, shared out as users' quotas (0 = unlimited)")
    .option('--max-users <n>', 'most users the domain may have (0 = unlimited)')
    .option('--sms-register <open|closed>', 'may an unbound phone register a mailbox by SMS')
    .option(
      '--sms-commands <list>',
      'SMS commands allowed: comma list of register,password,cancel,unread; all; none',
    )
    .option('--sms-number <number|none>', 'service number (+ extension) whose SMS register here')
    .option(
      '--alert-template <text>',
      "alert SMS text with {from} {time} {subject} {body}; '' for notify.alertTemplate",
    )
    .option('--alert-segments <n>', "SMS segments an alert may use, 1-5; '' for the default")
    .action(
      async (
        name: string,
        o: {
          imap?: string;
          pop3?: string;
          quota?: string;
          maxUsers?: string;
          smsRegister?: string;
          smsCommands?: string;
          smsNumber?: string;
          alertTemplate?: string;
          alertSegments?: string;
        },
      ) => {
        const alerts = o.alertTemplate !== undefined || o.alertSegments !== undefined;
        const others = Object.entries(o).some(
          ([k, v]) => v !== undefined && k !== 'alertTemplate' && k !== 'alertSegments',
        );
        if (others || !alerts) {
          const dir = await directory();
          if (o.quota !== undefined || o.maxUsers !== undefined)
            await dir.setDomainLimits(name, {
              quotaMb: o.quota === undefined ? undefined : parseWhole(o.quota, '--quota'),
              maxUsers:
                o.maxUsers === undefined ? undefined : parseWhole(o.maxUsers, '--max-users'),
            });
          await dir.setDomainSms(name, {
            register: o.smsRegister,
            commands: smsCommandList(o.smsCommands),
            number:
              o.smsNumber === undefined ? undefined : o.smsNumber === 'none' ? null : o.smsNumber,
          });
          const d = await dir.setDomainAccess(name, {
            imap: onOff(o.imap, '--imap'),
            pop3: onOff(o.pop3, '--pop3'),
          });
          console.log(
            `${d.name}: imap ${d.imapEnabled ? 'on' : 'off'}, pop3 ${d.pop3Enabled ? 'on' : 'off'}, ` +
              `total space ${d.quotaBytes ? `${Math.round(d.quotaBytes / 1048576)} MB` : 'unlimited'}, ` +
              `users ${d.maxUsers ? `at most ${d.maxUsers}` : 'unlimited'}, ` +
              `sms register ${d.smsRegister}, sms commands ${d.smsCommands || 'none'}, ` +
              `sms number ${d.smsNumber ?? 'none'}`,
          );
        }
        if (!alerts) return;
        const db = await open();
        const v = await new DomainAlertSettings(
          new NotifyRepository(db),
          new DirectoryRepository(db),
          { template: config.notify.alertTemplate, segments: config.notify.alertSegments },
        ).set(name, {
          template: o.alertTemplate === undefined ? undefined : o.alertTemplate || null,
          segments:
            o.alertSegments === undefined
              ? undefined
              : o.alertSegments === ''
                ? null
                : parseWhole(o.alertSegments, '--alert-segments'),
        });
        console.log(
          `${v.domain}: alert template ${v.template === null ? `(default) ${v.effective.template}` : v.template}, ` +
            `${v.effective.segments} segment(s)${v.segments === null ? ' (default)' : ''}`,
        );
      },
    );
  domain.command('remove <name>').action(async (name: string) => {
    await (await directory()).removeDomain(name);
    console.log(`domain ${name} removed`);
  });

  const user = program.command('user').description('mail users');
  user
    .command('add <address>')
    .requiredOption('--password <password>', 'at least 8 characters')
    .option('--quota <mb>', 'quota in MB (0 = unlimited)')
    .option('--role <role>', 'user | domain-admin | admin', 'user')
    .option('--name <name>', 'display name')
    .action(
      async (
        address: string,
        o: { password: string; quota?: string; role: string; name?: string },
      ) => {
        const quotaMb = o.quota === undefined ? undefined : parseWhole(o.quota, '--quota');
        if (!['user', 'domain-admin', 'admin'].includes(o.role)) {
          throw new DiziError('invalid', '--role must be user, domain-admin or admin', 'role');
        }
        const u = await (
          await directory()
        ).addUser({
          address,
          password: o.password,
          quotaMb,
          role: o.role as 'user' | 'domain-admin' | 'admin',
          displayName: o.name,
        });
        console.log(
          `user ${u.address} added (quota ${u.quotaBytes ? `${u.quotaBytes / 1048576} MB` : 'unlimited'})`,
        );
      },
    );
  user
    .command('list [domain]')
    .action(async (d?: string) =>
      print(
        (await (await directory()).listUsers(d)).map(
          (u) =>
            `${u.address}\t${u.role}\t${(u.usedBytes / 1048576).toFixed(1)}/${u.quotaBytes ? u.quotaBytes / 1048576 : '∞'} MB${u.enabled ? '' : '\tdisabled'}`,
        ),
      ),
    );
  user
    .command('disable <address>')
    .description('logins fail and mail is refused; the messages stay')
    .action(async (a: string) => {
      await (await directory()).setEnabled(a, false);
      console.log(`user ${a} disabled`);
    });
  user.command('enable <address>').action(async (a: string) => {
    await (await directory()).setEnabled(a, true);
    console.log(`user ${a} enabled`);
  });
  user.command('remove <address>').action(async (a: string) => {
    await (await directory()).removeUser(a);
    console.log(`user ${a} removed`);
  });
  user
    .command('passwd <address>')
    .requiredOption('--password <password>', 'the new password')
    .action(async (a: string, o: { password: string }) => {
      await (await directory()).setPassword(a, o.password);
      console.log(`password of ${a} changed`);
    });
  user.command('quota <address> <mb>').action(async (a: string, mb: string) => {
    await (await directory()).setQuota(a, parseWhole(mb, 'mb'));
    console.log(`quota of ${a} set to ${mb} MB`);
  });

  const alias = program.command('alias').description('alias addresses');
  alias.command('add <address> <targets...>').action(async (a: string, t: string[]) => {
    await (await directory()).addAlias(a, t);
    console.log(`alias ${a} -> ${t.join(', ')}`);
  });
  alias
    .command('list')
    .action(async () =>
      print(
        (await (await directory()).listAliases()).map(
          (x) => `${x.address}\t${x.targets.join(', ')}`,
        ),
      ),
    );
  alias.command('remove <address>').action(async (a: string) => {
    await (await directory()).removeAlias(a);
    console.log(`alias ${a} removed`);
  });

  const group = program.command('group').description('groups and mailing lists');
  group
    .command('add <address>')
    .option('--name <name>', 'display name')
    .option(
      '--post <policy>',
      'who may post: anyone | domain | local | authenticated | members | sender',
      'anyone',
    )
    .option('--sender <address>', 'the one allowed sender, with --post sender')
    .action(async (a: string, o: { name?: string; post: string; sender?: string }) => {
      const g = await (
        await directory()
      ).addGroup(a, { name: o.name, postPolicy: o.post, allowedSender: o.sender });
      console.log(`group ${g.address} added (post: ${g.postPolicy})`);
    });
  group
    .command('list')
    .action(async () =>
      print(
        (await (await directory()).listGroups()).map(
          (g) => `${g.address}\t${g.postPolicy}\t${g.members.join(', ')}`,
        ),
      ),
    );
  group.command('remove <address>').action(async (a: string) => {
    await (await directory()).removeGroup(a);
    console.log(`group ${a} removed`);
  });
  const member = group.command('member').description('group members');
  member.command('add <group> <member>').action(async (g: string, m: string) => {
    await (await directory()).addGroupMember(g, m);
    console.log(`${m} added to ${g}`);
  });
  member.command('remove <group> <member>').action(async (g: string, m: string) => {
    await (await directory()).removeGroupMember(g, m);
    console.log(`${m} removed from ${g}`);
  });

  const queue = program.command('queue').description('the outbound queue');
  const queueAdmin = async (withScheduler: boolean) => {
    const repo = new OutboundQueueRepository(await open());
    return new QueueAdmin(repo, blobs, withScheduler ? new RetryThroughRedis(config, repo) : null);
  };
  queue.command('list').action(async () => {
    const items = await (await queueAdmin(false)).list();
    if (!items.length) console.log('the queue is empty');
    for (const i of items) {
      console.log(`${i.id}\t${i.createdAt}\t${i.size} bytes\tfrom ${i.sender}`);
      for (const r of i.recipients) {
        console.log(
          `\t${r.recipient}\t${r.status}\ttries ${r.attempts}\tnext ${r.nextAttemptAt}${r.lastError ? `\t${r.lastError}` : ''}`,
        );
      }
    }
  });
  queue.command('retry <id>').action(async (id: string) => {
    const n = await (await queueAdmin(true)).retry(id);
    console.log(`${n} recipient(s) of ${id} will be tried now`);
  });
  queue.command('remove <id>').action(async (id: string) => {
    await (await queueAdmin(false)).remove(id);
    console.log(`${id} removed from the queue`);
  });

  const sms = program.command('sms').description('SMS through the configured links');
  // The SMS service of the CLI: rows in SQL, jobs in the running server's Redis (when
  // there is none, the server's start-up reconcile queues the rows).
  const withSmsService = async <T>(
    work: (service: SmsService, serverRunning: boolean) => Promise<T>,
  ): Promise<T> => {
    const url = serverRedisUrl(config);
    const service = new SmsService(
      new SmsRepository(await open()),
      {
        ...redisOptions(url ?? 'redis://127.0.0.1:1'),
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
        lazyConnect: false,
      } as ConnectionOptions,
      createLogger('silent'),
    );
    try {
      return await work(service, Boolean(url));
    } finally {
      await service.close().catch(() => undefined);
    }
  };
  sms
    .command('send <text>')
    .requiredOption('--to <number>', 'destination number, e.g. 13800138000')
    .option('--at <time>', 'send at this time (ISO 8601) instead of now')
    .action(async (text: string, o: { to: string; at?: string }) =>
      withSmsService(async (service, running) => {
        const v = await service.send({
          to: o.to,
          text,
          at: o.at ? new Date(o.at) : undefined,
          purpose: 'cli',
        });
        console.log(`SMS ${v.id} queued for ${v.to}${v.sendAt ? ` at ${v.sendAt}` : ''}`);
        if (!running) console.log('the server is not running here; it will send it when it starts');
      }),
    );
  sms
    .command('cancel <id>')
    .description('call off a scheduled SMS that has not been sent yet')
    .action(async (id: string) =>
      withSmsService(async (service) => {
        await service.cancel(id);
        console.log(`SMS ${id} cancelled`);
      }),
    );
  sms.command('status <id>').action(async (id: string) => {
    const row = await new SmsRepository(await open()).get(id);
    if (!row) throw new DiziError('not-found', `no SMS ${id}`, 'id');
    console.log(
      `${row.id}\t${row.direction}\t${row.toNumber}\t${row.status}${row.linkId ? `\tvia ${row.linkId}` : ''}${row.error ? `\t${row.error}` : ''}`,
    );
  });

  // Admin bindings need no code, so the CLI works without SMS (and without a server).
  const phones = async () => {
    const d = await open();
    return new PhoneBindings(
      new NotifyRepository(d),
      new DirectoryRepository(d),
      null,
      config.notify,
      createLogger('silent'),
    );
  };
  const phone = program.command('phone').description("users' mobile numbers (alerts, SMS)");
  phone
    .command('bind <user> <number>')
    .description('bind a number to a user, confirmed at once (no code)')
    .action(async (u: string, n: string) => {
      const p = await (await phones()).bindByAdmin(u, n);
      console.log(`${p.number} bound to ${p.address}`);
    });
  phone.command('show <user>').action(async (u: string) => {
    const p = await (await phones()).get(u);
    console.log(`${p.address}\t${p.number}\t${p.confirmed ? 'confirmed' : 'waiting for the code'}`);
  });
  phone.command('unbind <user>').action(async (u: string) => {
    await (await phones()).unbind(u);
    console.log(`phone of ${u} unbound`);
  });

  const rules = async () => {
    const d = await open();
    return new AlertRuleBook(new NotifyRepository(d), new DirectoryRepository(d));
  };
  const collect = (v: string, prev: string[]) => [...prev, v];
  const alert = program.command('alert').description('mail-arrival SMS alert rules');
  alert
    .command('add <user>')
    .description('alert on mail matching every option given (none: every mail)')
    .option('--from <address>', 'only from this address or @domain (repeatable)', collect, [])
    .option('--keyword <word>', 'only with this word in subject or body (repeatable)', collect, [])
    .option('--priority <level>', 'high: only high-priority mail')
    .option('--folder <name>', 'only mail filed into this folder')
    .option('--quiet <HH:MM-HH:MM>', 'no alerts in these hours')
    .option('--cap <n>', 'alerts a day at most')
    .action(
      async (
        u: string,
        o: {
          from: string[];
          keyword: string[];
          priority?: string;
          folder?: string;
          quiet?: string;
          cap?: string;
        },
      ) => {
        if (o.priority !== undefined && o.priority !== 'high' && o.priority !== 'any')
          throw new DiziError('invalid', '--priority takes high (or any)', 'priority');
        const r = await (
          await rules()
        ).add(u, {
          senders: o.from,
          keywords: o.keyword,
          highPriority: o.priority === 'high',
          folder: o.folder,
          quietHours: o.quiet,
          dailyCap: o.cap === undefined ? undefined : parseWhole(o.cap, '--cap'),
        });
        console.log(`alert rule ${r.id} added for ${r.address}: ${describeRule(r)}`);
      },
    );
  alert.command('list <user>').action(async (u: string) => {
    const list = await (await rules()).list(u);
    if (!list.length) console.log(`${u} has no alert rules`);
    for (const r of list) console.log(`${r.id}\t${r.enabled ? 'on' : 'off'}\t${describeRule(r)}`);
  });
  alert.command('remove <user> <id>').action(async (u: string, id: string) => {
    await (await rules()).remove(u, parseWhole(id, 'id'));
    console.log(`alert rule ${id} of ${u} removed`);
  });
  alert
    .command('history <user>')
    .description('alerts the user got (or that were held back), newest first, with their states')
    .option('--limit <n>', 'at most this many', '20')
    .action(async (u: string, o: { limit: string }) => {
      const d = await open();
      const list = await alertHistory(
        new NotifyRepository(d),
        new DirectoryRepository(d),
        u,
        parseWhole(o.limit, '--limit'),
      );
      if (!list.length) console.log(`${u} has no alerts`);
      for (const a of list) {
        const times = [
          `decided ${a.createdAt}`,
          a.queuedAt ? `queued ${a.queuedAt}` : '',
          a.submittedAt ? `submitted ${a.submittedAt}` : '',
          a.finishedAt ? `${a.state} ${a.finishedAt}` : '',
        ].filter(Boolean);
        console.log(
          `${a.id}\t${a.state}\t${a.phone}\t${a.smsId ?? '-'}\t${times.join(', ')}\t${a.text}${a.error ? `\t${a.error}` : ''}`,
        );
      }
    });

  registerContactCommands(program, open);
  registerUsageCommands(program, { config, open });
  registerLinkCommands(program, config, open);

  registerReminderCommands(program, { open, config, withSmsService });

  try {
    await program.parseAsync(argv);
  } finally {
    await (db as Database | null)?.close();
  }
}

/** `--sms-commands`: a comma list, `all` or `none` (the service checks the words). */
function smsCommandList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  if (v.trim() === 'none') return [];
  if (v.trim() === 'all') return [...SMS_COMMANDS];
  return v.split(',');
}

function onOff(v: string | undefined, what: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'off') return v === 'on';
  throw new DiziError('invalid', `${what} takes on or off`, what);
}

function describeRule(r: AlertRuleView): string {
  const parts = [
    r.senders.length ? `from ${r.senders.join(', ')}` : 'any sender',
    r.keywords.length ? `keywords ${r.keywords.join(', ')}` : '',
    r.highPriority ? 'high priority only' : '',
    r.folder ? `folder ${r.folder}` : '',
    r.quietHours ? `quiet ${r.quietHours}` : '',
    r.dailyCap !== null ? `cap ${r.dailyCap}/day` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

function parseWhole(s: string, what: string): number {
  if (!/^\d+$/.test(s)) throw new DiziError('invalid', `${what} must be a whole number`, what);
  return Number(s);
}

main(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  if (err instanceof DiziError || err instanceof ConfigError) {
    console.error(`dizi: ${err.message}`);
    process.exit(err instanceof DiziError && err.code === 'not-found' ? 3 : 2);
  }
  console.error('dizi:', err);
  process.exit(1);
});
