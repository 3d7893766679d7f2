import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  type AnchorCommittedBody,
  anchorEventTypes,
  createAnchorCommitted,
  createAnchorConfirmed,
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

describe('anchor events', () => {
  it('record a commitment for a stored proposal and its SPV-checked confirmation; refuse every tampered part', async () => {
    const electorate = await stakedElectorate([10n], PAST, PAST - 10);
    const voter = electorate.voters[0] as Voter;
    const proposal = electorate.propose(voter, PAST, {
      title: 'x',
      options: ['a', 'b'],
      counting: 'approval',
      quorum: 0,
      window: { opens: PAST + 1, closes: PAST + 2 },
    });
    const proposalId = parseEnvelope(proposal).id;
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([...electorateTypes, proposalCreatedType, ...anchorEventTypes('regtest')]),
    });
    await ledger.appendBatch([...electorate.registrations, proposal]);
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
});
