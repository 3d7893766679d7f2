import { AgoraError, ErrorCode } from '../core/index.js';
import type { Ledger, LedgerEvent } from '../ledger/index.js';
import {
  readLock,
  STAKE_SHARE_INDEX,
  type StakeCustodian,
  type StakeSettledBody,
  type StakeShare,
} from '../stake/index.js';
import { absentPenalties } from './absent-penalty.js';
import { type DisputeView, type ReadDisputeOptions, readDispute } from './dispute-state.js';
import { type BondInstruction, settlement } from './settlement.js';

/** Where one instruction of a final dispute stands in the ledger. */
export interface BondProgress {
  readonly instruction: BondInstruction;
  /**
   * `owed`: its stake has not ended yet; `done`: ended as instructed (released, or settled with exactly these shares
   * for this dispute); `deviates`: the custodian ended it otherwise (released a stake it should have settled, settled
   * other shares, or for another cause), evidence against that custodian.
   */
  readonly status: 'owed' | 'done' | 'deviates';
  /** For a settled stake: each share and whether its `stake.paid` is stored. */
  readonly shares: readonly { readonly to: string; readonly sat: bigint; readonly paid: boolean }[];
}

/** What a final dispute owes: its bonds' settlement and the absent jurors' penalties. `INVALID_STATE` before. */
async function owed(
  ledger: Ledger,
  view: DisputeView,
  options: ReadDisputeOptions,
): Promise<BondInstruction[]> {
  const bonds = settlement(view);
  const penalties = await absentPenalties(ledger, view, options);
  if (bonds === undefined || penalties === undefined)
    throw new AgoraError(ErrorCode.InvalidState, `dispute ${view.id} is ${view.status}: nothing is owed yet`);
  return [...bonds, ...penalties];
}

const sharesOf = (instruction: BondInstruction): StakeShare[] =>
  instruction.payouts.map(({ to, sat }) => ({ to, sat: sat.toString() }));

const sameShares = (a: readonly StakeShare[], b: readonly StakeShare[]) =>
  a.length === b.length && a.every((share, i) => share.to === b[i]?.to && share.sat === b[i]?.sat);

/**
 * How far the custodians carried out what a final dispute owes, as a pure function of the ledger: for each bond (and
 * absent juror's stake) instruction, whether its stake ended as instructed and which shares were paid. Every replica
 * reads the same, and a custodian that moved sats otherwise shows as `deviates`. `options`: the times `view` was
 * read with (the absent penalties need them, see {@link absentPenalties}).
 */
export async function bondProgress(
  ledger: Ledger,
  view: DisputeView,
  options: ReadDisputeOptions = {},
): Promise<BondProgress[]> {
  const progress: BondProgress[] = [];
  for (const instruction of await owed(ledger, view, options)) {
    // The lock the dispute counted, whatever rival lock of its payment its custodian signed later: how it ended.
    const ending = (await readLock(ledger, instruction.lock))?.stake.ending;
    const shares = sharesOf(instruction);
    let status: BondProgress['status'] = 'owed';
    let paid = new Set<string>();
    if (ending !== undefined) {
      const event = (await ledger.get(ending.id))?.event as LedgerEvent;
      if (instruction.action === 'release') status = ending.kind === 'released' ? 'done' : 'deviates';
      else if (ending.kind !== 'settled') status = 'deviates';
      else {
        const body = event.body as unknown as StakeSettledBody;
        status = body.cause === view.id && sameShares(body.shares, shares) ? 'done' : 'deviates';
        if (status === 'done') paid = await paidShares(ledger, ending.id, shares, event.author as string);
      }
    }
    progress.push({
      instruction,
      status,
      shares: instruction.payouts.map(({ to, sat }) => ({ to, sat, paid: paid.has(to) })),
    });
  }
  return progress;
}

async function paidShares(
  ledger: Ledger,
  settlementId: string,
  shares: readonly StakeShare[],
  custodian: string,
): Promise<Set<string>> {
  const paid = new Set<string>();
  for (const { to } of shares)
    for await (const { event } of ledger.byIndex(STAKE_SHARE_INDEX, `${settlementId}:${to}`))
      if (event.type === 'stake.paid' && event.author === custodian) paid.add(to);
  return paid;
}

/**
 * The custodian's action once a dispute is final: for every bond (and absent juror's stake) it holds, carry out what
 * the ledger says is owed ({@link bondProgress}): release the winners' bonds, settle the losers' with their shares
 * (`stake.settled`; each payee then claims its share, paid with `StakeCustodian.payShare`). Idempotent and crash-safe:
 * stakes that ended already are left alone, and each step is recorded by the custodian before its Lightning action
 * (see `StakeCustodian.recover`). Returns the endings it recorded now. `INVALID_STATE` while the dispute is not final
 * (an unanswered one is final by default only with its opening anchored in time: pass `options.anchors`).
 */
export async function settleDisputeBonds(
  custodian: StakeCustodian,
  ledger: Ledger,
  disputeId: string,
  now: number,
  options: ReadDisputeOptions = {},
): Promise<LedgerEvent[]> {
  const view = await readDispute(ledger, disputeId, now, options);
  const recorded: LedgerEvent[] = [];
  for (const { instruction, status } of await bondProgress(ledger, view, options)) {
    if (instruction.custodian !== custodian.id || status !== 'owed') continue;
    recorded.push(
      instruction.action === 'release'
        ? await custodian.release(instruction.lock, { decided: true })
        : await custodian.settle(instruction.lock, sharesOf(instruction), disputeId),
    );
  }
  return recorded;
}
