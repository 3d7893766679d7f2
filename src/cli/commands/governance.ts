import { AgoraError, ErrorCode, isLowerHex } from '../../core/index.js';
import { type ProposalBody, tallyProposal } from '../../governance/index.js';
import type { Command } from '../command.js';
import { openHomeLedger } from '../home.js';
import { write } from '../io.js';

const homeHelp = ['--home DIR', 'agent home (default: $AGORA_HOME or ~/.agora402)'] as const;

function proposalId(positionals: string[]): string {
  const id = positionals[0] as string;
  if (!isLowerHex(id, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, 'a proposal id is 32 bytes of lower-case hex');
  return id;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

export const proposalListCommand: Command = {
  name: 'proposal list',
  summary: 'the proposals in the ledger, newest first',
  usage: '[--home DIR] [--json]',
  help: [homeHelp, ['--json', 'print as JSON lines']],
  options: { json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const ledger = await openHomeLedger(home);
    try {
      for await (const { id, event } of ledger.events({ type: 'proposal.created', reverse: true })) {
        const body = event.body as unknown as ProposalBody;
        const line = values.json
          ? JSON.stringify({ id, proposer: event.author, created: event.created, ...body })
          : `${id}  ${body.counting.padEnd(8)} ${body.weightMode.padEnd(10)} ${iso(body.window.opens)} .. ${iso(body.window.closes)}  ${body.title}`;
        await write(io.stdout, `${line}\n`);
      }
    } finally {
      await ledger.close();
    }
  },
};

export const tallyCommand: Command = {
  name: 'tally',
  summary: "a proposal's result, counted from the votes in the ledger",
  usage: '<proposal id> [--home DIR] [--json]',
  help: [homeHelp, ['--json', 'print as JSON (weights as decimal strings)']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = proposalId(positionals);
    const ledger = await openHomeLedger(home);
    let result: Awaited<ReturnType<typeof tallyProposal>>;
    try {
      result = await tallyProposal(ledger, id);
    } finally {
      await ledger.close();
    }
    if (values.json) {
      const text = JSON.stringify({ id, ...result }, (_, value) =>
        typeof value === 'bigint' ? value.toString() : value,
      );
      await write(io.stdout, `${text}\n`);
      return;
    }
    const { proposal, tally, outcome } = result;
    const scale = tally.scale === 1n ? '' : ` (x1/${tally.scale})`;
    const lines = [
      `proposal     ${id}`,
      `title        ${proposal.title}`,
      `counting     ${proposal.counting}, weights by ${proposal.weightMode}`,
      `votes        ${result.counted.length} counted, ${result.doubleVotes.length} double votes set aside`,
      `participation ${tally.participation} of ${proposal.snapshot.total} (quorum ${proposal.quorum / 100}%: ${outcome.quorumReached ? 'reached' : 'not reached'})`,
      `totals${scale}:`,
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
      `result       ${outcome.state}${outcome.winner === undefined ? '' : ` (${outcome.winner})`}${outcome.reason === undefined ? '' : ` (${outcome.reason})`}`,
      '',
    ];
    await write(io.stdout, lines.join('\n'));
  },
};
