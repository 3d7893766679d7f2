// The time rule trusts an anchor block's header time (review of the time rule). docs/security.md rests it on Bitcoin's
// consensus: a block's time is above the median of the 11 before it. The header chain verified from the checkpoint
// checked links, nBits and proof of work only, never a time, and took a run off any verified block (a fork) as well:
// one block of the chain's work, mined on any block after the checkpoint, could carry any time, a year before its own
// parent's. Here, on a regtest network configured with a checkpoint (the rules mainnet's shipped checkpoint enforces,
// at regtest's difficulty), an agent registered dated a year back chooses the electorate of that moment and anchors
// its blacklist in a block dated then: the run holding that block is now refused (its time is not after the
// checkpoint's median time past). And a fork block dated a year ahead, at a lower height than an honest anchor, no
// longer voids the honest decision: it does not count while dated more than 2 hours after `now`, and never while the
// honest chain has more work.
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
  witnessRound,
} from '../../src/anchor/index.js';
import { ErrorCode, fromHex, ManualClock, toHex, utf8 } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
import { tallyProposal } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { type Prover, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { mineHeader } from '../anchor/regtest-chain.js';
import { equalTerms, memberProposal } from '../fixtures/member-vote.js';
import { voteZk } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';

const NOW = 1_800_000_000;
const DAY = 86_400;
const OLD = NOW - 365 * DAY;
const at = (seconds: number) => new ManualClock(seconds * 1000);
let prover: Prover;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await voteZk());
}, 60_000);

afterAll(() => releaseCurve());

/**
 * A block mined on `previous` at `time` holding an anchor transaction (paid from `wallet`'s coin) of `proposal`'s
 * commitment (or `given`: a witness batch's); `record(height)` stores its `anchor.committed` and `anchor.confirmed` at
 * that height.
 */
async function anchorBlock(
  ledger: Ledger,
  key: AgentKey,
  proposal: string,
  previous: string,
  time: number,
  wallet: string,
  given?: string,
) {
  const commitment = given ?? (await proposalCommitment(ledger, proposal, NOW)).commitment;
  const tx = buildAnchorTransaction({
    secretKey: sha256(utf8(`${wallet} wallet`)),
    chain: 'regtest',
    utxos: [{ txid: toHex(sha256(utf8(`${wallet} coin`))), vout: 0, amountSat: 100_000n }],
    commitment: fromHex(commitment),
    feeRate: 2,
  });
  const branch = merkleBranch([toHex(sha256(utf8(`coinbase ${wallet}`))), tx.txid], 1);
  const header = mineHeader(previous, merkleRootFromBranch(tx.txid, branch), time);
  /** Stores the `anchor.confirmed` of `committed` in `block` (this block by default) at `height`. */
  const confirm = (committed: string, height: number, block = header) =>
    ledger.append(
      createAnchorConfirmed(key, {
        committed,
        proposal,
        proof: { tx: tx.hex, branch, height },
        headers: { [height]: block },
      }),
    );
  const record = async (height: number) => {
    const { id: committed } = await ledger.append(
      createAnchorCommitted(key, { proposal, commitment, txid: tx.txid, chain: 'regtest' }),
    );
    await confirm(committed, height);
    return committed;
  };
  return { header, record, confirm, merkleRoot: merkleRootFromBranch(tx.txid, branch) };
}

/**
 * The network's checkpoint (a block of a day ago, at height 100, with its median time past as `getblockheader` gives
 * it), its ledger and three honest agents registered.
 */
async function network() {
  const top = mineHeader('00'.repeat(32), toHex(sha256(utf8('checkpoint'))), NOW - DAY);
  const checkpoint: Checkpoint = {
    height: 100,
    hash: parseBlockHeader(top).hash,
    header: top,
    chainWork: 1000n,
    medianTimePast: NOW - DAY - 3_600,
  };
  const honest = Array.from({ length: 3 }, () => generateAgentKey());
  const ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: agoraRegistry({
      network: { chain: 'regtest', checkpoint },
      verifier,
      config: { seeds: honest.map((key) => key.id) },
    }),
  });
  await ledger.appendBatch(
    await Promise.all(honest.map((key) => createAgentRegistration(key, { clock: at(NOW - 10 * DAY) }))),
  );
  /** A header run from the checkpoint through `headers`, as anyone records it. */
  const run = (key: AgentKey, headers: string[]) =>
    createAnchorHeaders(key, {
      height: 100,
      headers: [top, ...headers],
      chainWork: (1000n + BigInt(headers.length) * blockWork(0x207fffff)).toString(),
    });
  return { checkpoint, honest, ledger, run };
}

/** `proposer` proposes to blacklist `victim` with a snapshot at `asOf` and the window after it, and votes for it. */
async function decided(ledger: Ledger, proposer: AgentKey, victim: string, asOf: number, closes: number) {
  const terms = equalTerms({ opens: asOf + 10, closes }, [{ type: 'blacklist.add', agent: victim }]);
  const { id, events, vote } = await memberProposal(ledger, prover, proposer, terms, asOf);
  await ledger.appendBatch([...events, ...(await vote(proposer, asOf + 20))]);
  expect((await tallyProposal(ledger, id)).outcome.state).toBe('succeeded');
  return id;
}

describe('an anchor block whose time no rule checks', () => {
  it('does not let a decision on the electorate of a year ago take effect', async () => {
    const { checkpoint, honest, ledger, run } = await network();
    try {
      const victim = honest[0]?.id as string;
      const attacker = generateAgentKey();
      await ledger.append(await createAgentRegistration(attacker, { clock: at(OLD) }));
      const id = await decided(ledger, attacker, victim, OLD + 10, OLD + 100);
      // Today, one block of the chain's work on the checkpoint, dated a year before it, holds the anchor: the run is
      // refused (its time is not after the checkpoint's median time past), so the anchor has no block to stand on.
      const block = await anchorBlock(ledger, attacker, id, checkpoint.hash, OLD + 200, 'attacker');
      await rejectedAgoraError(ledger.append(run(attacker, [block.header])), ErrorCode.InvalidEvent);
      await rejectedAgoraError(block.record(101), ErrorCode.MissingReference);
      // The attack: the electorate of a year ago (the attacker alone) blacklists an honest agent on this replica.
      expect((await governedState(ledger, NOW)).has(victim)).toBe(false);
    } finally {
      await ledger.close();
    }
  }, 120_000);

  // Fixed twice: only the heaviest recorded chain counts (src/anchor/best-chain.ts), and an anchor confirmed in time
  // stays in time whatever another block holding its transaction says later (src/anchor/anchored-decision.ts).
  it('does not let a fork block at a lower height, dated a year ahead, void an honest decision', async () => {
    const { checkpoint, honest, ledger, run } = await network();
    try {
      const [proposer, outsider] = [honest[1] as AgentKey, generateAgentKey()];
      const target = generateAgentKey().id;
      const id = await decided(ledger, proposer, target, NOW - 2 * DAY, NOW - DAY + 600);
      // The honest chain: block 101, then the honest anchor in block 102, on time.
      const filler = mineHeader(checkpoint.hash, toHex(sha256(utf8('block 101'))), NOW - DAY + 600);
      const fair = await anchorBlock(ledger, proposer, id, parseBlockHeader(filler).hash, NOW, 'honest');
      await ledger.append(run(proposer, [filler, fair.header]));
      const committed = await fair.record(102);
      // Another seed, and so a publication witness (the proposer's own events need another witness's listing),
      // shows what it holds in block 103, ten minutes later.
      const witness = honest[2] as AgentKey;
      const [batch] = await witnessRound(ledger, witness);
      if (batch === undefined) throw new Error('nothing to witness');
      await ledger.append(batch.event);
      const shown = await anchorBlock(
        ledger,
        witness,
        batch.id,
        parseBlockHeader(fair.header).hash,
        NOW + 600,
        'witness',
        batch.commitment,
      );
      await ledger.append(run(witness, [filler, fair.header, shown.header]));
      await shown.record(103);
      expect((await governedState(ledger, NOW + 3_600)).has(target)).toBe(true);
      // A fork block off the checkpoint, dated a year ahead, holding the honest transaction itself.
      const copy = mineHeader(checkpoint.hash, fair.merkleRoot, NOW + 365 * DAY);
      await ledger.append(run(outsider, [copy]));
      await fair.confirm(committed, 101, copy);
      expect((await governedState(ledger, NOW + 3_600)).has(target)).toBe(true);
      // One block of the chain's work forking off the checkpoint, dated a year ahead, anchors the same result lower.
      const fork = await anchorBlock(ledger, outsider, id, checkpoint.hash, NOW + 365 * DAY, 'outsider');
      await ledger.append(run(outsider, [fork.header]));
      await fork.record(101);
      // The attack: the "earliest" confirmation is the fork's, a year after voting closed: the decision is void. Not
      // counted now (dated a year ahead), nor a year on (the fork has less work than the honest chain).
      expect((await governedState(ledger, NOW + 3_600)).has(target)).toBe(true);
      expect((await governedState(ledger, NOW + 366 * DAY)).has(target)).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
