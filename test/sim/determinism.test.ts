// The simulator's result is a function of its seed: the market's speed-ups (signatures remembered, a round's ratings
// signed on a worker thread while the next round goes on) must leave every figure, id and trajectory as it was. The
// digest below is the result of this scenario as the simulator gave it before them (issue 24), changed since only by
// the time rule (each decision anchored in a mined block before it takes effect: the anchor's height and block time
// in the result), the network's fixed seeds (the founders, for governance snapshots too) and the identified-payer
// flow of issue 18 (a provider's 401 names its node with an invoice before the client names itself), which changes
// the market's events and so the ids derived from them: every payment, amount, score and outcome is as before
// (checked field by field against the previous result; only the proposal's id, its anchor's commitment and txid
// differ). Then by the anonymity report counting groups of pieces one ballot links (issue 17 second review): the
// run's one proved voter casts three pieces for `abstain`, alone, which the report now shows as a group only the
// heaviest member casts: that proposal's `minAnonymity` went from 5 to 1, every other field as before (checked
// against the previous result). Then by the weight scale of reputation snapshots (issue 17): the plain piece rule
// loses over 1 % of the run's reputation snapshot, so it takes the scale 68,608 / 65,536: its member weights are
// scaled (295,513,002 -> 309,365,173 for the heaviest), the one voter casts 5 pieces instead of 3, 98.63 % of its
// weight counted instead of 93.68 %, the outcome names the scale (`weightScale`), and the proposal's id, its anchor's
// commitment and txid change with it; every other field as before (checked field by field against the previous
// result).
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type JsonValue, toHex, utf8 } from '../../src/core/index.js';
import { simulate } from '../../src/sim/index.js';

const SCENARIO = {
  agents: 12,
  providers: 3,
  rounds: 8,
  sybils: 2,
  founders: 3,
  maxProvedVoters: 1,
  reputationEvery: 4,
  seed: 'determinism',
};

describe('the simulator, run for a seed', () => {
  it('gives the result it always gave for it', async () => {
    const result = await simulate(SCENARIO);
    const digest = toHex(sha256(utf8(canonicalJson(JSON.parse(JSON.stringify(result)) as JsonValue))));
    expect({ payments: result.payments, satsMoved: result.satsMoved, digest }).toEqual(EXPECTED);
  }, 300_000);
});

const EXPECTED = {
  payments: 96,
  satsMoved: 570,
  digest: '2261ad5fa9c0e6269d77b9144a0e99c86f23b851d418e3e7d5ff4b3d3480156c',
};
