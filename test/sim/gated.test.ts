import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { openCredentials, publishSnapshot } from '../../src/sim/credentials.js';
import { formatSummary, type SimulationResult, scenarioOf } from '../../src/sim/index.js';
import { buy, openMarket } from '../../src/sim/market.js';
import type { Actor, Cast, SimulationState } from '../../src/sim/state.js';
import { Prover, Verifier } from '../../src/zk/index.js';
import { gatedProvider } from '../fixtures/gated-provider.js';
import { thrownAgoraError } from '../helpers.js';

describe('gated providers in the simulator', () => {
  it('publishes a snapshot, serves a payer in it and refuses one outside, counting both', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const network = new SimNetwork({ clock, seed: 'gated' });
    const verifier = await Verifier.load();
    const actor = (name: string): Actor => ({
      name,
      key: generateAgentKey(),
      node: network.createNode(name),
    });
    const [member, stranger, seller] = [actor('member'), actor('stranger'), actor('seller')];
    // The registered two are the network's pre-trusted seeds, as the simulator's founders are.
    const config = { chain: 'regtest' as const, seeds: [member.key.id, seller.key.id].sort() };
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({ verifier, config }),
    });
    const prover = await Prover.load();
    try {
      for (const buyer of [member, stranger])
        network.openChannel(buyer.node as never, seller.node as never, { capacitySat: 1_000_000 });
      // The member and the seller are registered (and scored); the stranger is not: it holds no leaf.
      for (const registered of [member, seller])
        await ledger.append(
          await createAgentRegistration(registered.key, { clock: new ManualClock(clock.now() - 60_000) }),
        );
      // Two agents: the payers' anonymity set is waived here (docs/anonymous-credentials.md).
      const credentials = openCredentials(prover, verifier, { minAnonymity: 1 });
      const provider = gatedProvider(seller, clock, {
        minScore: 1_000_000,
        roots: () => credentials.roots,
        verifier: credentials.verifier,
      });
      const cast = {
        agents: [member, stranger],
        honest: [member, stranger],
        sybils: [],
        isSybil: new Set<Actor>(),
        providers: [provider],
        malicious: [],
        founders: [member.key.id],
        custodian: member,
      } satisfies Cast;
      const scenario = scenarioOf({});
      const state = {
        scenario,
        cast,
        clock,
        ledger,
        market: openMarket(scenario, cast),
        credentials,
      } as unknown as SimulationState;
      await publishSnapshot(state, credentials);
      expect(credentials.snapshots).toBe(1);
      expect(credentials.roots).toHaveLength(1);
      expect(await buy(state, member, provider, 1)).toBe('good');
      expect(await buy(state, stranger, provider, 1)).toBe('failed');
      expect({ purchases: credentials.purchases, refused: credentials.refused }).toEqual({
        purchases: 2,
        refused: 1,
      });
      // The receipt queued for the ledger names no payer.
      expect(state.market.pending[0]?.body).toMatchObject({ payer: null });
      // A new snapshot rebuilds every holder; the buyer's history outlives it: the provider it showed a pseudonym
      // to is still marked, by its node key, so that no later purchase gives it the buyer's id.
      const history = credentials.histories.get(member);
      const before = credentials.holders.get(member);
      clock.advance(60_000);
      await publishSnapshot(state, credentials);
      expect(credentials.holders.get(member)).not.toBe(before);
      expect(credentials.holders.get(member)?.history).toBe(history);
      expect(
        await history?.claimNamed([`node:${(seller.node as unknown as { nodeKey: string }).nodeKey}`]),
      ).toBe(false);
    } finally {
      await prover.close();
      await ledger.close();
    }
  }, 120_000);

  it('keeps the option off by default, checks its range, and reports it in the summary', () => {
    expect(scenarioOf({}).gatedProviders).toBeUndefined();
    thrownAgoraError(
      () => scenarioOf({ providers: 3, maliciousProviders: 1, gatedProviders: 3 }),
      ErrorCode.InvalidArgument,
    );
    const result = {
      scenario: scenarioOf({}),
      providers: [],
      reputation: { honestProviders: 0, maliciousProviders: 0 },
      governance: { proposals: [], blacklisted: [] },
      anchor: { commitment: 'ab', txid: 'cd', feeSat: '200', height: 2_000, blockTime: 1_800_000_000 },
      gated: { providers: 1, minScore: 1_000_000, purchases: 7, refused: 2, snapshots: 3 },
    } as unknown as SimulationResult;
    expect(formatSummary(result)).toContain(
      '7 purchases at 1 providers asking an anonymous credential of 0.10% reputation: 2 refused',
    );
    expect(formatSummary({ ...result, gated: undefined } as unknown as SimulationResult)).not.toContain(
      'gated',
    );
  });
});
