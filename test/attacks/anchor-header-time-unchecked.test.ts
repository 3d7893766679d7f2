// The time rule trusts an anchor block's header time (review of the time rule). docs/security.md rests it on Bitcoin's
// consensus: a block's time is above the median of the 11 before it. The header chain verified from the checkpoint
// checks links, nBits and proof of work only, never a time, and takes a run off any verified block (a fork) as well:
// one block of the chain's work, mined on any block after the checkpoint, may carry any time, a year before its own
// parent's. Here, on a regtest network configured with a checkpoint (the rules mainnet's shipped checkpoint enforces,
// at regtest's difficulty), an agent registered dated a year back chooses the electorate of that moment, anchors its
// blacklist in a block dated then, and it takes effect.
import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockWork,
  buildAnchorTransaction,
  type Checkpoint,
  createAnchorCommitted,
  createAnchorConfirmed,
  createAnchorHeaders,
  merkleBranch,
  merkleRootFromBranch,
  parseBlockHeader,
  proposalCommitment,
} from '../../src/anchor/index.js';
import { fromHex, ManualClock, toHex, utf8 } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
import {
  castPrivateVote,
  createProposal,
  draftProposal,
  type ProposalTerms,
  tallyProposal,
} from '../../src/governance/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { Prover, releaseCurve, Verifier } from '../../src/zk/index.js';
import { mineHeader } from '../anchor/regtest-chain.js';

const NOW = 1_800_000_000;
const DAY = 86_400;
const OLD = NOW - 365 * DAY;
const at = (seconds: number) => new ManualClock(seconds * 1000);
let prover: Prover;
let verifier: Verifier;

beforeAll(async () => {
  [prover, verifier] = await Promise.all([Prover.load(), Verifier.load()]);
}, 60_000);

afterAll(() => releaseCurve());

describe('an anchor block dated before its parent', () => {
  it('does not let a decision on the electorate of a year ago take effect', async () => {
    // The network's checkpoint: a block of a day ago, at height 100.
    const top = mineHeader('00'.repeat(32), toHex(sha256(utf8('checkpoint'))), NOW - DAY);
    const checkpoint: Checkpoint = {
      height: 100,
      hash: parseBlockHeader(top).hash,
      header: top,
      chainWork: 1000n,
    };
    const honest = Array.from({ length: 3 }, () => generateAgentKey());
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({
        network: { chain: 'regtest', checkpoint },
        verifier,
        config: { seeds: honest.map((key) => key.id) },
      }),
    });
    try {
      await ledger.appendBatch(
        await Promise.all(honest.map((key) => createAgentRegistration(key, { clock: at(NOW - 10 * DAY) }))),
      );
      const victim = honest[0]?.id as string;
      const attacker = generateAgentKey();
      await ledger.append(await createAgentRegistration(attacker, { clock: at(OLD) }));
      const terms: ProposalTerms = {
        title: 'Blacklist a provider',
        options: ['for', 'against', 'abstain'],
        counting: 'single',
        weightMode: 'equal',
        quorum: 1_000,
        threshold: 5_000,
        window: { opens: OLD + 20, closes: OLD + 100 },
        minWeight: '1',
        minAnonymity: 1,
        actions: [{ type: 'blacklist.add', agent: victim }],
      };
      const drafted = await draftProposal(ledger, terms, {
        proposer: attacker,
        asOf: OLD + 10,
        clock: at(OLD + 10),
      });
      const proposal = createProposal(attacker, drafted.body, { clock: at(OLD + 10) });
      const id = parseEnvelope(proposal).id;
      const vote = await castPrivateVote(prover, {
        proposal: { id, event: proposal },
        ballot: { choice: 'for' },
        secret: (await zkIdentity(attacker)).secret,
        weight: drafted.snapshot.members[0]?.weight as bigint,
        path: drafted.tree.path(0),
        members: drafted.snapshot.members,
        clock: at(OLD + 30),
      });
      await ledger.appendBatch([...drafted.sources, proposal, ...vote.pieces.map((piece) => piece.event)]);
      expect((await tallyProposal(ledger, id)).outcome.state).toBe('succeeded');

      // Today, one block of the chain's work on the checkpoint, dated a year before it, holds the anchor.
      const { commitment } = await proposalCommitment(ledger, id, NOW);
      const tx = buildAnchorTransaction({
        secretKey: sha256(utf8('attacker wallet')),
        chain: 'regtest',
        utxos: [{ txid: toHex(sha256(utf8('attacker coin'))), vout: 0, amountSat: 100_000n }],
        commitment: fromHex(commitment),
        feeRate: 2,
      });
      const branch = merkleBranch([toHex(sha256(utf8('coinbase'))), tx.txid], 1);
      const block = mineHeader(checkpoint.hash, merkleRootFromBranch(tx.txid, branch), OLD + 200);
      await ledger.append(
        createAnchorHeaders(attacker, {
          height: 100,
          headers: [top, block],
          chainWork: (1000n + blockWork(0x207fffff)).toString(),
        }),
      );
      const { id: committed } = await ledger.append(
        createAnchorCommitted(attacker, { proposal: id, commitment, txid: tx.txid, chain: 'regtest' }),
      );
      await ledger.append(
        createAnchorConfirmed(attacker, {
          committed,
          proposal: id,
          proof: { tx: tx.hex, branch, height: 101 },
          headers: { 101: block },
        }),
      );
      // The attack: the electorate of a year ago (the attacker alone) blacklists an honest agent on this replica.
      expect((await governedState(ledger, NOW)).has(victim)).toBe(false);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
