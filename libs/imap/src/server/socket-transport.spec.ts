import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket, connect } from 'node:net';
import { describe, it } from 'node:test';
import { SocketTransport } from './socket-transport';

async function socketPair(): Promise<{ server: Socket; client: Socket; close: () => void }> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const address = listener.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const accepted = once(listener, 'connection');
  const client = connect(address.port, '127.0.0.1');
  const [server] = (await accepted) as [Socket];
  return {
    server,
    client,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

describe('SocketTransport', () => {
  it('gathers small writes of one tick into one socket write', async () => {
    const { server, client, close } = await socketPair();
    const transport = new SocketTransport(
      server,
      false,
      () => undefined,
      () => undefined,
    );
    transport.write(Buffer.from('a'));
    transport.write(Buffer.from('b'));
    assert.equal(server.bytesWritten, 0, 'held until the end of the tick');
    const [chunk] = (await once(client, 'data')) as [Buffer];
    assert.equal(chunk.toString(), 'ab');
    close();
  });

  it('sends a long run of writes in 64 KB pieces without waiting for the tick to end', async () => {
    const { server, close } = await socketPair();
    const transport = new SocketTransport(
      server,
      false,
      () => undefined,
      () => undefined,
    );
    const line = Buffer.alloc(1000, 0x61);
    for (let i = 0; i < 100; i++) transport.write(line);
    // Still in the same tick: everything up to the last full 64 KB went to the socket.
    assert.ok(server.bytesWritten >= 64 * 1000, `sent ${server.bytesWritten} so far`);
    assert.ok(server.bytesWritten < 100 * 1000);
    close();
  });
});
