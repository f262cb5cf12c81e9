import type { Command } from 'commander';
import type { DiziConfig } from '@dizi/config';
import { Billing, PlanView, totalsText } from '@dizi/billing';
import { DiziError } from '@dizi/errors';
import { createLogger } from '@dizi/logging';
import { Database, DirectoryRepository, UsageRepository } from '@dizi/store';

/** What the usage and plan commands need from main.ts. */
export interface UsageCommandContext {
  config: DiziConfig;
  open: () => Promise<Database>;
}

interface PeriodOptions {
  from: string;
  to: string;
  format?: string;
  user?: string;
  domain?: string;
}

/**
 * `dizi usage export|totals` and `dizi plan add|list|show|assign|unassign` (H16). They
 * read the database directly, so they work with or without a server up; records a
 * running server still holds in its buffer (at most usage.flushIntervalMs old) are not
 * in them yet.
 */
export function registerUsageCommands(program: Command, ctx: UsageCommandContext): void {
  const billing = async () => {
    const db = await ctx.open();
    return new Billing(
      new UsageRepository(db),
      new DirectoryRepository(db),
      ctx.config.usage,
      createLogger('silent'),
    );
  };

  const usage = program.command('usage').description('usage records and billing totals');
  const period = (c: Command) =>
    c
      .requiredOption('--from <date>', 'first day (YYYY-MM-DD) or an ISO 8601 time with a zone')
      .requiredOption('--to <date>', 'last day (included) or an ISO 8601 time (excluded)')
      .option('--format <format>', 'csv or json', 'csv')
      .option('--user <address>', 'only this user')
      .option('--domain <name>', 'only this domain');

  period(usage.command('export'))
    .description('the raw usage records of a period, to stdout')
    .action(async (o: PeriodOptions) => {
      const exp = await (await billing()).prepareExport(o, 'csv');
      await exp.write(writeStdout);
    });

  period(usage.command('totals'))
    .description('rated totals of a period per user or per domain, to stdout')
    .option('--by <what>', 'user or domain', 'user')
    .action(async (o: PeriodOptions & { by: string }) => {
      if (o.format !== 'csv' && o.format !== 'json')
        throw new DiziError('invalid', `--format must be csv or json, not "${o.format}"`, 'format');
      const report = await (await billing()).totals(o);
      for (const chunk of totalsText(report, o.format)) await writeStdout(chunk);
    });

  const plan = program.command('plan').description('rating plans (prices) and who pays which');
  plan
    .command('add <name>')
    .description('create a plan, or change the prices given of an existing one')
    .option('--currency <code>', 'ISO 4217 code (default CNY)')
    .option('--sms <price>', 'per SMS segment')
    .option('--mms <price>', 'per MMS')
    .option('--alert <price>', 'per arrival alert')
    .option('--storage <price>', 'per MB of storage per day')
    .option('--traffic <price>', 'per MB of mail received or sent')
    .option('--fee <price>', 'per user per period')
    .option('--period <period>', 'month or day: what --fee is charged per')
    .action(
      async (
        name: string,
        o: {
          currency?: string;
          sms?: string;
          mms?: string;
          alert?: string;
          storage?: string;
          traffic?: string;
          fee?: string;
          period?: string;
        },
      ) => {
        const r = await (
          await billing()
        ).plans.save(name, {
          currency: o.currency,
          smsSegment: o.sms,
          mms: o.mms,
          alert: o.alert,
          storageMbDay: o.storage,
          trafficMb: o.traffic,
          periodFee: o.fee,
          period: o.period,
        });
        console.log(
          `plan ${r.plan.name} ${r.created ? 'added' : 'changed'}: ${describePlan(r.plan)}`,
        );
      },
    );
  plan.command('list').action(async () => {
    const list = await (await billing()).plans.list();
    if (!list.length) console.log('no plans yet (dizi plan add NAME --sms 0.10 ...)');
    for (const p of list) {
      const who = [...p.domains, ...p.users].join(', ');
      console.log(`${p.name}\t${describePlan(p)}${who ? `\tfor ${who}` : ''}`);
    }
  });
  plan.command('show <name>').action(async (name: string) => {
    console.log(JSON.stringify(await (await billing()).plans.get(name), null, 2));
  });
  const target = (c: Command) =>
    c.option('--domain <name>', "the domain's users").option('--user <address>', 'one user');
  const oneTarget = (o: { domain?: string; user?: string }) => {
    if (!o.domain === !o.user)
      throw new DiziError(
        'invalid',
        'give either --domain or --user',
        o.domain ? 'user' : 'domain',
      );
  };
  target(plan.command('assign <plan>'))
    .description("give a domain's users, or one user, this plan")
    .action(async (name: string, o: { domain?: string; user?: string }) => {
      oneTarget(o);
      const b = await billing();
      if (o.domain) await b.plans.assignDomain(o.domain, name);
      else await b.plans.assignUser(o.user!, name);
      console.log(`plan ${name} assigned to ${o.domain ?? o.user}`);
    });
  target(plan.command('unassign'))
    .description("remove a domain's plan, or a user's own plan")
    .action(async (o: { domain?: string; user?: string }) => {
      oneTarget(o);
      const b = await billing();
      if (o.domain) await b.plans.assignDomain(o.domain, null);
      else await b.plans.assignUser(o.user!, null);
      console.log(`plan of ${o.domain ?? o.user} removed`);
    });
}

function describePlan(p: PlanView): string {
  return (
    `${p.currency}: sms ${p.smsSegment}/segment, mms ${p.mms}, alert ${p.alert}, ` +
    `storage ${p.storageMbDay}/MB-day, traffic ${p.trafficMb}/MB, fee ${p.periodFee}/${p.period}`
  );
}

/** Writes to stdout, waiting while a pipe is full (an export can be large). */
function writeStdout(chunk: string): Promise<void> {
  if (!chunk) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    process.stdout.once('error', onError);
    const done = () => {
      process.stdout.off('error', onError);
      resolve();
    };
    if (process.stdout.write(chunk)) done();
    else process.stdout.once('drain', done);
  });
}
