import { AgoraError, ErrorCode, isLowerHex } from '../../core/index.js';
import { Reputation } from '../../reputation/index.js';
import type { Command } from '../command.js';
import { openHomeLedger } from '../home.js';
import { write } from '../io.js';

const homeHelp = ['--home DIR', 'agent home (default: $AGORA_HOME or ~/.agora402)'] as const;

async function compute(home: string): Promise<Reputation> {
  const ledger = await openHomeLedger(home);
  try {
    return await Reputation.fromLedger(ledger);
  } finally {
    await ledger.close();
  }
}

export const repShowCommand: Command = {
  name: 'rep show',
  summary: "an agent's reputation score, percentile and what it comes from",
  usage: '<agent id> [--home DIR] [--json]',
  help: [homeHelp, ['--json', 'print as JSON']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = positionals[0] as string;
    if (!isLowerHex(id, 32))
      throw new AgoraError(ErrorCode.InvalidArgument, 'an agent id is 32 bytes of lower-case hex');
    const reputation = await compute(home);
    const explanation = reputation.explain(id);
    if (values.json) {
      await write(io.stdout, `${JSON.stringify({ ...explanation, convergence: reputation.stats })}\n`);
      return;
    }
    const lines = [
      `agent       ${id}`,
      `score       ${explanation.score} ppb of all trust (percentile ${explanation.percentile})`,
      ...(explanation.fromSeed > 0 ? [`pre-trusted ${explanation.fromSeed} ppb`] : []),
      'trusted by:',
      ...explanation.trustedBy.map((t) => `  ${t.agent}  ${t.score}`),
      'receipts:',
      ...explanation.receipts.map(
        (r) =>
          `  ${r.receipt}  from ${r.from.slice(0, 16)}…  ${r.amountMsat} msat  rating ${r.rating ?? '-'}  ${r.score}`,
      ),
      '',
    ];
    await write(io.stdout, lines.join('\n'));
  },
};

export const repTopCommand: Command = {
  name: 'rep top',
  summary: 'the best-scored agents',
  usage: '[--n N] [--home DIR] [--json]',
  help: [homeHelp, ['--n N', 'how many (default 10)'], ['--json', 'print as JSON']],
  options: { n: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const n = values.n === undefined ? 10 : Number(values.n);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new AgoraError(ErrorCode.Usage, '--n takes a positive whole number');
    const reputation = await compute(home);
    const top = reputation.top(n);
    if (values.json) {
      await write(io.stdout, `${JSON.stringify({ top, convergence: reputation.stats })}\n`);
      return;
    }
    await write(
      io.stdout,
      [...top.map((t, i) => `${String(i + 1).padStart(3)}  ${t.id}  ${t.score}`), ''].join('\n'),
    );
  },
};
