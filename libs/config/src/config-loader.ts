import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DiziConfig } from './dizi-config';

/** Thrown when the configuration cannot be used; the message names the setting at fault. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Plain = Record<string, unknown>;

/**
 * Environment variables and the config path each one sets. This table is the reference
 * for docs/configuration.md; keep them in step.
 */
export const ENV_SETTINGS: Record<
  string,
  { path: string | string[]; kind: 'string' | 'int' | 'list' }
> = {
  DIZI_DATA: { path: 'dataDir', kind: 'string' },
  DIZI_HOSTNAME: { path: 'hostname', kind: 'string' },
  DATABASE_URL: { path: 'databaseUrl', kind: 'string' },
  REDIS_URL: { path: 'redisUrl', kind: 'string' },
  DIZI_ROLES: { path: 'roles', kind: 'list' },
  DIZI_TEMPLATES: { path: 'templatesDir', kind: 'string' },
  DIZI_LISTEN: {
    path: ['smtp.listenHost', 'imap.listenHost', 'pop3.listenHost', 'http.listenHost'],
    kind: 'string',
  },
  DIZI_SMTP_PORT: { path: 'smtp.port', kind: 'int' },
  DIZI_SUBMISSION_PORT: { path: 'smtp.submissionPort', kind: 'int' },
  DIZI_SMTPS_PORT: { path: 'smtp.smtpsPort', kind: 'int' },
  DIZI_IMAP_PORT: { path: 'imap.port', kind: 'int' },
  DIZI_IMAPS_PORT: { path: 'imap.tlsPort', kind: 'int' },
  DIZI_POP3_PORT: { path: 'pop3.port', kind: 'int' },
  DIZI_POP3S_PORT: { path: 'pop3.tlsPort', kind: 'int' },
  DIZI_HTTP_PORT: { path: 'http.port', kind: 'int' },
  DIZI_ADMIN_TOKEN: { path: 'http.adminToken', kind: 'string' },
  DIZI_TLS_CERT: { path: 'tls.certFile', kind: 'string' },
  DIZI_TLS_KEY: { path: 'tls.keyFile', kind: 'string' },
  DIZI_LOG_LEVEL: { path: 'log.level', kind: 'string' },
  DIZI_SMS_DOMAIN: { path: 'notify.smsDomain', kind: 'string' },
  DIZI_TIMEZONE: { path: 'notify.timeZone', kind: 'string' },
};

function setPath(target: Plain, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Plain;
  }
  node[keys[keys.length - 1]] = value;
}

/** Merges settings objects: nested objects key by key, anything else (arrays too) replaced. */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      b &&
      typeof b === 'object' &&
      !Array.isArray(b)
        ? deepMerge(b as Plain, v as Plain)
        : v;
  }
  return out;
}

function readConfigFile(file: string): Plain {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('the top level must be a mapping of settings');
    }
    return parsed as Plain;
  } catch (err) {
    throw new ConfigError(`the config file ${file} is not valid: ${(err as Error).message}`);
  }
}

function envOverrides(env: NodeJS.ProcessEnv): Plain {
  const out: Plain = {};
  for (const [name, { path: paths, kind }] of Object.entries(ENV_SETTINGS)) {
    const raw = env[name];
    if (raw === undefined || (raw === '' && kind !== 'string')) continue;
    for (const p of Array.isArray(paths) ? paths : [paths]) setEnvValue(out, name, p, kind, raw);
  }
  return out;
}

function setEnvValue(
  out: Plain,
  name: string,
  p: string,
  kind: 'string' | 'int' | 'list',
  raw: string,
): void {
  if (kind === 'int') {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name}=${raw} must be a whole number`);
    setPath(out, p, Number(raw));
  } else if (kind === 'list') {
    setPath(
      out,
      p,
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  } else {
    setPath(out, p, raw);
  }
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const where = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${where}: ${m}`);
    return [...own, ...flatten(e.children ?? [], where)];
  });
}

/**
 * Loads defaults < file named by DIZI_CONFIG (JSON or YAML) < environment, validates
 * the result and resolves the data folder to an absolute path.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Plain = {},
): DiziConfig {
  const fromFile = env.DIZI_CONFIG ? readConfigFile(env.DIZI_CONFIG) : {};
  const merged = deepMerge(deepMerge(fromFile, envOverrides(env)), overrides);
  const config = plainToInstance(DiziConfig, merged, { exposeDefaultValues: true });
  if (!merged.hostname && !env.DIZI_HOSTNAME) {
    const h = osHostname();
    config.hostname = /^[A-Za-z0-9.-]+$/.test(h) ? h : 'localhost';
  }
  const errors = validateSync(config, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    throw new ConfigError(`invalid configuration:\n  ${flatten(errors).join('\n  ')}`);
  }
  config.dataDir = path.resolve(config.dataDir);
  if (!config.notify.smsDomain) config.notify.smsDomain = `sms.${config.hostname}`;
  if (!config.notify.timeZone)
    config.notify.timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.notify.timeZone });
  } catch {
    throw new ConfigError(
      `invalid configuration:\n  notify.timeZone: ${config.notify.timeZone} is not an IANA time zone (e.g. Asia/Shanghai)`,
    );
  }
  if (!config.usage.timeZone) config.usage.timeZone = config.notify.timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: config.usage.timeZone });
  } catch {
    throw new ConfigError(
      `invalid configuration:\n  usage.timeZone: ${config.usage.timeZone} is not an IANA time zone (e.g. Asia/Shanghai)`,
    );
  }
  return config;
}
