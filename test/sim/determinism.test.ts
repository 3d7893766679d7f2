// The simulator's result is a function of its seed: the market's speed-ups (signatures remembered, a round's ratings
// signed on a worker thread while the next round goes on) must leave every figure, id and trajectory as it was. The
// digest below is the result of this scenario as the simulator gave it before them (issue 24), changed since only by
// the time rule (each decision anchored in a mined block before it takes effect: the anchor's height and block time
// in the result), the network's fixed seeds (the founders, for governance snapshots too), and a juror recording a
// dispute's draw instead of the custodian (a witness's own events need another witness: the draw's id changed).
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
  digest: '541161120da286f61f26fa4fa92fc786d530333280f7f2408f47c4d071110517',
};
