import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { L402Provider, MemoryRootKeyStore } from '../../src/l402/index.js';
import { type LightningBackend, SimNetwork } from '../../src/lightning/index.js';
import { scenarioOf } from '../../src/sim/index.js';
import { buy, isGood, openMarket, reprice, serve } from '../../src/sim/market.js';
import type { Actor, Cast, ProviderActor, SimulationState } from '../../src/sim/state.js';

function provider(node: LightningBackend, clock: ManualClock, priceMsat = 2_000): ProviderActor {
  const key = generateAgentKey();
  return {
    name: 'provider-0',
    key,
    node,
    service: 'weather',
    malicious: false,
    baseMsat: priceMsat,
    latencyMs: 20,
    priceMsat,
    sales: 0,
    roundSales: 0,
    revenueMsat: 0,
    l402: new L402Provider({
      lightning: node,
      rootKeys: new MemoryRootKeyStore(),
      service: 'api',
      price: () => priceMsat,
      identity: key,
      clock,
    }),
  };
}

/** A market of `buyers` and one provider on `network`, as the market phase sees it. */
function marketOf(buyers: Actor[], seller: ProviderActor, clock: ManualClock): SimulationState {
  const cast = {
    agents: buyers,
    honest: buyers,
    sybils: [],
    isSybil: new Set<Actor>(),
    providers: [seller],
    malicious: [],
    founders: [],
    custodian: buyers[0] as Actor,
  } satisfies Cast;
  const scenario = scenarioOf({});
  return { scenario, cast, clock, market: openMarket(scenario, cast) } as unknown as SimulationState;
}

describe('the market phase', () => {
  it('counts a purchase that fails for an expected reason, and lets a defect propagate', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const network = new SimNetwork({ clock, seed: 'market' });
    const hub = network.createNode('hub');
    const sellerNode = network.createNode('seller');
    network.openChannel(hub, sellerNode, { capacitySat: 1_000_000 });
    const stranded = network.createNode('stranded'); // no channel: no route to the seller
    const funded = network.createNode('funded');
    network.openChannel(funded, hub, { capacitySat: 1_000_000 });
    const buggy = Object.create(funded, {
      payInvoice: {
        value: async () => {
          throw new TypeError('a defect in the payment code');
        },
      },
    }) as LightningBackend;
    const [noRoute, paying, broken] = [stranded, funded, buggy].map(
      (node, i): Actor => ({ name: `agent-${i}`, key: generateAgentKey(), node }),
    ) as [Actor, Actor, Actor];
    const seller = provider(sellerNode, clock);
    const state = marketOf([noRoute, paying, broken], seller, clock);

    // No route: a failed purchase, nothing paid, nothing queued.
    expect(await buy(state, noRoute, seller, 1)).toBe('failed');
    expect(state.market.payments).toBe(0);
    expect(state.market.pending).toEqual([]);
    // A working purchase: paid, good data, its receipt and rating queued.
    expect(await buy(state, paying, seller, 1)).toBe('good');
    expect(state.market.payments).toBe(1);
    expect(state.market.pending.map((event) => event.type)).toEqual(['receipt']);
    expect(state.market.ratings.map(({ payer, rating }) => [payer, rating])).toEqual([[paying.key, 2]]);
    // A programming error is not a failed purchase: it reaches the caller.
    await expect(buy(state, broken, seller, 1)).rejects.toThrow(TypeError);
    expect(state.market.payments).toBe(1);
  });

  it('moves prices with demand, by at most priceStep, between the floor and the ceiling', () => {
    const clock = new ManualClock(1_800_000_000_000);
    const node = new SimNetwork({ clock }).createNode('seller');
    const scenario = scenarioOf({});
    const p = provider(node, clock, 4_000);
    const at = (priceMsat: number, roundSales: number, options = {}) =>
      reprice(scenarioOf(options), { ...p, priceMsat, roundSales }, 10);
    expect(at(4_000, 10)).toBe(4_000); // its fair share: unchanged
    expect(at(4_000, 20)).toBe(4_800); // twice its share: up by priceStep (0.2)
    expect(at(4_000, 100)).toBe(4_800); // no more than priceStep a round
    expect(at(4_000, 0)).toBe(3_200); // nobody: down by priceStep
    expect(at(2_100, 0)).toBe(2_000); // not below priceFloor (0.5) times its base
    expect(at(11_000, 20)).toBe(12_000); // not above priceCeiling (3) times its base
    expect(at(4_000, 100, { priceStep: 0 })).toBe(4_000);
    expect(at(4_000, 0, { priceStep: 0.5 })).toBe(2_000);
    expect(scenario.priceStep).toBe(0.2);
  });

  it('tells good data from garbage, whatever the body', () => {
    expect(isGood(serve('weather', 'http://p.sim/weather?q=1', false))).toBe(true);
    expect(isGood(serve('weather', 'http://p.sim/weather?q=1', true))).toBe(false);
    for (const body of ['', 'null', '[]', '{"data":1,"check":"x"}', '<html>', '{"data":"a"}'])
      expect(isGood(body)).toBe(false);
  });
});
