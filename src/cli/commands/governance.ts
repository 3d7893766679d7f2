import { anchoredDecision, publicationTimes } from '../../anchor/index.js';
import {
  AgoraError,
  decisionTimeBounds,
  ErrorCode,
  isDecimal,
  ManualClock,
  systemClock,
  unixSeconds,
} from '../../core/index.js';
import {
  allPieces,
  type CountingMethod,
  cancelProposal,
  castPrivateVote,
  checkSnapshot,
  createProposal,
  type DecisionTiming,
  decisionTiming,
  draftProposal,
  findVote,
  type LinkedBallot,
  nullifierOf,
  type ProposalAction,
  type ProposalBody,
  type ProposalResult,
  type ProposalState,
  parseBallot,
  pieceRuleOf,
  pieceWeight,
  proposalState,
  proposalTimeProblem,
  readProposal,
  snapshotDispute,
  tallyProposal,
  verifiedSnapshot,
  type WeightMode,
  YES_NO_OPTIONS,
} from '../../governance/index.js';
import { zkIdentity } from '../../identity/index.js';
import type { Ledger } from '../../ledger/index.js';
import { MembershipTree, Prover } from '../../zk/index.js';
import { type Command, idArgument, wholeNumber } from '../command.js';
import { HOME_HELP, homeConfig, homeNetwork, loadHomeKey, withHomeLedger } from '../home.js';
import { write } from '../io.js';
import { isoTime, timeOption } from '../time.js';

const iso = isoTime;

const COUNTING: readonly CountingMethod[] = ['single', 'approval', 'ranked', 'weighted'];
const WEIGHT_MODES: readonly WeightMode[] = ['equal', 'reputation', 'stake', 'quadratic'];

/** An option that takes one of `allowed`, else `USAGE` listing them. */
function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T))
    throw new AgoraError(
      ErrorCode.Usage,
      `${flag} is one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`,
    );
  return value as T;
}

/** A proposal's state now, and for a succeeded one whether its decision is in effect (the time rule). */
interface StateNow {
  readonly state: ProposalState | 'anchored';
  readonly effect?: DecisionTiming;
}

/**
 * The state a command prints: `proposalState`, with a decided proposal shown as `anchored` once a confirmed anchor of
 * its result is in the ledger, and a succeeded one's effect: in effect only once anchored in time, decided by the votes
 * its anchors within the grace commit to (`anchoredDecision`, as `governedState` reads it).
 */
async function stateNow(
  ledger: Ledger,
  home: string,
  id: string,
  result: ProposalResult,
  now: number,
): Promise<StateNow> {
  const decided = proposalState(result, now);
  if (decided !== 'succeeded' && decided !== 'defeated') return { state: decided };
  // The witnesses' publication times, as `governedState` reads decisions: only what was public by the grace decides.
  const publication = await publicationTimes(ledger, now);
  const { anchor } = await anchoredDecision(ledger, id, now, {
    network: await homeNetwork(home),
    publication,
  });
  const state = anchor === undefined ? decided : 'anchored';
  const counted =
    anchor?.votes === undefined
      ? result
      : await tallyProposal(ledger, id, { only: new Set(anchor.votes), publication });
  if (counted.outcome.state !== 'succeeded') return { state };
  const bounds = decisionTimeBounds(ledger.registry.network);
  return { state, effect: decisionTiming(counted.proposal, counted.closes, anchor, bounds) };
}

/** The tally of every stored vote, dated by the witnesses' publication times as `governedState` dates them. */
const datedTally = async (ledger: Ledger, id: string, now: number): Promise<ProposalResult> =>
  tallyProposal(ledger, id, { publication: await publicationTimes(ledger, now) });

/** The state in words: a succeeded decision not in effect says why ("succeeded, waiting for its anchor"). */
const stateText = ({ state, effect }: StateNow): string =>
  effect === undefined || effect.status === 'in-effect'
    ? state
    : effect.status === 'waiting'
      ? `succeeded, ${effect.reason}`
      : `succeeded, never in effect: ${effect.reason}`;

/** The effect as JSON prints it: `in-effect`, `waiting` or `void`, with the reason. */
const effectJson = ({ effect }: StateNow) =>
  effect === undefined
    ? {}
    : { effect: effect.status === 'in-effect' ? { status: effect.status } : { ...effect } };

/** The snapshot's verdict in one line: checked, invalid or waiting, and disputed with why. */
const snapshotLine = (snapshot: ProposalResult['snapshot']) =>
  snapshot.status === 'valid'
    ? `checked against its checkpoint${snapshot.disputed === undefined ? '' : `; disputed: ${snapshot.disputed}`}`
    : `${snapshot.status}: ${snapshot.reason}`;

export const proposalListCommand: Command = {
  name: 'proposal list',
  summary: 'the proposals in the ledger, newest first, with their state now',
  usage: '[--home DIR] [--json]',
  examples: ['agora proposal list', 'agora proposal list --json'],
  help: [HOME_HELP, ['--json', 'print as JSON lines (times as unix seconds)']],
  options: { json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const now = unixSeconds(systemClock);
    await withHomeLedger(
      home,
      async (ledger) => {
        let count = 0;
        for await (const { id, event } of ledger.events({ type: 'proposal.created', reverse: true })) {
          const body = event.body as unknown as ProposalBody;
          const shown = await stateNow(ledger, home, id, await datedTally(ledger, id, now), now);
          const state = shown.state;
          if (values.json) {
            await write(
              io.stdout,
              `${JSON.stringify({ id, state, ...effectJson(shown), created: event.created, ...body, proposer: event.author })}\n`,
            );
            continue;
          }
          if (count++ === 0)
            await write(
              io.stdout,
              `${'proposal'.padEnd(64)}  ${'state'.padEnd(9)} ${'counting'.padEnd(8)} ${'weights'.padEnd(10)} ${'opens (UTC)'.padEnd(20)} ${'closes (UTC)'.padEnd(20)} title\n`,
            );
          await write(
            io.stdout,
            `${id}  ${stateText(shown).padEnd(9)} ${body.counting.padEnd(8)} ${body.weightMode.padEnd(10)} ${iso(body.window.opens)} ${iso(body.window.closes)} ${body.title}\n`,
          );
        }
        if (!values.json && count === 0) await write(io.stdout, 'no proposals in this ledger\n');
      },
      { readOnly: true },
    );
  },
};

/** What a weight counts, per weight mode, for people reading totals. */
const WEIGHT_UNITS: Readonly<Record<WeightMode, string>> = {
  equal: 'votes (one per member)',
  reputation: 'ppb of all reputation (parts per billion)',
  stake: 'sats locked in stake',
  quadratic: 'square roots of staked sats',
};

/** What the linked groups of a tally name, in words. */
const linkedNamed = (linked: readonly LinkedBallot[]): string => {
  const named = new Set(linked.flatMap((group) => group.named)).size;
  const unresolved = linked.filter((group) => !group.resolved).length;
  return `${named} members named by them${unresolved === 0 ? '' : ` (${unresolved} unresolved: counted as naming)`}`;
};

export const tallyCommand: Command = {
  name: 'tally',
  summary: "a proposal's result, counted from the votes in the ledger",
  usage: '<proposal id> [--home DIR] [--json]',
  examples: ['agora tally <proposal id>', 'agora tally <proposal id> --json'],
  help: [HOME_HELP, ['--json', 'print as JSON (weights as decimal strings)']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal');
    const now = unixSeconds(systemClock);
    const { result, proposer, shown } = await withHomeLedger(
      home,
      async (ledger) => {
        const { event } = await readProposal(ledger, id);
        const result = await datedTally(ledger, id, now);
        return { result, proposer: event.author, shown: await stateNow(ledger, home, id, result, now) };
      },
      { readOnly: true },
    );
    const state = shown.state;
    // Only a closed vote has a result: while it is open (or not yet), the counts so far are shown as such.
    const final = !['pending', 'active'].includes(state);
    if (values.json) {
      const text = JSON.stringify(
        { id, state, ...effectJson(shown), final, ...result, proposal: { ...result.proposal, proposer } },
        (_, value) => (typeof value === 'bigint' ? value.toString() : value),
      );
      await write(io.stdout, `${text}\n`);
      return;
    }
    const { proposal, tally, outcome } = result;
    const unit = WEIGHT_UNITS[proposal.weightMode];
    const scale = tally.scale === 1n ? '' : ` (x1/${tally.scale})`;
    const lines = [
      `proposal     ${id}`,
      `title        ${proposal.title}`,
      `counting     ${proposal.counting}, weights by ${proposal.weightMode}`,
      `snapshot     ${snapshotLine(result.snapshot)}`,
      `votes        ${result.counted.length} counted, ${result.doubleVotes.length} double votes set aside`,
      ...(result.anonymity === undefined
        ? []
        : [
            `anonymity    smallest set ${result.anonymity.smallest ?? '-'} of the ${result.anonymity.required} required; ${result.anonymity.exposed.length} votes not counted (they named their voter)`,
            ...(result.anonymity.linked.length === 0
              ? []
              : [
                  `linked       ${result.anonymity.linked.length} ballots carried by several counted votes; ${linkedNamed(result.anonymity.linked)} (agora votes anonymity lists them)`,
                ]),
          ]),
      `participation ${tally.participation} of ${proposal.snapshot.total} (quorum ${proposal.quorum / 100}%: ${outcome.quorumReached ? 'reached' : 'not reached'})`,
      `totals${scale} in ${unit}:`,
      ...Object.entries(tally.totals).map(([option, total]) => `  ${option.padEnd(16)} ${total}`),
      ...(tally.rounds !== undefined && tally.rounds.length > 1
        ? [
            'run-off:',
            ...tally.rounds.map(
              (round, r) =>
                `  round ${r + 1}: ${Object.entries(round.totals)
                  .map(([o, t]) => `${o} ${t}`)
                  .join(', ')}${round.eliminated === undefined ? '' : `; ${round.eliminated} eliminated`}`,
            ),
          ]
        : []),
      final
        ? `result       ${stateText(shown)}${outcome.winner === undefined ? '' : ` (${outcome.winner})`}${outcome.reason === undefined ? '' : ` (${outcome.reason})`}`
        : `result       none yet: ${state === 'active' ? `voting is open until ${iso(result.closes)}` : `voting opens at ${iso(proposal.window.opens)}`} (so far: ${outcome.state}${outcome.winner === undefined ? '' : `, ${outcome.winner}`})`,
      '',
    ];
    await write(io.stdout, lines.join('\n'));
  },
};

export const proposalCreateCommand: Command = {
  name: 'proposal create',
  summary: 'snapshot the weights from the ledger and sign a proposal into it',
  usage:
    '--title TEXT [--options a,b,...] [--counting METHOD] [--weight-mode MODE] [--closes UNIX] ... [--json]',
  examples: [
    "agora proposal create --title 'Blacklist provider-4' --blacklist-add <agent id> --closes +1d",
    "agora proposal create --title 'Fee' --options low,high --weight-mode reputation --opens +1h --closes 2026-12-01",
  ],
  help: [
    HOME_HELP,
    ['--title TEXT', 'what is decided'],
    ['--options LIST', 'comma-separated option names (default for,against,abstain)'],
    ['--counting METHOD', 'single | approval | ranked | weighted (default single)'],
    ['--weight-mode MODE', 'equal | reputation | stake | quadratic (default equal)'],
    ['--quorum BP', 'participation needed, basis points of the total weight (default 2000)'],
    ['--threshold BP', 'share of the decisive weight the winner must exceed (default 5000)'],
    [
      '--opens TIME',
      'window start: unix seconds, ISO 8601 (2026-12-01T12:00Z) or from now (+1h) (default now)',
    ],
    ['--closes TIME', 'window end, as --opens (default opens + 1 day)'],
    [
      '--as-of TIME',
      'snapshot moment, as --opens, no later than now or the window (default now): pick one your ledger has fully synced',
    ],
    ['--min-weight N', 'least own weight to take part (default 1)'],
    ['--min-anonymity K', 'least members each counted vote hides among (default 8)'],
    ['--late-quorum S', 'extend voting S seconds past a quorum reached in the last S seconds (default off)'],
    ['--blacklist-add ID', 'blacklist this agent if the proposal passes; repeatable'],
    ['--blacklist-remove ID', 'take this agent off the blacklist if it passes; repeatable'],
    ['--json', 'print as JSON'],
  ],
  options: {
    title: { type: 'string' },
    options: { type: 'string' },
    counting: { type: 'string' },
    'weight-mode': { type: 'string' },
    quorum: { type: 'string' },
    threshold: { type: 'string' },
    opens: { type: 'string' },
    closes: { type: 'string' },
    'min-weight': { type: 'string' },
    'min-anonymity': { type: 'string' },
    'as-of': { type: 'string' },
    'late-quorum': { type: 'string' },
    'blacklist-add': { type: 'string', multiple: true },
    'blacklist-remove': { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  async run({ io, home, values }) {
    const title = values.title;
    if (typeof title !== 'string') throw new AgoraError(ErrorCode.Usage, '--title is required');
    const now = unixSeconds(systemClock);
    const opens = timeOption(values.opens, '--opens', now, now);
    const closes = timeOption(values.closes, '--closes', now, opens + 86_400);
    if (closes <= opens)
      throw new AgoraError(
        ErrorCode.Usage,
        `--closes ${iso(closes)} is not after --opens ${iso(opens)}: the window would be empty`,
      );
    const counting = oneOf(values.counting, '--counting', COUNTING, 'single');
    const minWeight = typeof values['min-weight'] === 'string' ? values['min-weight'] : '1';
    if (!isDecimal(minWeight)) throw new AgoraError(ErrorCode.Usage, '--min-weight takes a whole number');
    const mode = oneOf(values['weight-mode'], '--weight-mode', WEIGHT_MODES, 'equal');
    const actions: ProposalAction[] = [
      ...((values['blacklist-add'] as string[] | undefined) ?? []).map((agent) => ({
        type: 'blacklist.add' as const,
        agent,
      })),
      ...((values['blacklist-remove'] as string[] | undefined) ?? []).map((agent) => ({
        type: 'blacklist.remove' as const,
        agent,
      })),
    ];
    // Every number is checked before the ledger opens: a bad option is a usage error whatever the ledger's state.
    const quorum = wholeNumber(values.quorum, '--quorum', 2_000, 10_000);
    const threshold = wholeNumber(values.threshold, '--threshold', 5_000, 10_000);
    const lateQuorum =
      values['late-quorum'] === undefined
        ? undefined
        : wholeNumber(values['late-quorum'], '--late-quorum', 0);
    const minAnonymity =
      typeof values['min-anonymity'] === 'string'
        ? wholeNumber(values['min-anonymity'], '--min-anonymity', 1)
        : undefined;
    const asOf = snapshotMoment(timeOption(values['as-of'], '--as-of', now, now), Math.min(now, opens));
    // A proposal its network's time rule would void for good is refused before anything is signed.
    const problem = proposalTimeProblem(
      { asOf, opens, closes, ...(lateQuorum === undefined ? {} : { lateQuorumExtension: lateQuorum }) },
      decisionTimeBounds(await homeConfig(home)),
    );
    if (problem !== undefined)
      throw new AgoraError(ErrorCode.Usage, `this proposal could never take effect: ${problem}`);
    const key = await loadHomeKey(home);
    await withHomeLedger(home, async (ledger) => {
      const { body, sources, snapshot } = await draftProposal(
        ledger,
        {
          title,
          options: typeof values.options === 'string' ? values.options.split(',') : [...YES_NO_OPTIONS],
          counting,
          weightMode: mode,
          quorum,
          threshold,
          window: { opens, closes },
          ...(lateQuorum === undefined ? {} : { lateQuorumExtension: lateQuorum }),
          minWeight,
          ...(minAnonymity === undefined ? {} : { minAnonymity }),
          actions,
        },
        {
          asOf,
          proposer: key,
          clock: new ManualClock(now * 1000),
        },
      );
      // Signed as made at `now`, the moment the default window opens: drafting may take into the next second.
      // The checkpoint's parts first: the proposal names them, and a ledger stores it only after them.
      await ledger.appendBatch(sources);
      const { id } = await ledger.append(createProposal(key, body, { clock: new ManualClock(now * 1000) }));
      const summary = {
        id,
        members: snapshot.members.length,
        total: snapshot.total.toString(),
        root: body.snapshot.root,
      };
      await write(
        io.stdout,
        values.json
          ? `${JSON.stringify(summary)}\n`
          : `proposal ${id}\nsnapshot ${summary.members} members, total weight ${summary.total} ${WEIGHT_UNITS[mode]}\nwindow   ${iso(opens)} .. ${iso(closes)}\n`,
      );
    });
  },
};

/** `--as-of`: a snapshot is of a moment already past, and not after the window opens. */
function snapshotMoment(asOf: number, latest: number): number {
  if (asOf > latest)
    throw new AgoraError(
      ErrorCode.Usage,
      `--as-of ${iso(asOf)} is after ${iso(latest)} (now, or the window's opening): a snapshot lists what the ledger holds already`,
    );
  return asOf;
}

/** A ballot from the command line: `for`, `a,b,c` (approval or ranking), `a=6000,b=4000` (weighted split). */
function ballotFrom(counting: CountingMethod, options: readonly string[], choice: string): unknown {
  const list = choice.split(',');
  const ballots: Record<CountingMethod, () => unknown> = {
    single: () => ({ choice }),
    approval: () => ({ approve: choice === '' ? [] : list }),
    ranked: () => ({ ranking: list }),
    weighted: () => ({
      split: Object.fromEntries(
        list.map((part) => part.split('=')).map(([option, share]) => [option, Number(share)]),
      ),
    }),
  };
  return parseBallot(counting, options, ballots[counting]());
}

export const voteCommand: Command = {
  name: 'vote',
  summary: 'vote on a proposal anonymously (zero-knowledge proofs of membership and weight, one per piece)',
  usage:
    '<proposal id> <choice> [--exact] [--min-anonymity K] [--linked-ballot] [--one-piece] [--home DIR] [--json]',
  examples: [
    'agora vote <proposal id> for',
    'agora vote <proposal id> against --exact',
    'agora vote <proposal id> a,c   (approval or ranked)',
  ],
  help: [
    HOME_HELP,
    ['<choice>', 'single: an option; approval and ranked: a,b,c; weighted: a=6000,b=4000 (basis points)'],
    [
      '--exact',
      'cast every piece of your weight, rare ones included: reveals your exact weight, may name you (warns)',
    ],
    [
      '--min-anonymity K',
      'least members each of your pieces hides among (default 8; a proposal asking more is followed; below 8 warns)',
    ],
    [
      '--linked-ballot',
      'cast a ranking, approval list or split in several pieces anyway: the ballot links them and can name you (warns)',
    ],
    [
      '--one-piece',
      'cast only your largest piece (the rest of your weight is not counted): for a choice you expect few to make, whose pieces it would link',
    ],
    ['--json', 'print as JSON'],
  ],
  options: {
    exact: { type: 'boolean' },
    'min-anonymity': { type: 'string' },
    'linked-ballot': { type: 'boolean' },
    'one-piece': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: { min: 2, max: 2 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal');
    const ownAnonymity =
      typeof values['min-anonymity'] === 'string'
        ? wholeNumber(values['min-anonymity'], '--min-anonymity', 1)
        : undefined;
    const key = await loadHomeKey(home);
    await withHomeLedger(home, async (ledger) => {
      const { event: stored, body: proposal } = await readProposal(ledger, id);
      const ballot = ballotFrom(proposal.counting, proposal.options, positionals[1] as string);
      // A forged or disputed electorate is named first, whatever the time; then the window: both refused before the
      // proof (seconds of work), which would only be refused after it.
      const snapshot = await verifiedSnapshot(ledger, id);
      // An honest voter does not lend its vote to an electorate its own ledger shows to be incomplete.
      const disputed = await snapshotDispute(ledger, id);
      if (disputed !== undefined)
        throw new AgoraError(ErrorCode.InvalidState, `proposal ${id} is disputed: ${disputed}`);
      const now = unixSeconds(systemClock);
      // The close as replicas date votes (by publication): a copy of the quorum piece dated earlier cancels nothing.
      const { closes } = await datedTally(ledger, id, now);
      if (now < proposal.window.opens || now >= closes)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `voting on ${id} is ${now < proposal.window.opens ? 'not open yet' : 'closed'}: the window is ${iso(proposal.window.opens)} .. ${iso(closes)}, now is ${iso(now)}`,
        );
      const index = snapshot.members.findIndex((member) => member.agent === key.id);
      const member = snapshot.members[index];
      if (member === undefined)
        throw new AgoraError(ErrorCode.NotFound, 'you hold no weight in this proposal');
      const secret = (await zkIdentity(key)).secret;
      // A second vote would only be set aside as double-vote evidence, linked to the first: refuse it here.
      for (const piece of allPieces(member.weight, pieceRuleOf(proposal))) {
        const earlier = await findVote(ledger, id, (await nullifierOf(id, secret, piece)).toString());
        if (earlier !== undefined)
          throw new AgoraError(
            ErrorCode.AlreadyExists,
            `you already voted on this proposal (vote ${earlier})`,
          );
      }
      const tree = await MembershipTree.build(snapshot.members);
      const cast = await castPrivateVote(await Prover.load(), {
        proposal: { id, event: stored },
        ballot: ballot as never,
        secret,
        weight: member.weight,
        path: tree.path(index),
        members: snapshot.members,
        // A late quorum may keep voting open past the window: the pieces are spread over what is left of it.
        closes,
        // Warns of an exact weight, a lowered k, a linked ballot and a vote cast late, whose pieces cluster in time.
        warn: (message: string) => void write(io.stderr, `warning: ${message}\n`),
        ...(values.exact === true ? { exact: true } : {}),
        ...(values['linked-ballot'] === true ? { linkedBallot: true } : {}),
        ...(values['one-piece'] === true ? { onePiece: true } : {}),
        ...(ownAnonymity === undefined ? {} : { minAnonymity: ownAnonymity }),
      });
      // Interrupted while proving: the vote is not cast.
      if (io.signal?.aborted)
        throw new AgoraError(ErrorCode.Interrupted, 'interrupted: the vote was not cast');
      // Stored here now; `agora sync` publishes each piece at its own time, under its own one-time key.
      const results = await ledger.appendBatch(cast.pieces.map((piece) => piece.event));
      const pieces = cast.pieces.map((piece, i) => ({
        vote: results[i]?.id as string,
        votingWeight: pieceWeight(piece.piece).toString(),
        publishAt: piece.publishAt,
      }));
      await write(
        io.stdout,
        values.json
          ? `${JSON.stringify({ pieces, weight: cast.weight.toString(), dropped: cast.dropped.toString() })}\n`
          : `voted with ${cast.weight} of your weight ${member.weight} in ${pieces.length} pieces${cast.dropped > 0n ? ` (${cast.dropped} rounded away to stay anonymous)` : ''}\n${pieces.map((p) => `  ${p.vote} weight ${p.votingWeight}, published from ${iso(p.publishAt)}`).join('\n')}\n`,
      );
    });
  },
};

export const proposalCancelCommand: Command = {
  name: 'proposal cancel',
  summary: 'withdraw your proposal before its voting window opens',
  usage: '<proposal id> [--home DIR]',
  examples: ['agora proposal cancel <proposal id>'],
  help: [HOME_HELP],
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ io, home, positionals }) {
    const id = idArgument(positionals[0], 'a proposal');
    const key = await loadHomeKey(home);
    await withHomeLedger(home, async (ledger) => {
      const { event: stored, body: proposal } = await readProposal(ledger, id);
      if (stored.author !== key.id)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `proposal ${id} is not yours: only its proposer can cancel it`,
        );
      const { canceledBy } = await tallyProposal(ledger, id);
      if (canceledBy !== undefined)
        throw new AgoraError(ErrorCode.AlreadyExists, `proposal ${id} is canceled already (${canceledBy})`);
      const now = unixSeconds(systemClock);
      if (now >= proposal.window.opens)
        throw new AgoraError(
          ErrorCode.InvalidState,
          `voting on ${id} opened at ${iso(proposal.window.opens)}: a proposal can be canceled only before its window opens (create it with --opens +1h to keep that possible)`,
        );
      const { id: cancel } = await ledger.append(cancelProposal(key, id));
      await write(io.stdout, `canceled ${id} (${cancel})\n`);
    });
  },
};

export const proposalShowCommand: Command = {
  name: 'proposal show',
  summary: 'a proposal, its state now and its rules',
  usage: '<proposal id> [--home DIR] [--json]',
  examples: ['agora proposal show <proposal id>', 'agora proposal show <proposal id> --json'],
  help: [HOME_HELP, ['--json', 'print as JSON']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal');
    await withHomeLedger(home, async (ledger) => {
      const { event: stored, body: proposal } = await readProposal(ledger, id);
      const now = unixSeconds(systemClock);
      const result = await datedTally(ledger, id, now);
      const shown = await stateNow(ledger, home, id, result, now);
      if (values.json) {
        await write(
          io.stdout,
          `${JSON.stringify({ id, state: shown.state, ...effectJson(shown), ...proposal, proposer: stored.author, verdict: result.snapshot })}\n`,
        );
        return;
      }
      const lines = [
        `proposal   ${id}`,
        `title      ${proposal.title}`,
        `state      ${stateText(shown)}`,
        `proposer   ${stored.author}`,
        `options    ${proposal.options.join(', ')} (${proposal.counting}, weights by ${proposal.weightMode})`,
        `rules      quorum ${proposal.quorum / 100}%, threshold ${proposal.threshold / 100}%, min weight ${proposal.minWeight}`,
        `window     ${iso(proposal.window.opens)} .. ${iso(result.closes)}`,
        `snapshot   ${proposal.snapshot.members} members, total ${proposal.snapshot.total} ${WEIGHT_UNITS[proposal.weightMode]}, as of ${iso(proposal.snapshot.asOf)}, from ${proposal.snapshot.events} events`,
        `           ${snapshotLine(result.snapshot)}`,
        ...proposal.actions.map((action) => `action     ${JSON.stringify(action)}`),
        '',
      ];
      await write(io.stdout, lines.join('\n'));
    });
  },
};

export const proposalSnapshotCommand: Command = {
  name: 'proposal snapshot',
  summary: "rebuild a proposal's weight snapshot from the ledger and check its root",
  usage: '<proposal id> [--home DIR] [--json]',
  examples: ['agora proposal snapshot <proposal id> --json'],
  help: [HOME_HELP, ['--json', 'print the members and weights as JSON']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal');
    await withHomeLedger(home, async (ledger) => {
      const { body: proposal } = await readProposal(ledger, id);
      const verdict = await checkSnapshot(ledger, id);
      if (values.json) {
        const members =
          verdict.status === 'valid'
            ? verdict.snapshot.members.map((m) => ({ agent: m.agent, weight: m.weight.toString() }))
            : [];
        await write(
          io.stdout,
          `${JSON.stringify({
            id,
            status: verdict.status,
            ...(verdict.status === 'valid' ? {} : { reason: verdict.reason }),
            root: proposal.snapshot.root,
            events: proposal.snapshot.events,
            matches: verdict.status === 'valid',
            members,
          })}\n`,
        );
      }
      const snapshot = await verifiedSnapshot(ledger, id);
      if (!values.json)
        await write(
          io.stdout,
          `snapshot of ${id} checked: rebuilt from its ${proposal.snapshot.events} events, ${snapshot.members.length} members, total ${snapshot.total}, root ${snapshot.root}\n`,
        );
    });
  },
};
