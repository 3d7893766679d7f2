import type { ManualClock } from '../core/index.js';
import { type LightningBackend, NwcBackend, NwcWalletService, SimNetwork } from '../lightning/index.js';
import { LdkNetwork } from '../lightning/ldk/index.js';
import type { Scenario } from './scenario.js';

/** The hub's side of each LDK channel towards a provider or the custodian, in sats. */
const LDK_HUB_CHANNEL_SAT = 2_000_000;
/** The least the hub's side of each in-memory channel towards a provider or the custodian holds, in sats. */
const SIM_HUB_CHANNEL_SAT = 50_000_000;

/** The Lightning network of a run: one node per participant, each with a channel to one hub. */
export interface SimulationNetwork {
  /** The node named `name` (`agent-<i>`, `provider-<i>`, `custodian`). */
  node(name: string): LightningBackend;
  close(): Promise<void>;
}

/** The names of a scenario's nodes, the hub aside. */
function nodeNames(scenario: Scenario): string[] {
  return [
    ...Array.from({ length: scenario.agents }, (_, i) => `agent-${i}`),
    ...Array.from({ length: scenario.providers }, (_, i) => `provider-${i}`),
    'custodian',
  ];
}

/** Sats the simulated custodian owns in its channel: enough for the routing fees of the bonds' payouts. */
const CUSTODIAN_FLOAT_SAT = 10_000;

/**
 * Builds the network: agents fund their own channel to the hub (`agentChannelSat`); the hub funds the channels
 * towards providers and the custodian, which receive.
 */
export async function buildNetwork(scenario: Scenario, clock: ManualClock): Promise<SimulationNetwork> {
  const nodes = new Map<string, LightningBackend>();
  const lookup = (name: string) => {
    const node = nodes.get(name);
    if (node === undefined) throw new Error(`the simulation has no node ${name}`);
    return node;
  };
  if (scenario.lightning === 'ldk') {
    const network = await LdkNetwork.create({ clock });
    const hub = network.createNode('hub');
    for (const name of nodeNames(scenario)) {
      const node = network.createNode(name);
      await network.connect(node, hub);
      if (name.startsWith('agent'))
        await network.openChannel(node, hub, { capacitySat: scenario.agentChannelSat });
      else await network.openChannel(hub, node, { capacitySat: LDK_HUB_CHANNEL_SAT });
      nodes.set(name, node);
    }
    return { node: lookup, close: async () => network.close() };
  }
  const network = new SimNetwork({ clock, seed: scenario.seed });
  const hub = network.createNode('hub');
  // The hub's side towards the custodian holds every stake in flight at once.
  const hubSide = Math.max(SIM_HUB_CHANNEL_SAT, scenario.agents * 2 * scenario.honestStakeSat);
  for (const name of nodeNames(scenario)) {
    const node = network.createNode(name);
    if (name.startsWith('agent')) network.openChannel(node, hub, { capacitySat: scenario.agentChannelSat });
    // The custodian keeps a float of its own: paying out a settled bond's shares costs routing fees on top.
    else
      network.openChannel(hub, node, {
        capacitySat: hubSide,
        ...(name === 'custodian' ? { pushSat: CUSTODIAN_FLOAT_SAT } : {}),
      });
    nodes.set(name, node);
  }
  if (scenario.lightning === 'nwc') return behindNwc(nodes, scenario.nwcRelay as string, clock);
  return { node: lookup, close: async () => {} };
}

/** Each node behind its own NIP-47 wallet service on `relay`; actors reach theirs with an {@link NwcBackend}. */
async function behindNwc(
  nodes: ReadonlyMap<string, LightningBackend>,
  relay: string,
  clock: ManualClock,
): Promise<SimulationNetwork> {
  const services: NwcWalletService[] = [];
  const clients = new Map<string, LightningBackend>();
  const backends: NwcBackend[] = [];
  try {
    for (const [name, node] of nodes) {
      const service = await NwcWalletService.start({ relays: [relay], backend: node, clock });
      services.push(service);
      const backend = new NwcBackend(service.connect(), { clock, pollIntervalMs: 50 });
      backends.push(backend);
      clients.set(name, backend);
    }
  } catch (error) {
    for (const service of services) service.close();
    throw error;
  }
  return {
    node: (name) => {
      const node = clients.get(name);
      if (node === undefined) throw new Error(`the simulation has no node ${name}`);
      return node;
    },
    close: async () => {
      for (const backend of backends) backend.close();
      for (const service of services) service.close();
    },
  };
}
