import { ManualClock } from '../core/index.js';
import type { GovernedState } from '../governance/index.js';
import { type AgentKey, agentKeyFromSecret } from '../identity/index.js';
import { type CredentialPolicy, L402Provider, MemoryRootKeyStore } from '../l402/index.js';
import { createAgentRegistration, type Ledger } from '../ledger/index.js';
import type { SimulationNetwork } from './network.js';
import { type SeededRandom, seededBytes } from './random.js';
import { type Scenario, SERVICES } from './scenario.js';
import type { Actor, Cast, ProviderActor } from './state.js';

/** Registrations are dated before the market opens, one second apart, in registration order. */
const REGISTERED_BEFORE_SECONDS = 10_000;

/**
 * Who takes part: agents (the last `sybils` of them work for the malicious providers), providers (the last
 * `maliciousProviders` are malicious) each behind an L402 provider whose blacklist caveat reads `blacklist`, and the
 * custodian. Keys come from the seed; prices and latencies are drawn from `random`, provider by provider.
 */
export function createCast(
  scenario: Scenario,
  random: SeededRandom,
  network: SimulationNetwork,
  context: {
    clock: ManualClock;
    blacklist: () => GovernedState | undefined;
    /** The policy of the gated providers (the first `gatedProviders`), when the scenario gates any. */
    credential?: CredentialPolicy;
    /** Told every key made, with its actor's name (to keep them: `agora simulate --home`). */
    onKey?: (name: string, key: AgentKey) => void;
  },
): Cast {
  const actor = (name: string): Actor => {
    const key = agentKeyFromSecret(seededBytes(scenario.seed, name));
    context.onKey?.(name, key);
    return { name, key, node: network.node(name) };
  };
  const agents = Array.from({ length: scenario.agents }, (_, i) => actor(`agent-${i}`));
  const honestCount = scenario.agents - scenario.sybils;
  const honest = agents.slice(0, honestCount);
  const sybils = agents.slice(honestCount);
  // Two services at least, so a malicious provider has an honest competitor for its own.
  const serviceCount = Math.max(2, Math.min(SERVICES.length, Math.floor(scenario.providers / 2)));
  const blacklist = { has: (agent: string) => context.blacklist()?.has(agent) ?? false };
  const providers = Array.from({ length: scenario.providers }, (_, i): ProviderActor => {
    const { name, key, node } = actor(`provider-${i}`);
    const baseMsat = 1_000 * random.int(scenario.minBasePriceSat, scenario.maxBasePriceSat);
    const latencyMs = random.int(scenario.minLatencyMs, scenario.maxLatencyMs);
    // A gated provider learns no payer id, so it cannot read the blacklist: the credential is its gate.
    const gated = context.credential !== undefined && i < (scenario.gatedProviders ?? 0);
    const provider: ProviderActor = {
      name,
      key,
      node,
      service: SERVICES[i % serviceCount] as string,
      malicious: i >= scenario.providers - scenario.maliciousProviders,
      gated,
      baseMsat,
      latencyMs,
      priceMsat: baseMsat,
      sales: 0,
      roundSales: 0,
      revenueMsat: 0,
      l402: new L402Provider({
        lightning: node,
        rootKeys: new MemoryRootKeyStore(),
        service: 'api',
        price: () => provider.priceMsat,
        identity: key,
        ...(gated ? { credential: context.credential } : { policy: { blacklist: true }, blacklist }),
        clock: context.clock,
      }),
    };
    return provider;
  });
  return {
    agents,
    honest,
    sybils,
    isSybil: new Set(sybils),
    providers,
    malicious: providers.filter((p) => p.malicious),
    founders: honest.slice(0, scenario.founders).map((a) => a.key.id),
    custodian: actor('custodian'),
  };
}

/**
 * Registers everyone (the custodian aside): founders first (the pre-trusted seeds), then the other honest agents,
 * the providers, the sybils, each with its node key.
 */
export async function registerCast(cast: Cast, ledger: Ledger, startSeconds: number): Promise<void> {
  const order = [...cast.honest, ...cast.providers, ...cast.sybils];
  for (const [i, actor] of order.entries()) {
    const clock = new ManualClock((startSeconds - REGISTERED_BEFORE_SECONDS + i) * 1000);
    const nodeKey = (await actor.node.info()).nodeKey;
    await ledger.append(
      await createAgentRegistration(actor.key, { name: actor.name, nodeKeys: [nodeKey], clock }),
    );
  }
}
