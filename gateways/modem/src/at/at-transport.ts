import { SerialPort } from 'serialport';

/** A byte stream to a modem: a serial port in production, anything in unit tests. */
export interface AtTransport {
  write(data: string | Buffer): void;
  /** Registers the receivers; called once, right after opening. */
  attach(handlers: { data: (chunk: Buffer) => void; closed: (error?: Error) => void }): void;
  close(): Promise<void>;
}

export type AtTransportFactory = () => Promise<AtTransport>;

/** Opens a serial port (a real modem's tty, or a pty for the simulator). */
export function serialTransport(path: string, baudRate: number): AtTransportFactory {
  return () =>
    new Promise<AtTransport>((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((error) => {
        if (error) {
          reject(error);
          return;
        }
        let closedHandler: ((error?: Error) => void) | null = null;
        let reported = false;
        const report = (e?: Error) => {
          if (reported) return;
          reported = true;
          closedHandler?.(e);
        };
        port.on('error', (e: Error) => report(e));
        port.on('close', () => report());
        resolve({
          write: (data) => {
            port.write(data, (e) => e && report(e));
          },
          attach: (handlers) => {
            closedHandler = handlers.closed;
            port.on('data', handlers.data);
          },
          close: () =>
            new Promise<void>((done) => {
              if (!port.isOpen) {
                done();
                return;
              }
              port.close(() => done());
            }),
        });
      });
    });
}
