// An agent that pays two L402 APIs on the in-memory Lightning network, verifies the receipts, keeps them in its
// ledger and rates them. Run: npx tsx examples/agent.ts
// Through Nostr Wallet Connect: `--nwc-relay ws://...` puts the agent's node behind a NIP-47 wallet service on that
// relay and pays through it; `--nwc nostr+walletconnect://...` (or $AGORA_NWC_URI) pays from your own NWC wallet,
// which must be able to reach the providers' nodes (the in-memory ones here are reachable only with --nwc-relay).
import { MemoryLevel } from 'memory-level';
import { type AgentKey, generateAgentKey } from '../src/identity/index.js';
import { Budget, l402Fetch, TokenCache } from '../src/l402/index.js';
import { agentRegisteredType, createAgentRegistration, EventRegistry, Ledger } from '../src/ledger/index.js';
import {
  type LightningBackend,
  NwcBackend,
  NwcWalletService,
  SimNetwork,
  type SimNode,
} from '../src/lightning/index.js';
import { rateReceipt, receiptRatingType, receiptType } from '../src/receipts/index.js';
import { startSimilarityApi, startWeatherApi } from './paid-apis.js';

export interface AgentRun {
  weather: unknown;
  similarity: unknown;
  spentMsat: number;
  receipts: number;
  ratings: number;
}

/** The wallet the agent pays from, made from its in-memory node (default: the node itself). */
export type AgentWallet = (node: SimNode) => Promise<{ backend: LightningBackend; close(): void }>;

/** The agent's node behind agora402's NIP-47 wallet service on `relay`, paid through with an {@link NwcBackend}. */
export function nwcRelayWallet(relay: string): AgentWallet {
  return async (node) => {
    const service = await NwcWalletService.start({
      relays: [relay],
      backend: node,
      clock: node.network.clock,
    });
    const backend = new NwcBackend(service.connect(), { clock: node.network.clock });
    return {
      backend,
      close: () => {
        backend.close();
        service.close();
      },
    };
  };
}

/** An NWC wallet of the agent's own, from its `nostr+walletconnect://` URI. */
export function nwcUriWallet(uri: string): AgentWallet {
  return async () => {
    const backend = new NwcBackend(uri);
    return { backend, close: () => backend.close() };
  };
}

export async function runAgent(
  log: (line: string) => void = console.log,
  wallet: AgentWallet = async (node) => ({ backend: node, close: () => {} }),
): Promise<AgentRun> {
  const network = new SimNetwork({ seed: 'examples' });
  const agentNode = network.createNode('agent');
  const hub = network.createNode('hub');
  const weatherNode = network.createNode('weather');
  const similarityNode = network.createNode('similarity');
  network.openChannel(agentNode, hub, { capacitySat: 500_000 });
  network.openChannel(hub, weatherNode, { capacitySat: 500_000 });
  network.openChannel(hub, similarityNode, { capacitySat: 500_000 });

  const agent = generateAgentKey();
  const weatherKey = generateAgentKey();
  const similarityKey = generateAgentKey();
  const ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([agentRegisteredType, receiptType, receiptRatingType]),
  });
  // The providers' registrations (normally synced from the network) let the ledger check whose node signed.
  const register = (key: AgentKey, nodeKey: string, name: string) =>
    createAgentRegistration(key, { nodeKeys: [nodeKey], name });
  await ledger.appendBatch([
    await register(weatherKey, weatherNode.nodeKey, 'weather'),
    await register(similarityKey, similarityNode.nodeKey, 'similarity'),
  ]);
  const weatherApi = await startWeatherApi(weatherNode, weatherKey);
  const similarityApi = await startSimilarityApi(similarityNode, similarityKey);
  const paying = await wallet(agentNode);
  try {
    const budget = new Budget(50_000);
    const tokens = new TokenCache();
    const options = {
      lightning: paying.backend,
      maxPriceMsat: 10_000,
      budget,
      tokens,
      identity: agent,
      onReceipt: async (
        receipt: { id: string; body: { service: string; amountMsat: number } },
        event: Parameters<Ledger['append']>[0],
      ) => {
        await ledger.append(event);
        await ledger.append(rateReceipt(agent, receipt.id, 2));
        log(
          `receipt ${receipt.id.slice(0, 16)}… for ${receipt.body.service}, ${receipt.body.amountMsat} msat, rated 2`,
        );
      },
    };
    const weather = await (await l402Fetch(`${weatherApi.url}/forecast?city=Lisbon`, {}, options)).json();
    log(`weather: ${JSON.stringify(weather)}`);
    const again = await (await l402Fetch(`${weatherApi.url}/forecast?city=Oslo`, {}, options)).json();
    log(`weather again with the same token: ${JSON.stringify(again)}`);
    const body = JSON.stringify({ a: [1, 2, 3], b: [2, 4, 6.5] });
    const similarity = await (
      await l402Fetch(
        `${similarityApi.url}/similarity`,
        { method: 'POST', body, headers: { 'content-type': 'application/json' } },
        options,
      )
    ).json();
    log(`similarity: ${JSON.stringify(similarity)}`);
    const stats = ledger.stats();
    log(`spent ${budget.spentMsat} msat; ledger holds ${JSON.stringify(stats.types)}`);
    return {
      weather,
      similarity,
      spentMsat: budget.spentMsat,
      receipts: stats.types.receipt ?? 0,
      ratings: stats.types['receipt.rating'] ?? 0,
    };
  } finally {
    paying.close();
    await weatherApi.close();
    await similarityApi.close();
    await ledger.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string) => {
    const at = process.argv.indexOf(name);
    return at === -1 ? undefined : process.argv[at + 1];
  };
  const uri = flag('--nwc') ?? process.env.AGORA_NWC_URI;
  const relay = flag('--nwc-relay');
  await runAgent(
    console.log,
    uri !== undefined ? nwcUriWallet(uri) : relay !== undefined ? nwcRelayWallet(relay) : undefined,
  );
  process.exit();
}
