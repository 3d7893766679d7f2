import { AgoraError, ErrorCode } from '../../core/index.js';
import {
  algorithmName,
  assertionPublicKey,
  assertionServiceKey,
  publishAssertions,
  Reputation,
  TRUSTED_ASSERTION_KIND,
  trustedAssertions,
} from '../../reputation/index.js';
import { type Command, idArgument, wholeNumber } from '../command.js';
import { HOME_HELP, loadHomeKey, withHomeLedger } from '../home.js';
import { write } from '../io.js';

const homeReputation = (home: string) =>
  withHomeLedger(home, (ledger) => Reputation.fromLedger(ledger), { readOnly: true });

/** The certificate line every human-readable output carries: unit, certified bound, ledger position. */
function certificateLine(reputation: Reputation): string {
  const { errorBoundPpb, ledgerSeq } = reputation.certificate;
  return `scores in ppb of all trust, each within ±${errorBoundPpb} ppb of exact EigenTrust, ledger up to seq ${ledgerSeq}`;
}

export const repShowCommand: Command = {
  name: 'rep show',
  summary: "an agent's reputation score (ppb of all trust, certified), percentile and what it comes from",
  usage: '<agent id> [--home DIR] [--json]',
  examples: ['agora rep show <agent id>', 'agora rep show <agent id> --json'],
  help: [HOME_HELP, ['--json', 'print as JSON (scores in ppb of all trust, with their certificate)']],
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
    const { errorBoundPpb, ledgerSeq } = explanation.certificate;
    const lines = [
      `agent       ${id}`,
      `score       ${explanation.score} ppb of all trust ±${errorBoundPpb} ppb certified (parts per billion: ${(explanation.score / 1e7).toFixed(2)}%; percentile ${explanation.percentile})`,
      `ledger      up to seq ${ledgerSeq}`,
      ...(explanation.fromSeed > 0 ? [`pre-trusted ${explanation.fromSeed} ppb of all trust`] : []),
      'trusted by (ppb of all trust):',
      ...(explanation.trustedBy.length === 0 ? ['  nobody yet'] : []),
      ...explanation.trustedBy.map((t) => `  ${t.agent}  ${t.score}`),
      'receipts (ppb of all trust each carried):',
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
  summary: 'the best-scored agents (ppb of all trust, certified)',
  usage: '[--n N] [--home DIR] [--json]',
  examples: ['agora rep top --n 5', 'agora rep top --home ./bob --json'],
  help: [
    HOME_HELP,
    ['--n N', 'how many (default 10)'],
    ['--json', 'print as JSON (scores in ppb of all trust, with their certificate)'],
  ],
  options: { n: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const n = wholeNumber(values.n, '--n', 10);
    if (n <= 0) throw new AgoraError(ErrorCode.Usage, '--n takes a positive whole number');
    const reputation = await homeReputation(home);
    const { certificate } = reputation;
    const top = reputation.top(n).map((t) => ({
      ...t,
      errorBoundPpb: certificate.errorBoundPpb,
      receipts: reputation.receiptCount(t.id),
    }));
    if (values.json) {
      await write(io.stdout, `${JSON.stringify({ top, certificate, convergence: reputation.stats })}\n`);
      return;
    }
    await write(
      io.stdout,
      [
        `# ${certificateLine(reputation)}`,
        ...top.map((t, i) => `${String(i + 1).padStart(3)}  ${t.id}  ${t.score} ppb  ${t.receipts} receipts`),
        '',
      ].join('\n'),
    );
  },
};

export const repPublishCommand: Command = {
  name: 'rep publish',
  summary: 'publish the best scores to Nostr relays as NIP-85 trusted assertions (kind 30382)',
  usage: '--relay URL [--relay URL ...] [--top N] [--home DIR] [--json]',
  examples: ['agora rep publish --relay wss://relay.example.com --top 50'],
  help: [
    HOME_HELP,
    ['--relay URL', 'a Nostr relay (ws:// or wss://); repeatable'],
    ['--top N', 'how many of the best-scored agents (default 100)'],
    ['--json', 'print one JSON line per relay'],
  ],
  options: { relay: { type: 'string', multiple: true }, top: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const relays = (values.relay as string[] | undefined) ?? [];
    if (relays.length === 0) throw new AgoraError(ErrorCode.Usage, '--relay is required');
    for (const relay of relays)
      if (!/^wss?:\/\//.test(relay))
        throw new AgoraError(ErrorCode.Usage, `${relay} is not a ws:// or wss:// URL`);
    const top = wholeNumber(values.top, '--top', 100);
    if (top <= 0) throw new AgoraError(ErrorCode.Usage, '--top takes a positive whole number');
    const key = await loadHomeKey(home);
    const reputation = await homeReputation(home);
    // One service key per algorithm (NIP-85): derived from the agent's key and the algorithm's parameters.
    const algorithm = algorithmName();
    const serviceKey = assertionServiceKey(key, algorithm);
    const events = trustedAssertions(reputation, serviceKey, { top });
    const { errorBoundPpb, ledgerSeq } = reputation.certificate;
    for (const relay of relays) {
      const published = await publishAssertions(relay, events);
      const summary = {
        relay,
        kind: TRUSTED_ASSERTION_KIND,
        published,
        serviceKey: assertionPublicKey(serviceKey),
        algorithm,
        errorBoundPpb,
        ledgerSeq,
      };
      await write(
        io.stdout,
        values.json
          ? `${JSON.stringify(summary)}\n`
          : `${relay}: published ${published} assertions (kind ${TRUSTED_ASSERTION_KIND}, scores in ppb of all trust ±${errorBoundPpb} ppb, ledger up to seq ${ledgerSeq}) as ${summary.serviceKey}\n`,
      );
    }
  },
};
