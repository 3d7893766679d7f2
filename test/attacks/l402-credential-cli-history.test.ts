// Issue 18 fourth review: `agora fetch` sent the agent id with no credential history, so a provider another process
// of the agent had shown a pseudonym got the id from the CLI, and a provider the CLI named was later shown a pseudonym.
// Fixed: `agora fetch` keeps the agent's credential history in its home: the invocations of the CLI and the agent's
// other processes (a buyer proving credentials with the library) behave as one agent, each reading the others' marks.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevLightningBackend, serveDevLightning } from '../../src/cli/dev-lightning.js';
import { homePaths } from '../../src/cli/home.js';
import { ErrorCode } from '../../src/core/index.js';
import { fileAgentState } from '../../src/identity/index.js';
import {
  CredentialHistory,
  L402Provider,
  l402NodeHandler,
  MemoryRootKeyStore,
} from '../../src/l402/index.js';
import { agora } from '../cli/harness.js';

let dir: string;
let lightning: Awaited<ReturnType<typeof serveDevLightning>>;
let server: Server;
let providerUrl: string;
let nodeKey: string;
/** The Agora-Payer header of every request the provider got (null when none). */
const payers: (string | null)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-fetch-history-'));
  lightning = await serveDevLightning({ port: 0, host: '127.0.0.1' });
  const node = new DevLightningBackend(`${lightning.url}/provider`);
  nodeKey = (await node.info()).nodeKey;
  const provider = new L402Provider({
    lightning: node,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 1_000,
  });
  const sell = l402NodeHandler(provider, (_req, res) => {
    res.end('sunny');
  });
  server = createServer((req, res) => {
    payers.push(req.headers['agora-payer'] === undefined ? null : String(req.headers['agora-payer']));
    sell(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  providerUrl = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  server.close();
  await lightning.close();
  await rm(dir, { recursive: true, force: true });
});

const fetchAs = (home: string, url: string) =>
  agora(['fetch', url, '--max-cost', '5', '--lightning-dev', `${lightning.url}/payer`, '--home', home]);

describe('agora fetch keeps the agent credential history', () => {
  it('records the provider it gave the agent id: another process of the agent then shows it no pseudonym', async () => {
    const home = join(dir, 'named');
    expect((await agora(['init', '--home', home])).code).toBe(0);
    payers.length = 0;
    const fetched = await fetchAs(home, `${providerUrl}/forecast`);
    expect(fetched).toMatchObject({ code: 0, stdout: 'sunny\n' });
    // The paid request named the payer.
    expect(payers.at(-1)).toMatch(/; sig=/);
    // Another process of the agent, proving credentials, opens the history from the home.
    const history = await CredentialHistory.open(fileAgentState(homePaths(home).credentialHistory));
    await expect(history.claimAnonymous([`node:${nodeKey}`])).rejects.toMatchObject({
      code: ErrorCode.WouldLink,
    });
  });

  it('gives no agent id to a provider another process of the agent showed a pseudonym, under any origin', async () => {
    const home = join(dir, 'anonymous');
    expect((await agora(['init', '--home', home])).code).toBe(0);
    // Another process of the agent showed this node the agent's pseudonym (under another host name).
    const history = await CredentialHistory.open(fileAgentState(homePaths(home).credentialHistory));
    await history.claimAnonymous(['origin:https://gated.example', `node:${nodeKey}`]);
    payers.length = 0;
    // Two invocations: neither names the payer to the node, whatever host name they use.
    for (const url of [`${providerUrl}/forecast`, providerUrl.replace('127.0.0.1', 'localhost')]) {
      const fetched = await fetchAs(home, url.endsWith('/forecast') ? url : `${url}/forecast`);
      expect(fetched).toMatchObject({ code: 0, stdout: 'sunny\n' });
    }
    expect(payers.length).toBeGreaterThan(0);
    expect(payers).toEqual(payers.map(() => null));
  });
});
