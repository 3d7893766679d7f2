// The whole governance path on the sim network: paid API calls leave receipts (reputation), stakes are locked through
// hold invoices, four proposals (one per weight mode and counting method) take anonymous votes with real proofs, the
// process restarts in the middle, the tallies match a count made by hand, and the stakes are released after the vote.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorEventTypes } from '../../src/anchor/index.js';
import { ErrorCode, ManualClock, unixSeconds } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
import {
  type BallotOf,
  type CountingMethod,
  castVote,
  checkSnapshot,
  createProposal,
  delegationSetType,
  draftProposal,
  type ProposalBody,
  type ProposalTerms,
  pieceRuleOf,
  piecesOf,
  proposalCreatedType,
  scaledWeight,
  snapshotSourcesType,
  tallyProposal,
  UNIT_SCALE,
  voteCastType,
} from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  Ledger,
  type LedgerEvent,
  parseEnvelope,
} from '../../src/ledger/index.js';
import { SimNetwork, type SimNode } from '../../src/lightning/index.js';
import { createReceipt, rateReceipt, receiptRatingType, receiptType } from '../../src/receipts/index.js';
import { Reputation } from '../../src/reputation/index.js';
import {
  type LockedStake,
  lockStake,
  readStakes,
  StakeCustodian,
  stakeEventTypes,
  stakeState,
} from '../../src/stake/index.js';
import { MembershipTree, Prover, releaseCurve, Verifier } from '../../src/zk/index.js';
import { decisionAnchor } from '../fixtures/decision-anchor.js';
import { rejectedAgoraError } from '../helpers.js';

const NOW = 1_800_000_000;
const OPENS = NOW + 100;
const CLOSES = NOW + 3_600;
const UNTIL = NOW + 7_200;

let prover: Prover;
let verifier: Verifier;
let dir: string;

beforeAll(async () => {
  [prover, verifier] = await Promise.all([Prover.load(), Verifier.load()]);
  dir = await mkdtemp(join(tmpdir(), 'agora-e2e-'));
}, 60_000);

afterAll(async () => {
  await releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

interface Agent {
  readonly key: AgentKey;
  readonly node: SimNode;
}

describe('governance end to end on the sim network', () => {
  it('receipts and stakes give the weights, anonymous votes decide four proposals, stakes survive a restart and are released', async () => {
    const clock = new ManualClock((NOW - 1_000) * 1000);
    const network = new SimNetwork({ clock });
    const hub = network.createNode('hub');
    const agent = (name: string): Agent => {
      const node = network.createNode(name);
      network.openChannel(node, hub, { capacitySat: 2_000_000, pushSat: 1_000_000 });
      return { key: generateAgentKey(), node };
    };
    const [a, b, c, provider, custodianAgent] = ['a', 'b', 'c', 'provider', 'custodian'].map(agent) as [
      Agent,
      Agent,
      Agent,
      Agent,
      Agent,
    ];
    const voters = [a, b, c];
    const registry = () =>
      new EventRegistry(
        [
          agentRegisteredType,
          receiptType,
          receiptRatingType,
          delegationSetType,
          proposalCreatedType,
          snapshotSourcesType,
          voteCastType(verifier),
          ...stakeEventTypes,
          ...anchorEventTypes('regtest'),
        ],
        { chain: 'regtest' },
      );
    const path = join(dir, 'ledger');
    let ledger = await Ledger.open(path, { registry: registry() });
    try {
      for (const { key, node } of [a, b, c, provider, custodianAgent])
        await ledger.append(await createAgentRegistration(key, { nodeKeys: [node.nodeKey], clock }));

      // Paid API calls: each voter pays the provider, the provider signs a receipt, the payer rates it.
      clock.advance(60_000);
      for (const [payer, calls] of [
        [a, 3],
        [b, 2],
        [c, 1],
      ] as const) {
        for (let call = 0; call < calls; call++) {
          const invoice = await provider.node.createInvoice({ amountMsat: 200_000 });
          const { preimage } = await payer.node.payInvoice(invoice.paymentRequest);
          const receipt = createReceipt(
            provider.key,
            {
              service: 'weather',
              invoice: invoice.paymentRequest,
              paymentHash: invoice.paymentHash,
              preimage,
              amountMsat: 200_000,
              payer: payer.key.id,
              status: 200,
              payerRating: 2,
            },
            { clock },
          );
          await ledger.append(receipt);
          await ledger.append(rateReceipt(payer.key, parseEnvelope(receipt).id, 2, { clock }));
        }
      }

      // Stakes through hold invoices: a and b keep their preimages (non-custodial), c's custodian could slash.
      clock.set(NOW * 1000);
      let custodian = await StakeCustodian.open({
        key: custodianAgent.key,
        backend: custodianAgent.node,
        ledger,
        clock,
      });
      const stakes: LockedStake[] = [];
      for (const [voter, amountSat, mode] of [
        [a, 40_000, 'non-custodial'],
        [b, 25_000, 'non-custodial'],
        [c, 9_000, 'custodial'],
      ] as const) {
        stakes.push(
          await lockStake({
            key: voter.key,
            backend: voter.node,
            custodian,
            amountSat,
            until: UNTIL,
            mode,
            sequence: 0,
            clock,
          }),
        );
      }

      // Four proposals by a, one per weight mode and counting method, snapshotted when their window opens.
      const terms = (
        title: string,
        weightMode: ProposalTerms['weightMode'],
        counting: CountingMethod,
        options: string[],
        extra: Partial<ProposalTerms> = {},
      ): ProposalTerms => ({
        title,
        options,
        counting,
        weightMode,
        quorum: 5_000,
        threshold: 5_000,
        window: { opens: OPENS, closes: CLOSES },
        minWeight: '1',
        // Exact weights, to check the counts by hand (anonymity has its own tests).
        minAnonymity: 1,
        actions: [],
        ...extra,
      });
      const drafts = [
        terms('Blacklist the garbage provider', 'reputation', 'single', ['for', 'against', 'abstain'], {
          quorum: 1_000,
          actions: [{ type: 'blacklist.add', agent: provider.key.id }],
        }),
        terms('Which regions to cover', 'stake', 'approval', ['x', 'y', 'z']),
        terms('Next service', 'quadratic', 'ranked', ['ma', 'mb', 'mc']),
        terms('Fee split', 'equal', 'weighted', ['p', 'q']),
      ];
      const proposals: {
        id: string;
        event: LedgerEvent;
        tree: MembershipTree;
        weights: Map<string, bigint>;
      }[] = [];
      for (const draft of drafts) {
        // The rule the snapshot check recomputes (at k = 8, capped at the members, whatever minAnonymity asks): each
        // weight counts down to the floor (`counted` below), so totals are the voters' weights without the bits below.
        const { body, sources, snapshot, tree } = await draftProposal(ledger, draft, {
          proposer: a.key,
          clock,
        });
        await ledger.appendBatch(sources);
        const event = createProposal(a.key, body, { clock });
        const { id } = await ledger.append(event);
        proposals.push({
          id,
          event,
          tree,
          weights: new Map(snapshot.members.map((m) => [m.agent, m.weight])),
        });
      }
      const [byReputation, byStake, byQuadratic, byEqual] = proposals as [
        (typeof proposals)[number],
        (typeof proposals)[number],
        (typeof proposals)[number],
        (typeof proposals)[number],
      ];
      // The weights each mode gives, from the receipts and the stakes: reputation in the unit the snapshot's rule
      // recomputes (its scores times scale / 2^16, here a unit whose bits more of the few members share).
      const scores = await Reputation.fromLedger(ledger, { asOf: OPENS });
      const byReputationBody = byReputation.event.body as unknown as ProposalBody;
      const scale = byReputationBody.pieces?.scale ?? UNIT_SCALE;
      for (const voter of voters)
        expect(byReputation.weights.get(voter.key.id)).toBe(
          scaledWeight(BigInt(scores.score(voter.key.id)), scale),
        );
      expect(voters.map((v) => byStake.weights.get(v.key.id))).toEqual([40_000n, 25_000n, 9_000n]);
      expect(voters.map((v) => byQuadratic.weights.get(v.key.id))).toEqual([200n, 158n, 94n]);
      expect(byEqual.weights.size).toBe(5);

      // The process restarts: the ledger and the custodian come back, the stakes are still held.
      await ledger.close();
      ledger = await Ledger.open(path, { registry: registry() });
      custodian = await StakeCustodian.open({
        key: custodianAgent.key,
        backend: custodianAgent.node,
        ledger,
        clock,
      });
      const held = await readStakes(ledger);
      expect(held.map((s) => stakeState(s, unixSeconds(clock)))).toEqual(['locked', 'locked', 'locked']);
      for (const voter of voters) expect((await voter.node.balance()).inFlightMsat).toBeGreaterThan(0);
      // Every replica rebuilds the same snapshots from the events their checkpoints list.
      for (const { id } of proposals) expect((await checkSnapshot(ledger, id)).status).toBe('valid');

      // Anonymous votes inside the window, appended as one batch (batch proof verification).
      clock.advance((OPENS + 60 - NOW) * 1000);
      const vote = async <M extends CountingMethod>(
        proposal: (typeof proposals)[number],
        voter: Agent,
        ballot: BallotOf[M],
        when = unixSeconds(clock),
      ) => {
        const weight = proposal.weights.get(voter.key.id) as bigint;
        const index = [...proposal.weights.keys()].indexOf(voter.key.id);
        // Every piece at or above the floor (a piece below it hides nobody and is not counted: not proved here).
        const events: LedgerEvent[] = [];
        for (const piece of piecesOf(weight, pieceRuleOf(proposal.event.body as unknown as ProposalBody)))
          events.push(
            await castVote(prover, {
              proposal,
              ballot,
              secret: (await zkIdentity(voter.key)).secret,
              weight,
              path: proposal.tree.path(index),
              piece,
              clock: new ManualClock(when * 1000),
            }),
          );
        return events;
      };
      /** What the tally counts of a weight under a proposal's rule: the weight without its bits below the floor. */
      const counted = (proposal: (typeof proposals)[number], weight: bigint) => {
        const { floor } = pieceRuleOf(proposal.event.body as unknown as ProposalBody);
        return (weight >> BigInt(floor)) << BigInt(floor);
      };
      const byVoter: LedgerEvent[][] = [
        await vote(byReputation, a, { choice: 'for' }),
        await vote(byReputation, b, { choice: 'against' }),
        await vote(byReputation, c, { choice: 'for' }),
        await vote(byStake, a, { approve: ['x', 'y'] }),
        await vote(byStake, b, { approve: ['y'] }),
        await vote(byStake, c, { approve: ['z'] }),
        await vote(byQuadratic, a, { ranking: ['ma', 'mb'] }),
        await vote(byQuadratic, b, { ranking: ['mb', 'mc'] }),
        await vote(byQuadratic, c, { ranking: ['mc', 'mb'] }),
        await vote(byEqual, a, { split: { p: 10_000 } }),
        await vote(byEqual, b, { split: { p: 6_000, q: 4_000 } }),
        await vote(byEqual, c, { split: { q: 10_000 } }),
      ];
      await ledger.appendBatch(byVoter.flat());
      const stakeTop = pieceRuleOf(byStake.event.body as unknown as ProposalBody).top;

      // Refused: a vote proved against a foreign tree, a late vote, a tampered proof. A double vote is kept as
      // evidence and not counted.
      const foreignTree = await MembershipTree.build([
        { commitment: (await zkIdentity(b.key)).commitment, weight: 1_000_000n },
      ]);
      const foreign = await castVote(prover, {
        proposal: byStake,
        ballot: { approve: ['z'] },
        secret: (await zkIdentity(b.key)).secret,
        weight: 1_000_000n,
        path: foreignTree.path(0),
        piece: { exponent: stakeTop, index: 0n },
        clock,
      }).catch((error: unknown) => error);
      // The prover itself refuses a path that does not lead to the proposal's root...
      expect((foreign as { code?: string }).code).toBe(ErrorCode.InvalidProof);
      // ...so the foreign vote is proved for a copy of the proposal that names the foreign root.
      const forged = await castVote(prover, {
        proposal: {
          id: byStake.id,
          event: {
            ...byStake.event,
            body: {
              ...(byStake.event.body as object),
              snapshot: {
                ...(byStake.event.body as unknown as ProposalBody).snapshot,
                root: foreignTree.root.toString(),
                total: '1000000',
                members: 1,
              },
            },
          } as unknown as LedgerEvent,
        },
        ballot: { approve: ['z'] },
        secret: (await zkIdentity(b.key)).secret,
        weight: 1_000_000n,
        path: foreignTree.path(0),
        piece: { exponent: stakeTop, index: 0n },
        clock,
      });
      await rejectedAgoraError(ledger.append(forged), ErrorCode.InvalidProof);
      await rejectedAgoraError(
        ledger.append((await vote(byStake, c, { approve: ['x'] }, CLOSES))[0] as LedgerEvent),
        ErrorCode.InvalidEvent,
      );
      const tampered = structuredClone(
        (await vote(byEqual, a, { split: { q: 10_000 } }))[0],
      ) as LedgerEvent & {
        proof: { pi_c: string[] };
      };
      tampered.proof.pi_c[0] = String(BigInt(tampered.proof.pi_c[0] as string) + 1n);
      await rejectedAgoraError(ledger.append(tampered), ErrorCode.InvalidProof);
      const again = await vote(byStake, c, { approve: ['x', 'y', 'z'] });
      await ledger.appendBatch(again);

      // After the close: each tally is the count made by hand.
      clock.advance((CLOSES - unixSeconds(clock)) * 1000);
      const [sa, sb, sc] = voters.map((v) =>
        counted(byReputation, byReputation.weights.get(v.key.id) as bigint),
      ) as [bigint, bigint, bigint];
      const reputation = await tallyProposal(ledger, byReputation.id);
      expect(reputation.tally.totals).toEqual({ for: sa + sc, against: sb, abstain: 0n });
      const reputationTotal = [...byReputation.weights.values()].reduce((x, y) => x + y, 0n);
      const reachesQuorum = (sa + sb + sc) * 10_000n >= 1_000n * reputationTotal;
      expect(reachesQuorum && sa + sc > sb).toBe(true);
      expect(reputation.outcome).toEqual({ state: 'succeeded', quorumReached: true, winner: 'for' });

      const stake = await tallyProposal(ledger, byStake.id);
      // c voted twice, piece by piece with the same nullifiers: the lower event id is counted, the other kept as
      // evidence.
      const cPieces = byVoter[5] as LedgerEvent[];
      const pairs = cPieces.map((piece, i) => {
        const [first, second] = [parseEnvelope(piece).id, parseEnvelope(again[i]).id];
        return { piece, first, second };
      });
      expect(stake.doubleVotes).toEqual(
        pairs
          .map(({ piece, first, second }) => ({
            nullifier: (piece.body as { nullifier: string }).nullifier,
            kept: first < second ? first : second,
            evidence: [first < second ? second : first],
          }))
          .sort((x, y) => (x.nullifier < y.nullifier ? -1 : 1)),
      );
      expect(stake.counted).toHaveLength(byVoter.slice(3, 6).flat().length);
      const cAlsoApproves = pairs.reduce(
        (sum, { piece, first, second }) =>
          sum + (first < second ? 0n : BigInt((piece.body as { votingWeight: string }).votingWeight)),
        0n,
      );
      const [xa, xb, xc] = [40_000n, 25_000n, 9_000n].map((w) => counted(byStake, w)) as [
        bigint,
        bigint,
        bigint,
      ];
      expect(stake.tally.totals).toEqual({ x: xa + cAlsoApproves, y: xa + xb + cAlsoApproves, z: xc });
      expect(stake.outcome).toEqual({ state: 'succeeded', quorumReached: true, winner: 'y' });

      // Run-off: 200 / 158 / 94 counted down to the floor (2^3: 200 / 152 / 88 of 440) leaves nobody above half; mc
      // goes, its ballot moves to mb (240).
      const quadratic = await tallyProposal(ledger, byQuadratic.id);
      const [qa, qb, qc] = [200n, 158n, 94n].map((w) => counted(byQuadratic, w)) as [bigint, bigint, bigint];
      expect(quadratic.tally.rounds?.map((r) => r.totals)).toEqual([
        { ma: qa, mb: qb, mc: qc },
        { ma: qa, mb: qb + qc },
      ]);
      expect(quadratic.outcome).toEqual({ state: 'succeeded', quorumReached: true, winner: 'mb' });

      // Weighted split, equal weights: p = 1 + 0.6, q = 0.4 + 1, in 1/10,000 units; 3 of 5 members took part.
      const equal = await tallyProposal(ledger, byEqual.id);
      expect(equal.tally.totals).toEqual({ p: 16_000n, q: 14_000n });
      expect(equal.tally.participation).toBe(3n);
      expect(equal.outcome).toEqual({ state: 'succeeded', quorumReached: true, winner: 'p' });

      // The decision is carried out once its result is anchored in time: the provider is then on the blacklist the
      // L402 caveat reads.
      const unanchored = await governedState(ledger, CLOSES);
      expect(unanchored.has(provider.key.id)).toBe(false);
      expect(unanchored.held.length).toBeGreaterThan(0);
      for (const [i, { id }] of proposals.entries())
        await ledger.appendBatch(await decisionAnchor(ledger, a.key, id, CLOSES + 600, 900_000 + 10 * i));
      const decided = await governedState(ledger, CLOSES);
      expect(decided.has(provider.key.id)).toBe(true);
      expect((await governedState(ledger, CLOSES - 1)).has(provider.key.id)).toBe(false);

      // A replica that receives the same events in another order (newest first, each event retried until what it
      // refers to has arrived) agrees on every tally, the double vote, the decisions and the stakes.
      const replica = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
      let pending: unknown[] = [];
      for await (const line of ledger.exportLines()) pending.unshift(JSON.parse(line));
      while (pending.length > 0) {
        const missing: unknown[] = [];
        for (const event of pending) await replica.append(event).catch(() => missing.push(event));
        expect(missing.length).toBeLessThan(pending.length);
        pending = missing;
      }
      for (const { id } of proposals)
        expect(await tallyProposal(replica, id)).toEqual(await tallyProposal(ledger, id));
      expect((await governedState(replica, CLOSES)).applied).toEqual(decided.applied);
      expect(await readStakes(replica)).toEqual(await readStakes(ledger));
      await replica.close();

      // The stakes were promised until UNTIL: released then, not before; the sats go back to the stakers.
      expect(await custodian.releaseDue()).toEqual([]);
      clock.advance((UNTIL - unixSeconds(clock)) * 1000);
      expect(await custodian.releaseDue()).toHaveLength(3);
      expect(await Promise.all(stakes.map((s) => s.ended))).toEqual(['returned', 'returned', 'returned']);
      for (const voter of voters) expect((await voter.node.balance()).inFlightMsat).toBe(0);
      expect((await readStakes(ledger)).map((s) => stakeState(s, UNTIL))).toEqual([
        'released',
        'released',
        'released',
      ]);
    } finally {
      await ledger.close();
    }
  }, 900_000);
});
