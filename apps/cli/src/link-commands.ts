import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import Redis from 'ioredis';
import { DiziConfig } from '@dizi/config';
import { DiziError } from '@dizi/errors';
import { redisOptions } from '@dizi/queue';
import {
  LINKS_CHANGED_CHANNEL,
  LinkAdmin,
  LinkView,
  PublishedLinkHealth,
  readLinkHealth,
  SmsLinks,
} from '@dizi/sms';
import { Database, SmsLinkRepository } from '@dizi/store';
// The gateways the server is built with: the CLI validates a link with the very code
// the server runs it with.
import { SMS_GATEWAYS } from '@dizi/sms-gateways';
import { serverRedisUrl } from './server-redis';

interface LinkFlags {
  json?: string;
  id?: string;
  kind?: string;
  version?: string;
  host?: string;
  port?: string;
  account?: string;
  secret?: string;
  serviceId?: string;
  srcId?: string;
  window?: string;
  tps?: string;
  prefixes?: string;
  priority?: string;
  set: string[];
  unset: string[];
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** The flags shared by `link add` and `link set`: the common fields, `--set`, `--json`. */
function linkOptions(c: Command): Command {
  return c
    .option(
      '--json <object|@file>',
      'the whole link as JSON (or @path of a JSON file); flags override it',
    )
    .option('--kind <kind>', 'cmpp, sgip, smgp, smpp, modem, modem-pool, http-sms')
    .option('--version <version>', 'protocol version, e.g. 3.0 for CMPP')
    .option('--host <host>')
    .option('--port <port>')
    .option('--account <account>')
    .option(
      '--secret <secret>',
      'shared secret or password (prefer --json @file: flags show in ps)',
    )
    .option('--service-id <id>')
    .option('--src-id <number>')
    .option('--window <n>', 'requests in flight at most')
    .option('--tps <n>', 'segments per second at most')
    .option('--prefixes <list>', 'comma-separated number prefixes ("" = any number)')
    .option('--priority <n>', 'lower is preferred')
    .option(
      '--set <field=value>',
      'any other field; the value is read as JSON when it parses (repeatable)',
      collect,
      [],
    )
    .option(
      '--unset <field>',
      'remove a field so its default applies (link set only; repeatable)',
      collect,
      [],
    );
}

/** Numbers stay text when they are not whole numbers, so the kind's validator names the field. */
function whole(v: string): number | string {
  return /^\d+$/.test(v) ? Number(v) : v;
}

function fromFlags(o: LinkFlags): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (o.json !== undefined) {
    const text = o.json.startsWith('@') ? readFileSync(o.json.slice(1), 'utf8') : o.json;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new DiziError('invalid', `--json is not JSON: ${(err as Error).message}`, 'json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new DiziError('invalid', '--json must be a JSON object', 'json');
    base = parsed as Record<string, unknown>;
  }
  const out: Record<string, unknown> = { ...base };
  const text = { id: o.id, kind: o.kind, version: o.version, host: o.host, account: o.account };
  for (const [k, v] of Object.entries(text)) if (v !== undefined) out[k] = v;
  if (o.secret !== undefined) out.secret = o.secret;
  if (o.serviceId !== undefined) out.serviceId = o.serviceId;
  if (o.srcId !== undefined) out.srcId = o.srcId;
  for (const k of ['port', 'window', 'tps', 'priority'] as const)
    if (o[k] !== undefined) out[k] = whole(o[k]);
  if (o.prefixes !== undefined)
    out.prefixes = o.prefixes
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
  for (const pair of o.set) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new DiziError('invalid', `--set takes field=value, got "${pair}"`, 'set');
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // plain text
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}

function healthLine(v: LinkView): string {
  const parts = [v.id, v.kind || '-', v.state];
  if (v.windowSize !== undefined)
    parts.push(
      `window ${v.windowInUse}/${v.windowSize}`,
      `${(v.ratePerSec ?? 0).toFixed(1)}/${v.tps} per s`,
      `errors ${v.errors}`,
    );
  parts.push(`source ${v.source}`);
  if (v.lastError) parts.push(v.lastError);
  if (v.problem) parts.push(v.problem);
  if (v.note) parts.push(v.note);
  return parts.join('\t');
}

/**
 * `dizi link …`: the SMS links of both sources. Changes go to SQL (validated by the
 * server's gateway code) and are announced on the server's Redis when it is reachable;
 * otherwise the worker nodes see them at their next re-read or start.
 */
export function registerLinkCommands(
  program: Command,
  config: DiziConfig,
  open: () => Promise<Database>,
): void {
  const withAdmin = async <T>(fn: (admin: LinkAdmin) => Promise<T>) => {
    const url = serverRedisUrl(config);
    let redis: Redis | null = null;
    if (url) {
      redis = new Redis({
        ...redisOptions(url),
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
    }
    const admin = new LinkAdmin({
      registry: SmsLinks.registry(SMS_GATEWAYS),
      configLinks: config.links,
      store: new SmsLinkRepository(await open()),
      announce: async (id) => {
        if (!redis) throw new Error('no server Redis');
        await redis.publish(LINKS_CHANGED_CHANNEL, id);
      },
      health: async (): Promise<PublishedLinkHealth[]> =>
        redis ? readLinkHealth(redis).catch(() => []) : [],
      onAnnounceFailed: () =>
        console.log(
          `no running server was told; worker nodes apply it within sms.linkReloadSeconds (${config.sms.linkReloadSeconds} s) or at their start`,
        ),
    });
    try {
      return await fn(admin);
    } finally {
      redis?.disconnect();
    }
  };

  const link = program.command('link').description('SMS links (config file and admin API)');
  link
    .command('list')
    .description('every link, from the config file and added here, with its state')
    .action(() =>
      withAdmin(async (admin) => {
        const views = await admin.list();
        if (!views.length)
          console.log(
            'no links configured (see `links:` in docs/configuration.md, or `dizi link add`)',
          );
        for (const v of views) console.log(healthLine(v));
      }),
    );
  link
    .command('show <id>')
    .description('one link: its state and its settings (secrets masked)')
    .action((id: string) =>
      withAdmin(async (admin) => {
        const v = await admin.get(id);
        console.log(healthLine(v));
        console.log(JSON.stringify(v.settings, null, 2));
      }),
    );
  linkOptions(
    link
      .command('add')
      .description('add a link; running servers start it without a restart')
      .option('--id <id>', 'letters, digits, "_", "." or "-"'),
  ).action((o: LinkFlags) =>
    withAdmin(async (admin) => {
      if (o.unset.length) throw new DiziError('invalid', '--unset is for dizi link set', 'unset');
      const v = await admin.add(fromFlags(o));
      console.log(`link ${v.id} (${v.kind}) added`);
    }),
  );
  linkOptions(
    link.command('set <id>').description('change fields of a link added through the admin API'),
  ).action((id: string, o: LinkFlags) =>
    withAdmin(async (admin) => {
      const patch: Record<string, unknown> = fromFlags(o);
      for (const f of o.unset) patch[f] = null;
      const v = await admin.patch(id, patch);
      console.log(`link ${v.id} changed (revision ${v.revision})`);
    }),
  );
  link
    .command('remove <id>')
    .description('remove a link; it finishes what it has under way, then stops')
    .action((id: string) =>
      withAdmin(async (admin) => {
        await admin.remove(id);
        console.log(`link ${id} removed`);
      }),
    );
  for (const on of [true, false])
    link
      .command(`${on ? 'enable' : 'disable'} <id>`)
      .description(on ? 'run a disabled link again' : 'stop a link but keep its settings')
      .action((id: string) =>
        withAdmin(async (admin) => {
          await admin.setEnabled(id, on);
          console.log(`link ${id} ${on ? 'enabled' : 'disabled'}`);
        }),
      );
}
