// A real Nostr relay on 127.0.0.1 for the replication tests: @nostr-relay/core with its SQLite event repository,
// behind a `ws` WebSocket server.
import { NostrRelay } from '@nostr-relay/core';
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite';
import { WebSocketServer } from 'ws';

export interface LocalRelay {
  readonly url: string;
  /** Stops accepting and drops every connection (a relay dying mid-sync). */
  close(): Promise<void>;
  /** Drops every connection but keeps listening (a network blip): clients must reconnect. */
  dropConnections(): void;
}

export async function startRelay(): Promise<LocalRelay> {
  const repository = new EventRepositorySqlite(':memory:');
  await repository.init();
  // No filter-result cache (the relay's default keeps a query's answer for a second): a test's successive pulls
  // must see each write. Against a caching relay a pull may miss what was just published; its position then stays
  // behind, and the next pull brings it.
  const relay = new NostrRelay(repository, { filterResultCacheTtl: 0 } as never);
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => {
    relay.handleConnection(socket);
    socket.on('message', (data) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      void relay.handleMessage(socket, message as never);
    });
    socket.on('close', () => relay.handleDisconnect(socket));
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    dropConnections: () => {
      for (const client of server.clients) client.terminate();
    },
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await repository.destroy();
    },
  };
}
