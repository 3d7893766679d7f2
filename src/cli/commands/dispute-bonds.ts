import { AgoraError, ErrorCode, fromHex, systemClock, toHex, unixSeconds } from '../../core/index.js';
import { disputeTimes } from '../../decisions.js';
import { bondProgress, readDispute, settleDisputeBonds } from '../../disputes/index.js';
import { type AgentKey, agentKeyFromSecret, objectId } from '../../identity/index.js';
import type { LedgerEvent } from '../../ledger/index.js';
import { createShareClaim, readStake, StakeCustodianClient } from '../../stake/index.js';
import { type Command, idArgument, type OptionValues, wholeNumber } from '../command.js';
import { HOME_HELP, loadHomeKey, withHomeLedger } from '../home.js';
import { write } from '../io.js';
import { LIGHTNING_HELP, LIGHTNING_OPTIONS, lightningBackend } from '../lightning.js';
import { savedVotes } from './dispute.js';
import { withCustodian } from './stake.js';

const idOf = (event: LedgerEvent) => toHex(objectId(event as never));
const now = (values: OptionValues) => wholeNumber(values.at, '--at', unixSeconds(systemClock));

/** One line of output per recorded event: its type and body as JSON, or a short sentence. */
function describe(event: LedgerEvent, json: boolean): string {
  if (json) return JSON.stringify({ id: idOf(event), type: event.type, body: event.body });
  const body = event.body as { lock?: string; to?: string; sat?: string; shares?: unknown[] };
  if (event.type === 'stake.released') return `released ${body.lock}`;
  if (event.type === 'stake.settled') return `settled ${body.lock} (${body.shares?.length ?? 0} shares owed)`;
  return `paid ${body.sat} sats to ${body.to}`;
}

export const disputeSettleCommand: Command = {
  name: 'dispute settle',
  summary:
    "as custodian: move a final dispute's bonds as the ledger says (release the winners', settle the losers')",
  usage: '<dispute id> --lnd-url URL ... [--home DIR] [--json] [--at UNIX]',
  examples: ['agora dispute settle <dispute id> --lightning-dev http://127.0.0.1:9736/custodian'],
  help: [
    HOME_HELP,
    ...LIGHTNING_HELP,
    ['--json', 'print the recorded events as JSON lines'],
    ['--at UNIX', 'the moment to read the dispute at (default now)'],
    [
      '',
      'stop `agora stake serve` on this home first (one process holds a home ledger); it pays the claims after',
    ],
  ],
  options: { ...LIGHTNING_OPTIONS, json: { type: 'boolean' }, at: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const dispute = idArgument(positionals[0], 'a dispute');
    const at = now(values);
    // Only the holds this home's key is custodian of are touched; the others are left to their custodians.
    const { recorded, refused } = await withCustodian(home, values, io.env, async (custodian, ledger) =>
      settleDisputeBonds(custodian, ledger, dispute, at, await disputeTimes(ledger, at)),
    );
    const lines = recorded.map((event) => describe(event, values.json === true));
    if (lines.length === 0 && refused.length === 0 && !values.json)
      lines.push('nothing to settle: every bond you hold for it is done');
    if (lines.length > 0) await write(io.stdout, `${lines.join('\n')}\n`);
    // A refused bond is the custodian's to look into (its key signed a rival lock of the payment). What could be moved
    // was moved and printed above; the refusal is the command's error, so a script or scheduler sees it (exit 1).
    const [first, ...more] = refused;
    if (first !== undefined)
      throw new AgoraError(
        ErrorCode.InvalidState,
        `could not ${first.instruction.action} ${first.instruction.lock}: ${first.error.message}${more.length === 0 ? '' : ` (and ${more.length} more bond${more.length === 1 ? '' : 's'}: ${more.map(({ instruction }) => `${instruction.action} ${instruction.lock}`).join(', ')})`}; the other instructions were carried out`,
      );
  },
};

/** A share owed to one of this home's keys: the settlement that owes it, its payee and sats, the key that signs. */
interface OwedShare {
  readonly settlement: string;
  readonly to: string;
  readonly sat: bigint;
  readonly paid: boolean;
  readonly key: AgentKey;
}

export const disputeClaimCommand: Command = {
  name: 'dispute claim',
  summary:
    "claim your shares of a final dispute's settled bonds (as winner, or as a juror with its payout key)",
  usage: '<dispute id> --custodian URL --lnd-url URL ... [--home DIR] [--json] [--at UNIX]',
  examples: [
    'agora dispute claim <dispute id> --custodian http://127.0.0.1:8402 --lightning-dev http://127.0.0.1:9736/alice',
  ],
  help: [
    HOME_HELP,
    ['--custodian URL', "the bonds' custodian (it runs `agora stake serve`)"],
    ...LIGHTNING_HELP,
    ['--json', "print the custodian's `stake.paid` events as JSON lines"],
    ['--at UNIX', 'the moment to read the dispute at (default now)'],
  ],
  options: {
    custodian: { type: 'string' },
    ...LIGHTNING_OPTIONS,
    json: { type: 'boolean' },
    at: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const dispute = idArgument(positionals[0], 'a dispute');
    if (typeof values.custodian !== 'string')
      throw new AgoraError(ErrorCode.Usage, '--custodian is required');
    const url = values.custodian;
    const at = now(values);
    // This home signs with its own key (a winner's share) and with the payout keys of the votes it sealed (a juror's).
    const keys = new Map<string, AgentKey>();
    const own = await loadHomeKey(home);
    keys.set(own.id, own);
    for (const { payoutSecret } of await savedVotes(home, dispute)) {
      const payout = agentKeyFromSecret(fromHex(payoutSecret, 32));
      keys.set(payout.id, payout);
    }
    const owed = await withHomeLedger(home, async (ledger) => {
      const times = await disputeTimes(ledger, at);
      const view = await readDispute(ledger, dispute, at, times);
      const shares: OwedShare[] = [];
      for (const progress of await bondProgress(ledger, view, times)) {
        const ending = (await readStake(ledger, progress.instruction.lock))?.ending;
        if (progress.status !== 'done' || ending?.kind !== 'settled') continue;
        for (const share of progress.shares) {
          const key = keys.get(share.to);
          if (key !== undefined) shares.push({ settlement: ending.id, ...share, key });
        }
      }
      return shares;
    });
    if (owed.length === 0)
      throw new AgoraError(
        ErrorCode.NotFound,
        `no settled share of dispute ${dispute} is owed to this home (the custodian settles with \`agora dispute settle\`; sync its events first)`,
      );
    const pending = owed.filter((share) => !share.paid);
    if (pending.length === 0) {
      if (!values.json) await write(io.stdout, `all ${owed.length} shares paid already\n`);
      return;
    }
    const [backend, custodian] = await Promise.all([
      lightningBackend(values, io.env),
      StakeCustodianClient.connect(url),
    ]);
    const paid: LedgerEvent[] = [];
    for (const share of pending) {
      const invoice = await backend.createInvoice({
        amountMsat: Number(share.sat) * 1000,
        description: `agora402 share of dispute ${dispute}`,
      });
      const claim = createShareClaim(share.key, {
        settlement: share.settlement,
        paymentRequest: invoice.paymentRequest,
      });
      paid.push(await custodian.payShare(claim));
    }
    // The custodian's signed receipts of payment, kept here too (verified on append like any event).
    await withHomeLedger(home, async (ledger) => {
      for (const event of paid) await ledger.append(event);
    });
    await write(io.stdout, `${paid.map((event) => describe(event, values.json === true)).join('\n')}\n`);
  },
};
