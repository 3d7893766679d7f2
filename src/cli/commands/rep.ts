import { AgoraError, ErrorCode } from '../../core/index.js';
import { Reputation } from '../../reputation/index.js';
import { type Command, idArgument, wholeNumber } from '../command.js';
import { HOME_HELP, withHomeLedger } from '../home.js';
import { write } from '../io.js';

const homeReputation = (home: string) =>
  withHomeLedger(home, (ledger) => Reputation.fromLedger(ledger), { readOnly: true });

export const repShowCommand: Command = {
  name: 'rep show',
  summary: "an agent's reputation score, percentile and what it comes from",
  usage: '<agent id> [--home DIR] [--json]',
  examples: ['agora rep show <agent id>', 'agora rep show <agent id> --json'],
  help: [HOME_HELP, ['--json', 'print as JSON']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'an agent');
    const reputation = await withHomeLedger(
      home,
      async (ledger) => {
        // An id the ledger has never seen is most likely a typo: say so rather than print a score of 0.
        for await (const _ of ledger.byIndex('agent', id, { limit: 1 })) return Reputation.fromLedger(ledger);
        throw new AgoraError(ErrorCode.NotFound, `no agent ${id} in this ledger (agora agents lists them)`);
      },
      { readOnly: true },
    );
    const explanation = reputation.explain(id);
    if (values.json) {
      await write(io.stdout, `${JSON.stringify({ ...explanation, convergence: reputation.stats })}\n`);
      return;
    }
    const lines = [
      `agent       ${id}`,
      `score       ${explanation.score} ppb of all trust (parts per billion; ${(explanation.score / 1e7).toFixed(2)}%; percentile ${explanation.percentile})`,
      ...(explanation.fromSeed > 0 ? [`pre-trusted ${explanation.fromSeed} ppb`] : []),
      'trusted by (ppb each carries):',
      ...(explanation.trustedBy.length === 0 ? ['  nobody yet'] : []),
      ...explanation.trustedBy.map((t) => `  ${t.agent}  ${t.score}`),
      'receipts:',
      ...(explanation.receipts.length === 0 ? ['  none in this ledger'] : []),
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
  examples: ['agora rep top --n 5', 'agora rep top --home ./bob --json'],
  help: [HOME_HELP, ['--n N', 'how many (default 10)'], ['--json', 'print as JSON']],
  options: { n: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const n = wholeNumber(values.n, '--n', 10);
    if (n <= 0) throw new AgoraError(ErrorCode.Usage, '--n takes a positive whole number');
    const reputation = await homeReputation(home);
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
