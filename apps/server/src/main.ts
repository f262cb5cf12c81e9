import './threadpool';
import 'reflect-metadata';
import { QueueAdmin, startAdminHttp } from '@dizi/admin';
import { ConfigError, loadConfig } from '@dizi/config';
import { createLogger } from '@dizi/logging';
import { RedisUnavailableError } from '@dizi/queue';
import { DiziRuntime } from './runtime';

/** How long a stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 30_000;

/** `node dist/apps/server/src/main.js`: one Dizi process with the roles from DIZI_ROLES. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`dizi: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.log.level, { service: 'dizi', roles: config.roles.join(',') });
  let runtime: DiziRuntime;
  try {
    runtime = await DiziRuntime.start(config, log, (s) =>
      startAdminHttp(
        {
          directory: s.directory,
          queue: new QueueAdmin(s.outboundRepo, s.blobs, s.outbound),
          auth: { token: config.http.adminToken },
          sms: s.sms,
          smsLinks: s.smsLinks,
          linkAdmin: s.linkAdmin,
          notify: s.notify,
          billing: s.billing,
          log: log.child({ component: 'http' }),
        },
        config.http.port,
        config.http.listenHost,
      ),
    );
  } catch (err) {
    if (err instanceof RedisUnavailableError) {
      log.fatal(err.message);
    } else {
      log.fatal({ err }, 'Dizi could not start');
    }
    process.exit(1);
  }
  log.info(
    {
      data: config.dataDir,
      smtp: runtime.port('mx'),
      submission: runtime.port('submission'),
      smtps: runtime.port('smtps'),
      imap: runtime.port('imap'),
      imaps: runtime.port('imaps'),
      pop3: runtime.port('pop3'),
      pop3s: runtime.port('pop3s'),
      http: runtime.port('http'),
    },
    'Dizi is running',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second Ctrl-C: the operator does not want to wait. Nothing acknowledged is
      // lost: accepted mail is fsync'd in the spool and finished at the next start.
      log.warn({ signal }, 'second signal while stopping: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    // A stop that hangs (seen once when the private redis-server died of the same signal
    // a moment before us and was restarted mid-stop) must not keep the ports and the
    // data folder forever; the spool makes a hard exit safe.
    setTimeout(() => {
      log.error({ signal, afterMs: STOP_DEADLINE_MS }, 'stopping took too long: exiting now');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    runtime
      .stop()
      .then(() => process.exit(0))
      .catch((err: Error) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A bug in one connection must not take the server (and every other session) down.
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
}

void main();
