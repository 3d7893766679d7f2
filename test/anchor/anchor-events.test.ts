import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  type AnchorCommittedBody,
  anchorEventTypes,
  createAnchorCommitted,
  createAnchorConfirmed,
  MAX_ANCHORED_VOTES,
  txidOf,
} from '../../src/anchor/index.js';
import { ErrorCode } from '../../src/core/index.js';
import { proposalCreatedType } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { rejectedAgoraError } from '../helpers.js';
import { anchoredBlock } from './anchored-block.js';

const PAST = 1_700_000_000;

/** A regtest-anchoring ledger holding one stored proposal (and its electorate). */
async function proposalLedger() {
  const electorate = await stakedElectorate([10n], PAST, PAST - 10);
  const voter = electorate.voters[0] as Voter;
  const proposal = electorate.propose(voter, PAST, {
    title: 'x',
    options: ['a', 'b'],
    counting: 'approval',
    quorum: 0,
    window: { opens: PAST + 1, closes: PAST + 2 },
  });
  const ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([...electorateTypes, proposalCreatedType, ...anchorEventTypes('regtest')]),
  });
  await ledger.appendBatch([...electorate.registrations, proposal]);
  return { ledger, proposalId: parseEnvelope(proposal).id };
}

describe('anchor events', () => {
  it('record a commitment for a stored proposal and its SPV-checked confirmation; refuse every tampered part', async () => {
    const { ledger, proposalId } = await proposalLedger();
    const key = generateAgentKey();
    const { proof, headers } = anchoredBlock();
    const body: AnchorCommittedBody = {
      proposal: proposalId,
      commitment: proof.commitment,
      txid: txidOf(proof.tx),
      chain: 'regtest',
    };
    await rejectedAgoraError(
      ledger.append(createAnchorCommitted(key, { ...body, proposal: 'ab'.repeat(32) })),
      ErrorCode.MissingReference,
    );
    await rejectedAgoraError(
      ledger.append(createAnchorCommitted(key, { ...body, chain: 'litecoin' as never })),
      ErrorCode.InvalidEvent,
    );
    const { id: committed } = await ledger.append(createAnchorCommitted(key, body));
    // The chain is the ledger's configuration: a regtest ledger refuses a claim of the main chain.
    await rejectedAgoraError(
      ledger.append(createAnchorCommitted(key, { ...body, chain: 'bitcoin' })),
      ErrorCode.InvalidEvent,
    );

    const { commitment: _, ...txProof } = proof;
    const confirmed = (change: Record<string, unknown>) =>
      ledger.append(
        createAnchorConfirmed(key, {
          committed,
          proposal: proposalId,
          proof: txProof,
          headers,
          ...change,
        } as never),
      );
    await rejectedAgoraError(confirmed({ committed: 'cd'.repeat(32) }), ErrorCode.MissingReference);
    await rejectedAgoraError(confirmed({ proposal: 'cd'.repeat(32) }), ErrorCode.InvalidEvent);
    await rejectedAgoraError(confirmed({ headers: {} }), ErrorCode.InvalidProof);
    await rejectedAgoraError(
      confirmed({ proof: { ...txProof, branch: [...txProof.branch].reverse() } }),
      ErrorCode.InvalidProof,
    );
    await rejectedAgoraError(
      confirmed({ proof: { ...txProof, height: txProof.height + 1 } }),
      ErrorCode.InvalidProof,
    );
    await confirmed({});
    expect(ledger.stats().types['anchor.confirmed']).toBe(1);
    await ledger.close();
  });

  it('take the votes a commitment counts as event ids in ascending order, each once, at most 900', async () => {
    const { ledger, proposalId } = await proposalLedger();
    const key = generateAgentKey();
    const body: AnchorCommittedBody = {
      proposal: proposalId,
      commitment: 'ef'.repeat(32),
      txid: '12'.repeat(32),
      chain: 'regtest',
    };
    const withVotes = (votes: unknown) =>
      ledger.append(createAnchorCommitted(key, { ...body, votes } as never));
    const id = (n: number) => n.toString(16).padStart(64, '0');
    await withVotes([]);
    await withVotes(Array.from({ length: MAX_ANCHORED_VOTES }, (_, n) => id(n)));
    for (const bad of [
      [id(2), id(1)],
      [id(1), id(1)],
      [id(0xab).toUpperCase()],
      [id(1).slice(2)],
      [7],
      id(1),
      { 0: id(1) },
      Array.from({ length: MAX_ANCHORED_VOTES + 1 }, (_, n) => id(n)),
    ])
      await rejectedAgoraError(withVotes(bad), ErrorCode.InvalidEvent);
    // Any list of ids: accepted exactly when strictly ascending.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 5 }), async (numbers) => {
        const votes = numbers.map(id);
        const ascending = votes.every((v, i) => i === 0 || (votes[i - 1] as string) < v);
        const appended = withVotes(votes);
        if (ascending) await appended;
        else await rejectedAgoraError(appended, ErrorCode.InvalidEvent);
      }),
      { numRuns: 50 },
    );
    await ledger.close();
  });
});
