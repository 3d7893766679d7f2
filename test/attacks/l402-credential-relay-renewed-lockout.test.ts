// Issue 18, twelfth review (adversarial review of `carriedExclusions`, commit 5a59b25), low-medium, availability
// (fixed): the excluded-lockout fix ages a relayed exclusion out after 7 epochs once the payer has proved at the node,
// but nothing stops the relay from being made again. Another origin (evil.test) that the payer calls once every 6
// epochs, answering each call with the honest node's own premium challenge (free to fetch; the payer does not reach
// it), keeps every member above the payer ruled out under the node's key: the payer, alone between the two levels,
// is refused `WOULD_LINK` at the node's ordinary level every day for as long as the relays go on, though the node
// never saw any of them. One challenge fetched per 6 epochs, no payment, no stake.
// Steps: e0, the payer proves at weather.test (1,000,000 ppb, 8 reach it); evil.test relays the node's premium
// challenge (25,000,000 ppb: the 7 others reach it) at e0, e0+6, e0+12 and e0+18; the payer calls weather.test every
// day from e0+1 to e0+21: refused each time. The control: one relay at e0 only, the payer proves again at e0+7.
// Fixed: a proof at a level reaching every member of a level the node key and the origin were each shown a proof at
// themselves, in the window, against the same root, narrows neither (each holds the payer among those already,
// relayed exclusions or not), and is made whatever the members left in common: the payer proves at the ordinary level
// every day, relays or not. The relayed exclusions stay carried (the twelfth review's privacy breaks): a level that
// would narrow the payer further there stays refused for as long as the chain of visits lasts.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { MIN_SCORE, operatorNodes, recordingHolder, SCORES, snapshotOf } from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;
/** A level above the payer's score (2,000,000 ppb) and below the 7 others' (50,000,000 ppb). */
const PREMIUM = 25_000_000;
const DAYS = 21;

async function renewedRelays(every: number | undefined) {
  const { clock, gatingRoots, call } = await operatorNodes();
  const payer = generateAgentKey();
  const others = Array.from({ length: 7 }, () => generateAgentKey());
  const snapshot = await snapshotOf(
    new Map<AgentKey, number>([
      [payer, 2 * MIN_SCORE],
      ...others.map((key) => [key, SCORES.high] as [AgentKey, number]),
    ]),
  );
  const { holder, proved } = await recordingHolder(payer, [snapshot], { shows: true });
  const fetch = call(holder);
  const relay = async () =>
    expect(await fetch(gatingRoots('premium', [snapshot.root], PREMIUM), 'http://evil.test')).toMatchObject({
      code: ErrorCode.InvalidProof,
    });
  await fetch(gatingRoots('weather', [snapshot.root]), 'http://weather.test');
  expect(proved).toHaveLength(1);
  await relay();
  const daily: unknown[] = [];
  for (let day = 1; day <= DAYS; day++) {
    clock.advance(DAY_MS);
    if (every !== undefined && day % every === 0) await relay();
    daily.push(await fetch(gatingRoots('weather', [snapshot.root]), 'http://weather.test'));
  }
  return { daily, proved };
}

describe('a relay renewed every 6 epochs keeps the payer out of an honest node', () => {
  it('proves at the honest node every day of 21, relays renewed every 6 epochs', async () => {
    const { daily, proved } = await renewedRelays(6);
    // The attack's measure: every one of the 21 days was refused, no proof after e0.
    for (const day of daily) expect(day).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(1 + DAYS);
  });

  it('proves there every day after a single relay (the control)', async () => {
    const { daily, proved } = await renewedRelays(undefined);
    for (const day of daily) expect(day).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(1 + DAYS);
  });
});
