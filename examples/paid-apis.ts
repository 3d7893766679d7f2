// Two paid APIs sold over L402: a weather forecast (flat price) and cosine similarity (priced by request size).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../src/core/index.js';
import type { AgentKey } from '../src/identity/index.js';
import { L402Provider, l402NodeHandler, MemoryRootKeyStore } from '../src/l402/index.js';
import type { LightningBackend } from '../src/lightning/index.js';

export interface PaidApi {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<PaidApi> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

/** GET /forecast?city=… for 2 sat: a made-up but stable forecast. */
export function startWeatherApi(lightning: LightningBackend, identity: AgentKey): Promise<PaidApi> {
  const provider = new L402Provider({
    lightning,
    identity,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 2_000,
  });
  return listen(
    createServer(
      l402NodeHandler(provider, (req, res) => {
        const city = new URL(req.url ?? '/', 'http://x').searchParams.get('city') ?? 'Paris';
        const seed = sha256(utf8(city));
        const forecast = {
          city,
          temperatureC: ((seed[0] as number) % 35) - 5,
          rainChance: ((seed[1] as number) % 100) / 100,
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(forecast));
      }),
    ),
  );
}

/** POST /similarity {a: number[], b: number[]}: 1 sat plus 10 msat per request byte. */
export function startSimilarityApi(lightning: LightningBackend, identity: AgentKey): Promise<PaidApi> {
  const provider = new L402Provider({
    lightning,
    identity,
    rootKeys: new MemoryRootKeyStore(),
    service: 'similarity',
    price: (request) => 1_000 + 10 * Number(request.headers.get('content-length') ?? 0),
  });
  return listen(
    createServer(
      l402NodeHandler(provider, async (req, res) => {
        const { a, b } = JSON.parse(await readBody(req)) as { a: number[]; b: number[] };
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || a.length === 0) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'a and b are vectors of one length' }));
          return;
        }
        const dot = a.reduce((sum, x, i) => sum + x * (b[i] as number), 0);
        const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ cosine: dot / (norm(a) * norm(b)) }));
      }),
    ),
  );
}
