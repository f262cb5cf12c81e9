import { SMTPConnection } from 'smtp-server/lib/smtp-connection';

/** The SMTPServer option (Dizi's own) that sets the pause before the `220` greeting. */
export const GREETING_DELAY_OPTION = 'diziGreetingDelayMs';

let installed = false;

/**
 * smtp-server waits a fixed 100 ms after every connect before it greets, to catch
 * clients that talk before the greeting. For a client that opens a connection per
 * message (an application server, a relay, Postfix's smtp-source) that pause is most of
 * the time a message takes, and it caps a session at under 10 messages a second.
 * Postfix's smtpd greets at once (its pre-greet test is postscreen's, off by default).
 * This makes the pause the listener's `smtp.greetingDelayMs` (default 0); a client
 * that still talks first gets smtp-server's own "You talk too soon" refusal.
 */
export function installGreetingDelay(): void {
  if (installed) return;
  installed = true;
  interface Connection {
    _server: { options: Record<string, unknown>; connections: Set<unknown> };
    _setListeners?: (done: () => void) => void;
    connectionReady(): void;
    send(code: number, text: string, close?: boolean): void;
    name: string;
  }
  const proto = SMTPConnection.prototype as unknown as { init(this: Connection): void };
  const original = proto.init;
  proto.init = function (this: Connection) {
    const delay = this._server.options[GREETING_DELAY_OPTION];
    // Another version of smtp-server, or a server without the option: its own behaviour.
    if (typeof delay !== 'number' || typeof this._setListeners !== 'function')
      return original.call(this);
    this._setListeners(() => {
      const max = this._server.options.maxClients;
      if (typeof max === 'number' && max > 0 && this._server.connections.size > max) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`);
      }
      const timer = setTimeout(() => this.connectionReady(), delay);
      timer.unref();
    });
  };
}
