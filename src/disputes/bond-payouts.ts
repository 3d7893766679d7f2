import { AgoraError, ErrorCode } from '../core/index.js';
import type { Ledger, LedgerEvent } from '../ledger/index.js';
import {
  otherLockEndings,
  readLock,
  readStake,
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
   * other shares, or for another cause) or ended its payment through another lock of it (see `otherLockEndings`),
   * evidence against that custodian.
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
    const stored = await readLock(ledger, instruction.lock);
    const ending = stored?.stake.ending;
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
    // One payment is one hold invoice: ending another lock of it (the custodian's own equivocation, rival or later)
    // moved the bond's sats whatever the counted lock shows, so its instruction is not carried out as owed, never
    // merely late. The counted lock's paid shares are still shown.
    if (stored !== undefined && (await otherLockEndings(ledger, stored.stake)).length > 0)
      status = 'deviates';
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

/** An instruction a custodian owes on a lock it does not count as a stake, with why. */
export interface RefusedInstruction {
  readonly instruction: BondInstruction;
  /** `NOT_FOUND`: the counted bond is no stake to its custodian (a lower-id lock of its payment is stored). */
  readonly error: AgoraError;
}

/** What {@link settleDisputeBonds} did for one custodian. */
export interface DisputeBondsSettled {
  /** The endings recorded now. */
  readonly recorded: readonly LedgerEvent[];
  /** The owed instructions refused (left `owed` in {@link bondProgress}); the others were carried out regardless. */
  readonly refused: readonly RefusedInstruction[];
}

/**
 * The custodian's action once a dispute is final: for every bond (and absent juror's stake) it holds, carry out what
 * the ledger says is owed ({@link bondProgress}): release the winners' bonds, settle the losers' with their shares
 * (`stake.settled`; each payee then claims its share, paid with `StakeCustodian.payShare`). Idempotent and crash-safe:
 * stakes that ended already are left alone, and each step is recorded by the custodian before its Lightning action
 * (see `StakeCustodian.recover`). Returns the endings it recorded now, and the instructions refused: a counted bond
 * whose payment a lower-id rival lock holds (its custodian's equivocation, listed after the event it backs) is no
 * stake to the custodian, which never acts on one; it is reported and the others are still carried out. Any other
 * failure is thrown, and a second call picks up where it stopped. `INVALID_STATE` while the dispute is not final (an
 * unanswered one is final by default only with its opening anchored in time: pass `options.anchors`).
 */
export async function settleDisputeBonds(
  custodian: StakeCustodian,
  ledger: Ledger,
  disputeId: string,
  now: number,
  options: ReadDisputeOptions = {},
): Promise<DisputeBondsSettled> {
  const view = await readDispute(ledger, disputeId, now, options);
  const recorded: LedgerEvent[] = [];
  const refused: RefusedInstruction[] = [];
  for (const { instruction, status } of await bondProgress(ledger, view, options)) {
    if (instruction.custodian !== custodian.id || status !== 'owed') continue;
    // The custodian acts only on a lock its stake reads count (one rule for every ending): a counted bond whose payment
    // a lower-id rival lock holds (its key's equivocation) is reported, and must not keep the dispute's other bonds
    // from moving. Anything else the custodian refuses or fails at is thrown, as before: a second call goes on.
    if ((await readStake(ledger, instruction.lock)) === undefined) {
      const message = `bond ${instruction.lock} is no stake to its custodian: a lower-id lock of its payment is stored`;
      refused.push({ instruction, error: new AgoraError(ErrorCode.NotFound, message) });
      continue;
    }
    recorded.push(
      instruction.action === 'release'
        ? await custodian.release(instruction.lock, { decided: true })
        : await custodian.settle(instruction.lock, sharesOf(instruction), disputeId),
    );
  }
  return { recorded, refused };
}
