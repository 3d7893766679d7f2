// Issue 18 fourth review (open, simulator): a gated purchase's receipt names no payer, but the simulator's `buy`
// queues the buyer's rating of every receipt it gets, the gated ones too: a `receipt.rating` signed with the
// buyer's agent key naming the receipt of its anonymous purchase. Published, it would tell the provider (which knows
// the pseudonym each receipt was served to) and every ledger reader which agent holds the pseudonym. The ledger
// refuses it ("only the receipt's payer may rate it"), so instead the round's whole batch (every receipt and rating
// of the round) fails, and with it the run, as soon as one gated purchase succeeds. No proof is needed to show it:
// the gated provider here asks no credential (a payer shown to it anonymously all the same: no `Agora-Payer`).
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { rateReceipt } from '../../src/receipts/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { scenarioOf } from '../../src/sim/index.js';
import { buy, openMarket } from '../../src/sim/market.js';
import type { Actor, Cast, SimulationState } from '../../src/sim/state.js';
import { gatedProvider } from '../fixtures/gated-provider.js';

describe("the simulator never signs the buyer's rating of an anonymous purchase", () => {
  it('queues no rating by the buyer for a receipt that names no payer', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const network = new SimNetwork({ clock, seed: 'gated-rating' });
    const actor = (name: string): Actor => ({
      name,
      key: generateAgentKey(),
      node: network.createNode(name),
    });
    const [buyer, seller] = [actor('buyer'), actor('seller')];
    network.openChannel(buyer.node as never, seller.node as never, { capacitySat: 1_000_000 });
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: agoraRegistry() });
    try {
      for (const registered of [buyer, seller])
        await ledger.append(
          await createAgentRegistration(registered.key, {
            nodeKeys: [(registered.node as unknown as { nodeKey: string }).nodeKey],
            clock: new ManualClock(clock.now() - 60_000),
          }),
        );
      const provider = gatedProvider(seller, clock);
      const cast = {
        agents: [buyer],
        honest: [buyer],
        sybils: [],
        isSybil: new Set<Actor>(),
        providers: [provider],
        malicious: [],
        founders: [buyer.key.id],
        custodian: buyer,
      } satisfies Cast;
      const scenario = scenarioOf({});
      const state = { scenario, cast, clock, ledger, market: openMarket(scenario, cast) };
      expect(await buy(state as unknown as SimulationState, buyer, provider, 1)).toBe('good');
      const receipt = state.market.pending[0];
      expect(receipt?.body).toMatchObject({ payer: null });
      // What the round's batch would store after the receipt: the buyer's signed rating of it, refused.
      const { id } = await ledger.append(receipt);
      const refused = await ledger.append(rateReceipt(buyer.key, id, 2)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeDefined();
      const queued = state.market.ratings.map((rating) => rating.receipt);
      // The attack's measure: a rating signed with the buyer's id queued for its anonymous purchase's receipt.
      expect(queued).toEqual([]);
    } finally {
      await ledger.close();
    }
  });
});
