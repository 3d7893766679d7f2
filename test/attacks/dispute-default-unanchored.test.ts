// The blacklist has a path the time rule does not reach (review of the time rule): a `blacklist-dispute-losers`
// standing rule, itself installed by a decision anchored in time, counts disputes decided on claimed times alone. A
// payer publishes today a dispute opening it dated over an hour back, its answer deadline already past: the provider
// never saw it, has lost by default, and is blacklisted on every replica the moment the opening arrives, with no
// block bounding any of it. Fixed: a default loss needs the opening anchored in a block dated at least the least
// answer period before its deadline (`openingTiming`), so an opening nobody could see in time decides nothing.
import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeAnchors, disputeEventCommitment } from '../../src/anchor/index.js';
import { HEADER_TIME_TOLERANCE, utf8 } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
import { readDispute } from '../../src/disputes/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { type Prover, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { buildWorld, idOf, T } from '../disputes/fixture.js';
import { decisionAnchor } from '../fixtures/decision-anchor.js';
import { equalTerms, memberProposal } from '../fixtures/member-vote.js';
import { voteZk } from '../fixtures/zk.js';

let prover: Prover;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await voteZk());
}, 60_000);

afterAll(() => releaseCurve());

describe('a dispute opening published after its own answer deadline', () => {
  it('does not blacklist the provider that never saw it', async () => {
    const world = await buildWorld({ verifier, jurorCount: 2 });
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({ network: 'regtest', verifier }),
    });
    try {
      await ledger.importLines(world.base.map((event) => JSON.stringify(event)));
      // The community installs the standing rule: one lost dispute within 30 days blacklists a provider.
      const proposer = world.custodian;
      const install = equalTerms(
        { opens: T + 60, closes: T + 70 },
        [{ type: 'rule.install', rule: { kind: 'blacklist-dispute-losers', losses: 1, days: 30 } }],
        0,
      );
      const { id, events, vote } = await memberProposal(ledger, prover, proposer, install, T + 50);
      await ledger.appendBatch([...events, ...(await vote(proposer, T + 61))]);
      await ledger.appendBatch(await decisionAnchor(ledger, proposer, id, T + 80));
      const now = world.openedBody.answerBy + 60;
      const before = await governedState(ledger, now);
      expect(before.rules().map((rule) => rule.kind)).toEqual(['blacklist-dispute-losers']);
      expect(before.has(world.provider.id)).toBe(false);

      // A minute after its deadline, the opening (dated an hour and a half back) is published for the first time.
      await ledger.append(world.opened);
      // The attack: the provider had no chance to answer, and would be blacklisted at once.
      expect((await governedState(ledger, now)).has(world.provider.id)).toBe(false);
      // Anchored now, an hour and a half after its claimed time, the opening still never counts against it.
      const late = regtestAnchorOf(
        proposer,
        idOf(world.opened),
        disputeEventCommitment(idOf(world.opened)),
        now,
        { height: 900_010, bytes: (label) => sha256(utf8(`late ${label}`)) },
      );
      await ledger.appendBatch(late.events);
      // Void once an answer anchored in time can no longer come (2 hours after the deadline), never a loss.
      const closed = world.openedBody.answerBy + HEADER_TIME_TOLERANCE;
      expect(
        await readDispute(ledger, idOf(world.opened), closed, {
          anchors: await disputeAnchors(ledger, closed),
        }),
      ).toMatchObject({
        status: 'void',
      });
      expect((await governedState(ledger, now)).has(world.provider.id)).toBe(false);
      expect((await governedState(ledger, closed)).has(world.provider.id)).toBe(false);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
