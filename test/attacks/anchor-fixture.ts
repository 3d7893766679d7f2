// A closed proposal in a ledger, and a self-mined anchor of its commitment: what an attacker who never touched
// Bitcoin's main chain can produce in milliseconds (regtest difficulty).

import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryLevel } from 'memory-level';
import {
  buildAnchorTransaction,
  merkleBranch,
  merkleRootFromBranch,
  parseBlockHeader,
  proposalCommitment,
} from '../../src/anchor/index.js';
import { toHex, utf8 } from '../../src/core/index.js';
import { EventRegistry, Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { mineHeader } from '../anchor/regtest-chain.js';
import { stakedElectorate } from '../fixtures/electorate.js';

export const PAST = 1_700_000_000;
export const NOW = PAST + 1_000;

/** A ledger holding a proposal whose voting closed, and that proposal's commitment. */
export async function closedProposal(registry: EventRegistry) {
  const electorate = await stakedElectorate([100n], PAST, PAST - 10);
  const voter = electorate.voters[0] as (typeof electorate.voters)[number];
  const proposal = electorate.propose(voter, PAST, {
    title: 'Anchor me',
    quorum: 0,
    window: { opens: PAST + 1, closes: PAST + 2 },
  });
  // The registry's network, accepting the electorate's custodian (stake weights need one on bitcoin).
  const network = {
    chain: registry.network?.chain ?? 'bitcoin',
    custodians: [electorate.custodian.id],
  } as const;
  const configured = new EventRegistry(
    registry.types().map((type) => registry.get(type)),
    { ...registry.network, ...network },
  );
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: configured });
  await ledger.appendBatch([...electorate.registrations, proposal]);
  const proposalId = parseEnvelope(proposal).id;
  const { commitment } = await proposalCommitment(ledger, proposalId, NOW);
  return { ledger, proposalId, commitment };
}

/** An anchor transaction for `commitment` in a self-mined block after `previous`, with `confirmations` headers. */
export function forgedAnchor(commitment: string, previous = '00'.repeat(32), confirmations = 3) {
  const tx = buildAnchorTransaction({
    secretKey: sha256(utf8('attacker wallet')),
    chain: 'regtest',
    utxos: [{ txid: toHex(sha256(utf8('attacker coin'))), vout: 0, amountSat: 100_000n }],
    commitment: Uint8Array.from(Buffer.from(commitment, 'hex')),
    feeRate: 2,
  });
  const txids = [toHex(sha256(utf8('coinbase'))), tx.txid];
  const branch = merkleBranch(txids, 1);
  const headers: string[] = [mineHeader(previous, merkleRootFromBranch(tx.txid, branch), 1_231_006_600)];
  while (headers.length < confirmations) {
    const parent = parseBlockHeader(headers[headers.length - 1] as string).hash;
    headers.push(
      mineHeader(
        parent,
        toHex(sha256(utf8(`block ${headers.length}`))),
        1_231_006_600 + 600 * headers.length,
      ),
    );
  }
  return { tx, branch, headers };
}
