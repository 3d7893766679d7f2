import { AgoraError, ErrorCode } from '../../core/index.js';
import { exactReveal, voteAnonymity } from '../../governance/index.js';
import { type Command, idArgument } from '../command.js';
import { HOME_HELP, withHomeLedger } from '../home.js';
import { write } from '../io.js';

export const votesAnonymityCommand: Command = {
  name: 'votes anonymity',
  summary:
    "who could have cast each vote on a proposal: the observer's view, from the snapshot and revealed weights",
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
    ['--json', 'print each vote with its candidate members as JSON'],
  ],
  options: { assume: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal');
    const assume = values.assume ?? 'pieces';
    if (assume !== 'pieces' && assume !== 'exact')
      throw new AgoraError(ErrorCode.Usage, '--assume takes pieces or exact');
    const report = await withHomeLedger(home, (ledger) =>
      voteAnonymity(ledger, id, assume === 'exact' ? { reveal: exactReveal } : {}),
    );
    const sizes = report.votes.map((vote) => vote.candidates.length);
    const smallest = sizes.reduce<number | undefined>(
      (m, n) => (m === undefined || n < m ? n : m),
      undefined,
    );
    const named = report.votes.filter((vote) => vote.candidates.length === 1).length;
    if (values.json) {
      const votes = report.votes.map((vote) => ({
        id: vote.id,
        votingWeight: vote.votingWeight.toString(),
        size: vote.candidates.length,
        candidates: vote.candidates,
      }));
      await write(
        io.stdout,
        `${JSON.stringify({ id, assume, required: report.required, smallest: smallest ?? null, named, votes })}\n`,
      );
      return;
    }
    const lines = [
      `proposal   ${id} (assuming the ${assume} rule)`,
      `votes      ${report.votes.length}, smallest set ${smallest ?? '-'} (required ${report.required}), ${named} name their voter`,
      ...report.votes.map(
        (vote) =>
          `  ${vote.id} weight ${vote.votingWeight}: ${vote.candidates.length} candidates${vote.candidates.length === 1 ? ` (${vote.candidates[0]})` : ''}`,
      ),
      '',
    ];
    await write(io.stdout, lines.join('\n'));
  },
};
