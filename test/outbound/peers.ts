/**
 * Loopback SMTP peers for the outbound delivery suite: a scripted smtp-server receiver,
 * Postfix's smtp-sink, a server that never greets, one whose STARTTLS is broken, and a
 * port nobody listens on.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerOptions,
  type SMTPServerSession,
} from 'smtp-server';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
}

/** A self-signed certificate for `localhost`, made with openssl into a temp dir. */
export function selfSignedCertificate(): TlsMaterial {
  const dir = mkdtempSync(path.join(tmpdir(), 'dizi-outbound-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
    ].concat(['-keyout', key, '-out', cert]),
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

export interface ReceivedMessage {
  from: string | false;
  to: string[];
  data: Buffer;
  /** MAIL FROM parameters, e.g. { SIZE: '123', BODY: '8BITMIME' }. */
  mailParams: Record<string, string>;
  secure: boolean;
  user: string | undefined;
}

export interface ScriptedReceiver {
  port: number;
  host: string;
  received: ReceivedMessage[];
  /** Sessions opened, including those that never sent a message. */
  connections: number;
  close(): Promise<void>;
}

export interface ScriptedReceiverOptions {
  host?: string;
  port?: number;
  tls?: TlsMaterial;
  /** TLS from the first byte (port 465 style) instead of STARTTLS; needs `tls`. */
  implicitTls?: boolean;
  /** Advertised SIZE limit. */
  size?: number;
  /** Accept AUTH with this user and password (and require it for relaying). */
  auth?: { user: string; pass: string };
  /** Reply to the connection itself, e.g. 421 to refuse every session. */
  greetingError?: { code: number; message: string };
  /** Reply to the end of DATA when set. */
  dataError?: { code: number; message: string };
}

/**
 * An smtp-server receiver whose answer depends on the recipient's local part:
 * `unknown*` gets 550 5.1.1, `busy*` gets 450 4.2.1, everything else 250.
 */
export async function startScriptedReceiver(
  options: ScriptedReceiverOptions = {},
): Promise<ScriptedReceiver> {
  const received: ReceivedMessage[] = [];
  const state = { connections: 0 };
  const serverOptions: SMTPServerOptions = {
    logger: false,
    banner: 'scripted test receiver',
    disabledCommands: [...(options.tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: false,
    size: options.size,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    secure: options.implicitTls === true,
    onConnect(_session, callback) {
      state.connections++;
      if (options.greetingError) {
        return callback(replyError(options.greetingError.code, options.greetingError.message));
      }
      callback();
    },
    onAuth(auth, _session, callback) {
      if (
        options.auth &&
        auth.username === options.auth.user &&
        auth.password === options.auth.pass
      ) {
        return callback(null, { user: auth.username });
      }
      callback(replyError(535, '5.7.8 authentication credentials invalid'));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const local = address.address.split('@')[0];
      if (local.startsWith('unknown')) {
        return callback(replyError(550, `5.1.1 <${address.address}>: no such user`));
      }
      if (local.startsWith('busy')) {
        return callback(replyError(450, `4.2.1 <${address.address}>: mailbox busy, try later`));
      }
      callback();
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.dataError) {
          return callback(replyError(options.dataError.code, options.dataError.message));
        }
        const mailFrom = session.envelope.mailFrom;
        received.push({
          from: mailFrom ? mailFrom.address : false,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          data: Buffer.concat(chunks),
          mailParams: mailFrom ? paramsOf(mailFrom) : {},
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  // Errors of single sessions (a client dropping the line) must not end the test process.
  server.on('error', () => undefined);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    host,
    received,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function paramsOf(address: SMTPServerAddress): Record<string, string> {
  // smtp-server types `args` loosely (false or an object of strings).
  const args: unknown = address.args;
  if (!args || typeof args !== 'object') return {};
  return Object.fromEntries(
    Object.entries(args as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
  );
}

function replyError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** A raw TCP server whose behaviour per connection is scripted; tracks connections. */
export async function startRawServer(
  host: string,
  port: number,
  onConnection: (socket: Socket) => void,
): Promise<{ port: number; connections: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts TCP connections and never says anything. */
export function startSilentServer(host = '127.0.0.1', port = 0) {
  return startRawServer(host, port, () => undefined);
}

export interface HandwrittenSmtpOptions {
  /**
   * Offer STARTTLS, answer 220 to it, then send bytes that are not TLS, so the client's
   * handshake fails. A session that never asks for STARTTLS is served in plain text.
   */
  brokenStartTls?: boolean;
  /** Never answer the end of DATA (a receiver that hangs mid-transaction). */
  stallAfterData?: boolean;
}

/** A minimal SMTP receiver written by hand, for misbehaviour smtp-server cannot produce. */
export function startHandwrittenSmtpServer(options: HandwrittenSmtpOptions, host = '127.0.0.1') {
  const messages: string[] = [];
  const server = startRawServer(host, 0, (socket) => {
    socket.write('220 handwritten test server ESMTP\r\n');
    let buffer = '';
    let inData = false;
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(data);
            if (!options.stallAfterData) socket.write('250 2.0.0 queued\r\n');
          } else {
            data += `${line}\r\n`;
          }
          continue;
        }
        const verb = line.split(' ')[0].toUpperCase();
        if (verb === 'EHLO') {
          socket.write(
            `250-handwritten\r\n250${options.brokenStartTls ? '-8BITMIME\r\n250 STARTTLS' : ' 8BITMIME'}\r\n`,
          );
        } else if (verb === 'STARTTLS' && options.brokenStartTls) {
          socket.write('220 2.0.0 go ahead\r\n');
          socket.end('this is not a TLS server hello\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          data = '';
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 2.0.0 ok\r\n');
      }
    });
  });
  return server.then((raw) => Object.assign(raw, { messages }));
}

/** A loopback port that nothing listens on (bound by the OS, then released). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SmtpSink {
  port: number;
  /** The dump files written so far, one per mail transaction. */
  dumps(): string[];
  close(): Promise<void>;
}

export const SMTP_SINK = '/usr/sbin/smtp-sink';

/** Postfix's smtp-sink on loopback, dumping each transaction into a temp dir. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dizi-smtp-sink-'));
  // smtp-sink drops to `nobody` after binding; it must still be able to write its dumps.
  chmodSync(dir, 0o777);
  const port = await closedPort();
  const child: ChildProcess = spawn(
    SMTP_SINK,
    ['-u', 'nobody', '-d', `${dir}/%H%M%S.`, `127.0.0.1:${port}`, '128'],
    { stdio: 'ignore' },
  );
  await waitForPort(port, child);
  return {
    port,
    dumps: () =>
      existsSync(dir)
        ? readdirSync(dir).map((name) => readFileSync(path.join(dir, name), 'latin1'))
        : [],
    close: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`smtp-sink exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`smtp-sink did not listen on 127.0.0.1:${port}`);
}
