// Issue 18, review of the linked-scopes rule (history v7), high: named the payer (fixed: every reservation renews its
// component's links, so a link lasts as long as a chain of visits through it; `CredentialHistory.reserve`). An
// operator with two host names and two Lightning nodes, no refusal, relay or special rule: only the linking window the
// client itself assumes (pseudonyms at one scope 6 epochs apart are linked), used along a chain that outlives the link
// between two scopes. Before the fix a reservation naming two scopes linked them for 7 epochs
// (`CredentialHistory.linkedScopes` counts links in the window), and a proof recorded the members it left under its
// own scopes only. A scope linked to another once, narrowed later elsewhere in the component, never got that
// narrowing in its own entries; once the link left the window the scope's next proof was checked against its own
// entries only, though the operator chains it back to the link through the scope's own earlier entries, which the
// window assumption says it links.
// Steps, every challenge at 1,000,000 ppb listing one root; A is origin one.test, B is node N1:
//   1. e0: one.test names N1 against `base` (the payer and 14 others): links A and B, among 15;
//   2. e0+5: two.test names N1 against `base` (B's last entry before step 4): among 15;
//   3. e0+6: one.test names N2 against `left` (the payer and 7 of the 14): A's component (B through step 1's link)
//      leaves base and left, 8: proved;
//   4. e0+11: three.test names N1 against `right` (the payer and the other 7): the link of step 1 is out of the window
//      (e0+5 .. e0+17), B's component is N1 and two.test, whose entries hold `base` only: base and right leave 8:
//      proved.
// The operator links N1's step 4 to its step 2 (6 epochs), step 2 to step 1 (5 epochs), step 1 to one.test (the same
// token and payment), one.test's step 1 to its step 3 (6 epochs): base, left and right in common, the payer alone.
// The control (step 4 at e0+6, after step 3: step 1's link still in the window) is refused `WOULD_LINK`.
// The same with an exclusion (second describe): one root, the ordinary level (1,000,000 ppb: the payer, 7 high, 2
// low), mid (3,981,072: the payer and the 7 high) and premium (25,118,864: the 7 high). Step 3 is one.test naming N2
// at premium: refused, the 7 high ruled out (one.test, linking N1, holds the payer among 3); step 4 is N1 at mid: its
// entries hold the 10 and nobody ruled out, 8 reach mid: proved; chained, the payer alone.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws (reservations are
// what the checks read).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  MID,
  operatorNodes,
  PREMIUM,
  reachOf,
  recordingHolder,
  splitSnapshots,
  tieredSnapshot,
} from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;

/** The operator's nodes N1 (the fixture's provider node) and N2, and a payer over {@link splitSnapshots}. */
async function splitOperator() {
  const { clock, providerNode: n1, addNode, gatingAt, call } = await operatorNodes();
  const n2 = addNode('n2');
  const payer = generateAgentKey();
  const { base, left, right } = await splitSnapshots(payer);
  const { holder, proved } = await recordingHolder(payer, [base, left, right]);
  return { clock, n1, n2, addNode, gatingAt, call: call(holder), payer, proved, base, left, right };
}

async function outlived(lastDay: number) {
  const { clock, n1, n2, gatingAt, call, payer, proved, base, left, right } = await splitOperator();
  const steps = [await call(gatingAt(n1, base.root), 'http://one.test')];
  clock.advance(5 * DAY_MS);
  steps.push(await call(gatingAt(n1, base.root), 'http://two.test'));
  clock.advance(DAY_MS);
  steps.push(await call(gatingAt(n2, left.root), 'http://one.test'));
  clock.advance((lastDay - 6) * DAY_MS);
  const last = await call(gatingAt(n1, right.root), 'http://three.test');
  const all = [...reachOf(base)].filter((agent) => reachOf(left).has(agent) && reachOf(right).has(agent));
  return { payer, steps, last, proved, all, base, left, right };
}

describe('a chain across time outlives the link between two scopes', () => {
  it('sets the scene: steps 1 to 3 are reserved, and base, left and right share the payer alone', async () => {
    const { payer, steps, proved, all, base, left } = await outlived(11);
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved.map((statement) => statement.root).slice(0, 3)).toEqual([base.root, base.root, left.root]);
    expect(all).toEqual([payer.id]);
  });

  it('refuses step 4 while step 1’s link is in the window (the control)', async () => {
    const { last, proved } = await outlived(6);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });

  it('refuses step 4 at e0+11, chained to step 3 through N1’s and one.test’s own entries', async () => {
    const { last, proved } = await outlived(11);
    // Before the fix the payer proved step 4 against `right`: the operator held it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });
});

async function outlivedExclusion(lastDay: number) {
  const { clock, providerNode, addNode, gatingAt, call: callOf } = await operatorNodes();
  const n2 = addNode('n2');
  const payer = generateAgentKey();
  const snapshot = await tieredSnapshot(payer);
  const { holder, proved } = await recordingHolder(payer, [snapshot]);
  const call = callOf(holder);
  // N1 is the fixture's provider node.
  const steps = [await call(gatingAt(providerNode, snapshot.root), 'http://one.test')];
  clock.advance(5 * DAY_MS);
  steps.push(await call(gatingAt(providerNode, snapshot.root), 'http://two.test'));
  clock.advance(DAY_MS);
  steps.push(await call(gatingAt(n2, snapshot.root, { minScore: PREMIUM }), 'http://one.test'));
  clock.advance((lastDay - 6) * DAY_MS);
  const last = await call(
    gatingAt(providerNode, snapshot.root, { service: 'mid', minScore: MID }),
    'http://two.test',
  );
  return { steps, last, proved };
}

describe('a chain across time outlives the link, with an exclusion', () => {
  it('refuses the mid level while step 1’s link is in the window (the control)', async () => {
    const { steps, last, proved } = await outlivedExclusion(6);
    expect(steps[2]).toMatchObject({ code: ErrorCode.InvalidProof });
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses the mid level at e0+11, chained to the premium refusal', async () => {
    const { last, proved } = await outlivedExclusion(11);
    // Before the fix the payer proved the mid level at N1: the operator held it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});

// Found while fixing it (fixed the same way): carrying a narrowing into every scope of the component at its epoch is
// not enough when the narrowing comes after the link has left the window while the other scope's own chain went on;
// renewed at one.test's visit of e0+5, N1's link to one.test is in the window at e0+10. Steps, every
// challenge at 1,000,000 ppb listing one root:
//   1. e0: one.test names N1 against `base`: links N1 and one.test;
//   2. e0+5: one.test names N3 against `base` (one.test's chain goes on), and two.test names N1 against `base` (N1's);
//   3. e0+10: one.test names N2 against `left`: the link of step 1 is out of the window (e0+4 .. e0+16), one.test's
//      component is N2 and N3: 8 left, proved, carried into N3 and N2 only;
//   4. e0+11: three.test names N1 against `right`: N1's entries hold `base` only.
// The operator chains N1(e0+11)-N1(e0+5)-N1(e0)-one.test(e0)-one.test(e0+5)-one.test(e0+10): the payer alone. A link
// has to last as long as a chain through it does.
async function chainedOn(lastDay: number) {
  const { clock, n1, n2, addNode, gatingAt, call, proved, base, left, right } = await splitOperator();
  const n3 = addNode('n3');
  const steps = [await call(gatingAt(n1, base.root), 'http://one.test')];
  clock.advance(5 * DAY_MS);
  steps.push(await call(gatingAt(n3, base.root), 'http://one.test'));
  steps.push(await call(gatingAt(n1, base.root), 'http://two.test'));
  clock.advance(5 * DAY_MS);
  steps.push(await call(gatingAt(n2, left.root), 'http://one.test'));
  clock.advance((lastDay - 10) * DAY_MS);
  const last = await call(gatingAt(n1, right.root), 'http://three.test');
  return { steps, last, proved, base, left };
}

describe('a chain across time outlives the link, the other scope’s chain going on', () => {
  it('sets the scene: steps 1 to 3 are proved', async () => {
    const { steps, proved, base, left } = await chainedOn(11);
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved.map((statement) => statement.root).slice(0, 4)).toEqual([
      base.root,
      base.root,
      base.root,
      left.root,
    ]);
  });

  it('refuses step 4 at e0+11, chained to step 3 through one.test’s own entries', async () => {
    const { last, proved } = await chainedOn(11);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(4);
  });
});
