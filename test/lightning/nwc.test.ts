import { describe, expect, it } from 'vitest';
import { drivenPair, lightningConformance } from './conformance.js';
import { nwcPair } from './nwc-world.js';

lightningConformance(
  'nwc (agora402 wallet service over a local relay)',
  async () => {
    const world = await nwcPair('own');
    return drivenPair(world, world.close);
  },
  { holdDeadline: true, inFlightFees: false },
);

lightningConformance(
  "nwc (Alby's NWCWalletService over a local relay)",
  async () => {
    const world = await nwcPair('alby');
    return drivenPair(world, world.close);
  },
  { holdDeadline: false, holdInvoices: false, inFlightFees: false },
);

describe('placeholder', () => {
  it('runs', () => expect(1).toBe(1));
});
