import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ledgerBestChain } from '../../anchor/index.js';
import {
  AgoraError,
  ErrorCode,
  fromHex,
  isLowerHex,
  ManualClock,
  systemClock,
  toHex,
  unixSeconds,
} from '../../core/index.js';
import { disputeTimes, governedState } from '../../decisions.js';
import {
  absentPenalties,
  appealTerms,
  type BondInstruction,
  bondOwner,
  bondStanding,
  castJurorVote,
  createDisputeAnswered,
  createDisputeAppealed,
  createDisputeAttended,
  createDisputeDrawn,
  createDisputeOpened,
  DISPUTE_TERMS,
  type DisputeAppealedBody,
  type DisputeView,
  draftElectorate,
  drawFor,
  JUROR_CHOICES,
  type JurorChoice,
  type JurorWeighting,
  listDisputes,
  panelTree,
  reachableSeedHeight,
  readDispute,
  revealJurorVote,
  settlement,
} from '../../disputes/index.js';
import { createSnapshotSources, type Publication } from '../../governance/index.js';
import { writeFileAtomic } from '../../identity/atomic-file.js';
import { agentKeyFromSecret, generateAgentKey, objectId, zkIdentity } from '../../identity/index.js';
import type { Ledger, LedgerEvent } from '../../ledger/index.js';
import type { StakeRecord } from '../../stake/index.js';
import { PanelProver } from '../../zk/index.js';
import { type Command, idArgument, type OptionValues, wholeNumber } from '../command.js';
import { HOME_HELP, loadHomeKey, withHomeLedger } from '../home.js';
import { write } from '../io.js';

const json = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
const idOf = (event: LedgerEvent) => toHex(objectId(event as never));
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function text(values: OptionValues, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value === '')
    throw new AgoraError(ErrorCode.Usage, `--${flag} is required`);
  return value;
}

function lockId(values: OptionValues): string {
  return idArgument(text(values, 'bond'), 'a bond (stake.locked)');
}

/**
 * `--bond`, refused unless a dispute event signed at `at` can count it, so that nothing is stored and signed for
 * nothing: the stake must be a counted lock of a custodian the network accepts, not its staker, `locked` then
 * (`bondStanding`, the rule `readDispute` counts bonds by: one its custodian already released, say renewed by a newer
 * lock, would never count), and no dispute event in the ledger
 * may name it already (a bond belongs to its first use, `bondOwner`).
 */
async function freeBond(ledger: Ledger, values: OptionValues, at: number): Promise<StakeRecord> {
  const bond = lockId(values);
  const standing = await bondStanding(ledger, bond, at);
  if (standing.stake === undefined) {
    if ((await ledger.get(bond))?.event.type === 'stake.locked')
      throw new AgoraError(
        ErrorCode.InvalidState,
        `stake ${bond} does not count: a lower-id lock of its custodian holds its payment`,
      );
    throw new AgoraError(ErrorCode.NotFound, `no stake.locked ${bond} in this ledger`);
  }
  if (standing.refused !== undefined)
    throw new AgoraError(ErrorCode.InvalidState, `bond ${bond} can back no dispute: ${standing.refused}`);
  if (!standing.counts)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `bond ${bond} is ${standing.state}, not locked: a dispute counts only a stake locked when its event is signed`,
    );
  const owner = await bondOwner(ledger, bond, undefined);
  if (owner !== undefined)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `bond ${bond} already backs dispute event ${owner}: lock another stake for this one`,
    );
  return standing.stake;
}

/**
 * An appeal of `round` of `dispute` by `appellant` stored in the ledger whose bond counts for it (`bondStanding` at
 * its `created`, owned by it: `bondOwner`), listed by a witness or not yet: of a round's appeals the first published
 * counts, and a later one of the same appellant can never come before it. With witnesses `readDispute` shows an appeal
 * only once listed, so the dispute still reads `appealable` meanwhile; undefined when there is none.
 */
async function storedAppeal(
  ledger: Ledger,
  dispute: string,
  round: number,
  appellant: string,
  publication: Publication,
): Promise<string | undefined> {
  for await (const { id, event } of ledger.byIndex('dispute', dispute)) {
    if (event.type !== 'dispute.appealed' || event.author !== appellant) continue;
    const body = event.body as unknown as DisputeAppealedBody;
    if (body.round !== round) continue;
    const standing = await bondStanding(ledger, body.bond, event.created, { event: id, publication });
    if (standing.counts && (await bondOwner(ledger, body.bond, publication)) === id) return id;
  }
  return undefined;
}

/** A clock stopped at `seconds`: an event dated exactly when its bond was checked. */
const stoppedAt = (seconds: number) => ({ clock: new ManualClock(seconds * 1000) });

/**
 * Blocks an honest seed height leaves above the tip: 12 hours at Bitcoin's pace, three times `seedBlockDelay` (4 h),
 * so that fast blocks, a slow listing or a ledger a few blocks behind almost never bring its block within the delay
 * (72 blocks within 6 hours: about one chance in ten million).
 */
const SEED_MARGIN_BLOCKS = 72;

const SEED_HELP = `a Bitcoin block height mined at least ${DISPUTE_TERMS.seedBlockDelay / 3_600} hours after this event is published (its hash draws the jurors; an earlier block voids a first round and forfeits an appeal's bond): the tip plus ${SEED_MARGIN_BLOCKS} or more`;

/**
 * `--seed-height`, refused when the chain this ledger follows shows it within {@link SEED_MARGIN_BLOCKS} of its tip:
 * a seed block dated less than `seedBlockDelay` after the event fixing its height was public voids a first round and
 * forfeits an appeal's bond. The ledger's chain may lag Bitcoin's: the margin is the caller's to keep.
 */
export async function seedHeight(
  ledger: Ledger,
  values: OptionValues,
): Promise<{ height: number; tip: number | undefined }> {
  const height = wholeNumber(values['seed-height'], '--seed-height', 0);
  if (height <= 0)
    throw new AgoraError(
      ErrorCode.Usage,
      '--seed-height names a block not mined yet (a height above the tip)',
    );
  const tip = (await ledgerBestChain(ledger, unixSeconds(systemClock)))?.tip.height;
  if (tip !== undefined && height <= tip + SEED_MARGIN_BLOCKS)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `--seed-height ${height} is within ${SEED_MARGIN_BLOCKS} blocks of the tip this ledger knows (${tip}): its block could be mined less than ${DISPUTE_TERMS.seedBlockDelay / 3_600} hours after this event is public, which voids the round; name ${tip + SEED_MARGIN_BLOCKS + 1} or more`,
    );
  return { height, tip };
}

const now = (values: OptionValues) => wholeNumber(values.at, '--at', unixSeconds(systemClock));

/** A dispute at `at`, read with the ledger's anchors and the witnesses' publication times as `governedState` reads it. */
async function viewAt(ledger: Ledger, dispute: string, at: number): Promise<DisputeView> {
  return readDispute(ledger, dispute, at, await disputeTimes(ledger, at));
}

function summary(view: DisputeView, penalties: readonly BondInstruction[]): string[] {
  const lines = [
    `dispute      ${view.id}`,
    `receipt      ${view.receipt} (provider ${view.provider}, payer ${view.payer})`,
    `claimant     ${view.claimant}`,
    `respondent   ${view.respondent}`,
    `claim        ${view.claim}`,
    `answer by    ${iso(view.answerBy)}${view.answer === undefined ? '' : `; answered: ${view.answer.evidence}`}`,
    `electorate   ${view.electorate ?? 'not checked'}${view.reason === undefined || view.electorate === undefined || view.electorate === 'valid' ? '' : ` (${view.reason})`}`,
    `anchored     ${view.openingAnchor === undefined ? 'not yet' : `block ${view.openingAnchor.height} at ${iso(view.openingAnchor.blockTime)}`}`,
  ];
  for (const round of view.rounds)
    lines.push(
      `round ${round.round}      ${round.status}${round.panel === undefined ? '' : `, panel ${round.panel.length}`}; votes ${round.votes}, revealed ${round.upheld} upheld / ${round.rejected} rejected, absent ${round.absent} (${round.attended.length} attested)${round.outcome === undefined ? '' : `; ${round.outcome}`}${round.refusedDraws.length > 0 ? `; ${round.refusedDraws.length} draw(s) refused` : ''}`,
    );
  lines.push(
    `status       ${view.status}${view.winner === undefined ? '' : `: ${view.winner} wins${view.byDefault ? ' by default' : ''}`}${(view.electorate === undefined || view.electorate === 'valid') && view.reason !== undefined ? ` (${view.reason})` : ''}`,
  );
  for (const instruction of settlement(view) ?? [])
    lines.push(
      `bond         ${instruction.action} ${instruction.lock} (${instruction.amountSat} sats of ${instruction.staker})${instruction.payouts.map((p) => ` -> ${p.to} ${p.sat}`).join(',')}`,
    );
  for (const instruction of penalties)
    lines.push(
      `absent       ${instruction.staker} settle ${instruction.lock} (${instruction.amountSat} sats)${instruction.payouts.map((p) => ` -> ${p.to} ${p.sat}`).join(',')}`,
    );
  return lines;
}

export const disputeListCommand: Command = {
  name: 'dispute list',
  summary: 'the disputes in the ledger and where each stands',
  usage: '[--home DIR] [--json] [--at UNIX]',
  examples: ['agora dispute list', 'agora dispute list --json'],
  help: [
    HOME_HELP,
    ['--json', 'print as JSON lines'],
    ['--at UNIX', 'the moment to read them at (default now)'],
  ],
  options: { json: { type: 'boolean' }, at: { type: 'string' } },
  async run({ io, home, values }) {
    // Read before the ledger: a bad --at is refused even when there is no dispute to read at it.
    const at = now(values);
    await withHomeLedger(home, async (ledger) => {
      for (const id of await listDisputes(ledger)) {
        const view = await viewAt(ledger, id, at);
        const line = values.json
          ? json({
              id,
              status: view.status,
              winner: view.winner ?? null,
              claimant: view.claimant,
              respondent: view.respondent,
            })
          : `${id}  ${view.status.padEnd(10)} ${view.winner ?? ''}`.trimEnd();
        await write(io.stdout, `${line}\n`);
      }
    });
  },
};

export const disputeShowCommand: Command = {
  name: 'dispute show',
  summary: "a dispute's parties, rounds, outcome and the bonds' settlement",
  usage: '<dispute id> [--home DIR] [--json] [--at UNIX]',
  examples: ['agora dispute show <dispute id>', 'agora dispute show <dispute id> --json'],
  help: [HOME_HELP, ['--json', 'print as JSON'], ['--at UNIX', 'the moment to read it at (default now)']],
  options: { json: { type: 'boolean' }, at: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a dispute');
    const at = now(values);
    const { view, penalties } = await withHomeLedger(home, async (ledger) => {
      const times = await disputeTimes(ledger, at);
      const view = await readDispute(ledger, id, at, times);
      return { view, penalties: await absentPenalties(ledger, view, times) };
    });
    const out = values.json
      ? json({ ...view, settlement: settlement(view) ?? null, absentPenalties: penalties ?? null })
      : summary(view, penalties ?? []).join('\n');
    await write(io.stdout, `${out}\n`);
  },
};

export const disputeOpenCommand: Command = {
  name: 'dispute open',
  summary: 'dispute a receipt you are party to, with a claim and a bond (a custodial stake lock of yours)',
  usage:
    '--receipt ID --claim TEXT --bond LOCK --seed-height H [--answer-within S] [--jurors reputation|stake] [--home DIR]',
  examples: [
    "agora dispute open --receipt <receipt id> --claim 'paid for weather, got garbage' --bond <lock id> --seed-height 870000",
  ],
  help: [
    HOME_HELP,
    ['--receipt ID', 'the disputed receipt'],
    ['--claim TEXT', 'what went wrong'],
    [
      '--bond LOCK',
      'a custodial stake.locked of yours, still locked and backing no other dispute event (agora stake lock --mode custodial)',
    ],
    ['--seed-height H', SEED_HELP],
    [
      '--answer-within S',
      `seconds the other party has to answer (default 86400, ${DISPUTE_TERMS.minAnswerPeriod} to ${DISPUTE_TERMS.maxAnswerPeriod})`,
    ],
    ['--jurors MODE', 'juror weights: reputation (default) or stake'],
    ['--min-weight N', 'least weight to be eligible (default 1)'],
  ],
  options: {
    receipt: { type: 'string' },
    claim: { type: 'string' },
    bond: { type: 'string' },
    'seed-height': { type: 'string' },
    'answer-within': { type: 'string' },
    jurors: { type: 'string' },
    'min-weight': { type: 'string' },
  },
  async run({ io, home, values }) {
    const receipt = idArgument(text(values, 'receipt'), 'a receipt');
    const mode = (values.jurors ?? 'reputation') as JurorWeighting;
    if (mode !== 'reputation' && mode !== 'stake')
      throw new AgoraError(ErrorCode.Usage, '--jurors is reputation or stake');
    const key = await loadHomeKey(home);
    const created = unixSeconds(systemClock);
    const id = await withHomeLedger(home, async (ledger) => {
      // Refused before the electorate is drafted and anything signed.
      const bond = (await freeBond(ledger, values, created)).id;
      const height = (await seedHeight(ledger, values)).height;
      const { ids, declared } = await draftElectorate(ledger, {
        mode,
        asOf: created,
        minWeight: BigInt(wholeNumber(values['min-weight'], '--min-weight', 1)),
      });
      const sources = createSnapshotSources(key, ids);
      const opened = createDisputeOpened(
        key,
        {
          receipt,
          claim: text(values, 'claim'),
          bond,
          answerBy: created + wholeNumber(values['answer-within'], '--answer-within', 86_400),
          seedHeight: height,
          jurors: { ...declared, sources: sources.map(idOf) },
        },
        stoppedAt(created),
      );
      // One batch: an opening the ledger refuses leaves none of its signed sources stored (nor synced) for nothing.
      await ledger.appendBatch([...sources, opened]);
      return idOf(opened);
    });
    await write(io.stdout, `${id}\n`);
  },
};

export const disputeAnswerCommand: Command = {
  name: 'dispute answer',
  summary: 'answer a dispute against you with your evidence and a counter-bond, before its deadline',
  usage: '<dispute id> --evidence TEXT --bond LOCK [--home DIR]',
  examples: [
    "agora dispute answer <dispute id> --evidence 'served as asked: logs at https://…' --bond <lock id>",
  ],
  help: [
    HOME_HELP,
    ['--evidence TEXT', 'your side'],
    [
      '--bond LOCK',
      'a custodial stake.locked of yours, still locked and backing no other dispute event, at least the claimant bond',
    ],
  ],
  options: { evidence: { type: 'string' }, bond: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const dispute = idArgument(positionals[0], 'a dispute');
    const key = await loadHomeKey(home);
    const evidence = text(values, 'evidence');
    const id = await withHomeLedger(home, async (ledger) => {
      const created = unixSeconds(systemClock);
      const bond = (await freeBond(ledger, values, created)).id;
      const event = createDisputeAnswered(key, { dispute, evidence, bond }, stoppedAt(created));
      await ledger.append(event);
      return idOf(event);
    });
    await write(io.stdout, `${id}\n`);
  },
};

export const disputeAppealCommand: Command = {
  name: 'dispute appeal',
  summary: 'appeal the round you lost: 2n+1 new jurors, against a larger bond',
  usage: '<dispute id> --bond LOCK --seed-height H [--home DIR]',
  examples: ['agora dispute appeal <dispute id> --bond <lock id> --seed-height 870000'],
  help: [
    HOME_HELP,
    [
      '--bond LOCK',
      `a custodial stake.locked of yours, still locked and backing no other dispute event, at least ${DISPUTE_TERMS.appealBondFactor} x the largest bond put up so far`,
    ],
    [
      '--seed-height H',
      `${SEED_HELP}, and expected to be mined a day before the appeal round's voting close (a later one is refused: its round would end undrawn and the bond be forfeited)`,
    ],
  ],
  options: { bond: { type: 'string' }, 'seed-height': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const dispute = idArgument(positionals[0], 'a dispute');
    const key = await loadHomeKey(home);
    const id = await withHomeLedger(home, async (ledger) => {
      const created = unixSeconds(systemClock);
      const times = await disputeTimes(ledger, created);
      const view = await readDispute(ledger, dispute, created, times);
      const terms = appealTerms(view);
      if (terms === undefined)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `dispute ${dispute} is ${view.status}: no round to appeal now`,
        );
      // What the ledger would store but never count is refused here, before anything is signed or stored.
      if (key.id !== terms.appellant)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `you did not lose round ${terms.round - 1} of dispute ${dispute}: only ${terms.appellant} may appeal it`,
        );
      const earlier = await storedAppeal(ledger, dispute, terms.round, key.id, times.publication);
      if (earlier !== undefined)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `you appealed round ${terms.round - 1} of dispute ${dispute} already (${earlier}, not yet shown by a witness if the dispute reads appealable): a second appeal would never count`,
        );
      const stake = await freeBond(ledger, values, created);
      const bond = stake.id;
      if (BigInt(stake.statement.amountSat) < terms.minBondSat)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `bond ${bond} holds ${stake.statement.amountSat} sats: an appeal of dispute ${dispute} needs at least ${terms.minBondSat} (${DISPUTE_TERMS.appealBondFactor} x the largest bond put up so far)`,
        );
      const { height, tip } = await seedHeight(ledger, values);
      if (height > terms.maxSeedHeight)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `--seed-height ${height} is above ${terms.maxSeedHeight}, the highest an appeal of dispute ${dispute} may name`,
        );
      // A height the rule allows may still be mined too late to be drawn in time: the round would end undrawn and
      // the bond be forfeited. Judged from the followed chain's tip where there is one, else from the opening.
      const reach =
        tip === undefined
          ? reachableSeedHeight(view.rounds[0]?.seedHeight ?? height, view.opened, view.answerBy, terms.round)
          : reachableSeedHeight(tip, created, view.answerBy, terms.round);
      if (height > reach)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `--seed-height ${height} would likely be mined too late for round ${terms.round} of dispute ${dispute} to be drawn (the round would end undrawn and the appeal bond be forfeited): name ${reach} or less`,
        );
      const event = createDisputeAppealed(
        key,
        { dispute, round: terms.round, bond, seedHeight: height },
        stoppedAt(created),
      );
      await ledger.append(event);
      return idOf(event);
    });
    await write(io.stdout, `${id}\n`);
  },
};

export const disputeDrawCommand: Command = {
  name: 'dispute draw',
  summary: "record the seed block's header of a dispute's round and the panel it draws (anyone may)",
  usage: '<dispute id> --header HEX [--round N] [--home DIR]',
  examples: ['agora dispute draw <dispute id> --header <80-byte header hex>'],
  help: [
    HOME_HELP,
    ['--header HEX', 'the 80-byte header of the block at the seed height'],
    ['--round N', 'default: the round awaiting its draw'],
  ],
  options: { header: { type: 'string' }, round: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const dispute = idArgument(positionals[0], 'a dispute');
    const header = text(values, 'header');
    if (!isLowerHex(header, 80))
      throw new AgoraError(ErrorCode.Usage, '--header is 80 bytes of lower-case hex');
    const key = await loadHomeKey(home);
    const id = await withHomeLedger(home, async (ledger) => {
      const now = unixSeconds(systemClock);
      const view = await viewAt(ledger, dispute, now);
      const round = wholeNumber(values.round, '--round', Math.max(0, view.rounds.length - 1));
      const appeal = round === 0 ? null : (view.appeals[round - 1]?.id ?? null);
      // Earlier rounds' panels as every reader counts them (seed blocks on the followed chain, draws shown in time).
      const panel = await drawFor(ledger, dispute, round, header, await disputeTimes(ledger, now));
      const event = createDisputeDrawn(key, { dispute, round, appeal, header, panel });
      await ledger.append(event);
      return idOf(event);
    });
    await write(io.stdout, `${id}\n`);
  },
};

/** Where a juror keeps what reveals its sealed votes: the home's `dispute-votes/` (mode 0600 files). */
const votesDir = (home: string) => join(home, 'dispute-votes');

/** What a juror keeps of one sealed vote: enough to reveal it and to be paid. */
interface SavedVote {
  readonly dispute: string;
  readonly vote: string;
  readonly choice: JurorChoice;
  readonly salt: string;
  readonly payoutSecret: string;
}

function isSavedVote(value: unknown): value is SavedVote {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    isLowerHex(entry.dispute, 32) &&
    isLowerHex(entry.vote, 32) &&
    JUROR_CHOICES.includes(entry.choice as JurorChoice) &&
    isLowerHex(entry.salt, 32) &&
    isLowerHex(entry.payoutSecret, 32)
  );
}

/**
 * What this home kept of its sealed votes on `dispute`: the vote's id, choice, salt and one-time payout key. A file
 * that is not a saved vote is `INVALID_JSON`, naming it: the juror mends or removes it (each vote is a file of its own).
 */
export async function savedVotes(home: string, dispute: string): Promise<SavedVote[]> {
  let files: string[] = [];
  try {
    files = await readdir(votesDir(home));
  } catch {
    // No vote was ever cast from this home.
  }
  const saved: SavedVote[] = [];
  // Only `<vote id>.json`: an interrupted atomic write leaves a temporary file beside them.
  for (const file of files.filter((name) => name.endsWith('.json')).sort()) {
    const path = join(votesDir(home), file);
    let entry: unknown;
    try {
      entry = JSON.parse(await readFile(path, 'utf8'));
    } catch (cause) {
      throw new AgoraError(
        ErrorCode.InvalidJson,
        `saved vote ${path} is damaged: ${(cause as Error).message}`,
      );
    }
    if (!isSavedVote(entry))
      throw new AgoraError(
        ErrorCode.InvalidJson,
        `saved vote ${path} is damaged: not {dispute, vote, choice, salt, payoutSecret}`,
      );
    if (entry.dispute === dispute) saved.push(entry);
  }
  return saved;
}

export const disputeVoteCommand: Command = {
  name: 'dispute vote',
  summary: 'vote, sealed and anonymous, on a dispute whose panel drew you; reveal it after voting closes',
  usage: '<dispute id> <upheld|rejected> [--home DIR]',
  examples: ['agora dispute vote <dispute id> upheld', 'agora dispute reveal <dispute id>'],
  help: [HOME_HELP],
  options: {},
  positionals: { min: 2, max: 2 },
  async run({ io, home, positionals }) {
    const dispute = idArgument(positionals[0], 'a dispute');
    const choice = positionals[1] as JurorChoice;
    if (!JUROR_CHOICES.includes(choice))
      throw new AgoraError(ErrorCode.Usage, 'the choice is upheld or rejected');
    const key = await loadHomeKey(home);
    const sealed = await withHomeLedger(home, async (ledger) => {
      const view = await viewAt(ledger, dispute, unixSeconds(systemClock));
      if (view.status !== 'voting')
        throw new AgoraError(
          ErrorCode.InvalidState,
          `dispute ${dispute} is ${view.status}: it takes no votes now`,
        );
      const round = view.rounds[view.rounds.length - 1];
      const seat = round?.panel?.indexOf(key.id) ?? -1;
      if (round === undefined || seat < 0)
        throw new AgoraError(ErrorCode.InvalidState, `you are not on the panel of dispute ${dispute}`);
      const tree = await panelTree(view, round.round);
      const vote = await castJurorVote(await PanelProver.load(), {
        dispute,
        round: round.round,
        panelRoot: round.panelRoot as bigint,
        path: tree.path(seat),
        secret: (await zkIdentity(key)).secret,
        choice,
        payoutKey: generateAgentKey(),
      });
      // Saved (atomically) before the vote is appended: a vote stored without its salt and payout key could never be
      // revealed nor paid. A vote the ledger refuses takes its file away again.
      const file = join(votesDir(home), `${vote.id}.json`);
      await mkdir(votesDir(home), { recursive: true, mode: 0o700 });
      const entry: SavedVote = {
        dispute,
        vote: vote.id,
        choice,
        salt: vote.salt,
        payoutSecret: toHex(vote.payoutKey.secretKey),
      };
      await writeFileAtomic(file, json(entry));
      try {
        await ledger.append(vote.event);
      } catch (error) {
        await rm(file, { force: true });
        throw error;
      }
      return vote;
    });
    await write(io.stdout, `${sealed.id}\n`);
  },
};

export const disputeRevealCommand: Command = {
  name: 'dispute reveal',
  summary: 'reveal your sealed votes on a dispute, once voting closed',
  usage: '<dispute id> [--home DIR]',
  examples: ['agora dispute reveal <dispute id>'],
  help: [HOME_HELP],
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ io, home, positionals }) {
    const dispute = idArgument(positionals[0], 'a dispute');
    const saved = await savedVotes(home, dispute);
    const revealed: string[] = [];
    await withHomeLedger(home, async (ledger) => {
      for (const { vote, choice, salt, payoutSecret } of saved) {
        const event = revealJurorVote({
          event: (await ledger.get(vote))?.event as LedgerEvent,
          id: vote,
          salt,
          choice,
          payoutKey: agentKeyFromSecret(fromHex(payoutSecret, 32)),
        });
        await ledger.append(event);
        revealed.push(idOf(event));
      }
    });
    if (revealed.length === 0)
      throw new AgoraError(ErrorCode.NotFound, `no sealed vote of yours on dispute ${dispute}`);
    await write(io.stdout, `${revealed.join('\n')}\n`);
  },
};

export const disputeAttendCommand: Command = {
  name: 'dispute attend',
  summary: 'attest in your own name that you voted on a dispute, so that you are not penalized as absent',
  usage: '<dispute id> [--home DIR]',
  examples: ['agora dispute attend <dispute id>'],
  help: [HOME_HELP],
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ io, home, positionals }) {
    const dispute = idArgument(positionals[0], 'a dispute');
    const key = await loadHomeKey(home);
    const saved = await savedVotes(home, dispute);
    const attested: string[] = [];
    await withHomeLedger(home, async (ledger) => {
      const rounds = new Set<number>();
      for (const { vote } of saved) {
        const stored = (await ledger.get(vote))?.event;
        if (stored !== undefined) rounds.add((stored.body as { round: number }).round);
      }
      for (const round of [...rounds].sort()) {
        const event = createDisputeAttended(key, { dispute, round });
        await ledger.append(event);
        attested.push(idOf(event));
      }
    });
    if (attested.length === 0)
      throw new AgoraError(ErrorCode.NotFound, `no vote of yours on dispute ${dispute} in this home`);
    await write(io.stdout, `${attested.join('\n')}\n`);
  },
};

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'the standing rules in force and what they trigger now',
  usage: '[--home DIR] [--json] [--at UNIX]',
  examples: ['agora rules', 'agora rules --json'],
  help: [
    HOME_HELP,
    ['--json', 'print as JSON'],
    ['--at UNIX', 'the moment to evaluate them at (default now)'],
  ],
  options: { json: { type: 'boolean' }, at: { type: 'string' } },
  async run({ io, home, values }) {
    const state = await withHomeLedger(home, (ledger) => governedState(ledger, now(values)));
    const triggered = {
      rules: state.rules(),
      blacklisted: state.blacklistedByRule(),
      minReputation: state.minReputation() ?? null,
      minProposerStake: state.minProposerStake() ?? null,
      heldBack: state.skipped,
      notInEffect: state.held,
    };
    if (values.json) {
      await write(io.stdout, `${json(triggered)}\n`);
      return;
    }
    const lines = state.rules().map((rule) => {
      if (rule.kind === 'blacklist-dispute-losers')
        return `blacklist-dispute-losers  ${rule.losses} lost disputes within ${rule.days} days: ${triggered.blacklisted.length === 0 ? 'nobody now' : triggered.blacklisted.join(', ')}`;
      if (rule.kind === 'min-reputation')
        return `min-reputation            L402 gates ask a score of ${rule.score}`;
      return `min-proposer-stake        ${rule.sat} sats; proposals held back: ${state.skipped.length}`;
    });
    // A decision that passed but is not anchored in time yet (or never will be) does not act: say why.
    for (const { proposal, status, reason } of state.held)
      lines.push(
        `not in effect              proposal ${proposal}: succeeded, ${status === 'waiting' ? reason : `void: ${reason}`}`,
      );
    await write(io.stdout, `${lines.length === 0 ? 'no standing rule in force' : lines.join('\n')}\n`);
  },
};

export const disputeCommands: readonly Command[] = [
  disputeOpenCommand,
  disputeAnswerCommand,
  disputeDrawCommand,
  disputeVoteCommand,
  disputeRevealCommand,
  disputeAttendCommand,
  disputeAppealCommand,
  disputeShowCommand,
  disputeListCommand,
  rulesCommand,
];
