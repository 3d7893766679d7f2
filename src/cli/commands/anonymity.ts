import { AgoraError, ErrorCode } from '../../core/index.js';
import { type LinkedBallot, voteAnonymity } from '../../governance/index.js';
import { type Command, idArgument } from '../command.js';
import { HOME_HELP, withHomeLedger } from '../home.js';
import { write } from '../io.js';

/** One linked group, as a line: its ballot, pieces, decompositions and whom it names. */
const linkedLine = (group: LinkedBallot): string => {
  const ways = group.resolved ? `${group.decompositions} decompositions` : 'unresolved (search budget spent)';
  const set = group.anonymity === undefined ? 'no whole casts make it' : `smallest set ${group.anonymity}`;
  const named =
    group.named.length === 0
      ? 'names nobody'
      : `${group.resolved ? 'names' : 'may name'} ${group.named.join(', ')}`;
  return `  ${group.ballot}: ${group.pieces} votes, ${ways}, ${group.candidates} candidates, ${set}, ${named}`;
};

export const votesAnonymityCommand: Command = {
  name: 'votes anonymity',
  summary:
    "who could have cast each vote on a proposal, and whom the votes one ballot links name: the observer's view",
  usage: '<proposal id> [--assume pieces|exact] [--home DIR] [--json]',
  examples: [
    'agora votes anonymity <proposal id>',
    'agora votes anonymity <proposal id> --assume exact --json',
  ],
  help: [
    HOME_HELP,
    [
      '--assume RULE',
      "the client rule voters followed: pieces (the proposal's, default) or exact (each vote its voter's whole weight)",
    ],
    [
      '--json',
      'print each vote with its candidate members, and each linked group (the counted votes one ballot carries) with the members it names, as JSON',
    ],
  ],
  options: { assume: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal');
    const assume = values.assume ?? 'pieces';
    if (assume !== 'pieces' && assume !== 'exact')
      throw new AgoraError(ErrorCode.Usage, '--assume takes pieces or exact');
    const report = await withHomeLedger(home, (ledger) => voteAnonymity(ledger, id, { assume }));
    // The smallest set: every vote's own, and every linked group's (1 where it names a member, or may).
    const sizes = [
      ...report.votes.map((vote) => vote.candidates.length),
      ...report.linked.flatMap((group) => (group.anonymity === undefined ? [] : [group.anonymity])),
    ];
    const smallest = sizes.reduce<number | undefined>(
      (m, n) => (m === undefined || n < m ? n : m),
      undefined,
    );
    const named = report.votes.filter((vote) => vote.candidates.length === 1).length;
    // Members a linked group names (present in every decomposition found), each once.
    const namedMembers = [...new Set(report.linked.flatMap((group) => group.named))].sort();
    if (values.json) {
      const votes = report.votes.map((vote) => ({
        id: vote.id,
        votingWeight: vote.votingWeight.toString(),
        size: vote.candidates.length,
        candidates: vote.candidates,
      }));
      await write(
        io.stdout,
        `${JSON.stringify({ id, assume, required: report.required, smallest: smallest ?? null, named, namedMembers, votes, linked: report.linked })}\n`,
      );
      return;
    }
    const lines = [
      `proposal   ${id} (assuming the ${assume} rule)`,
      `votes      ${report.votes.length}, smallest set ${smallest ?? '-'} (required ${report.required}), ${named} name their voter, ${namedMembers.length} members named by a linked ballot`,
      ...report.votes.map(
        (vote) =>
          `  ${vote.id} weight ${vote.votingWeight}: ${vote.candidates.length} candidates${vote.candidates.length === 1 ? ` (${vote.candidates[0]})` : ''}`,
      ),
      ...(report.linked.length === 0 ? [] : ['linked     counted votes one ballot carries:']),
      ...report.linked.map(linkedLine),
      '',
    ];
    await write(io.stdout, lines.join('\n'));
  },
};
