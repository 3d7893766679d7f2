// A relay for the transport attacks on vote pieces (issue 17, second review): it accepts every event and records when
// each arrives, as its operator sees them.
import type { Event as NostrEvent } from 'nostr-tools/pure';
import { WebSocketServer } from 'ws';

/**
 * A local relay recording each event published to it, the moment it arrived (ms) and the connection it came over
 * (numbered in the order they opened). The caller closes it.
 */
export async function timingRelay() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const arrivals: { event: NostrEvent; at: number; connection: number }[] = [];
  let connections = 0;
  server.on('connection', (socket) => {
    const connection = connections++;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as unknown[];
      if (message[0] !== 'EVENT') return;
      const event = message[1] as NostrEvent;
      arrivals.push({ event, at: Date.now(), connection });
      socket.send(JSON.stringify(['OK', event.id, true, '']));
    });
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    arrivals,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
