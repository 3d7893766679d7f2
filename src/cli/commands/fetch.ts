import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgoraError, ErrorCode, isAgoraError } from '../../core/index.js';
import { fileAgentState } from '../../identity/index.js';
import { CredentialHistory, l402Fetch } from '../../l402/index.js';
import type { LedgerEvent } from '../../ledger/index.js';
import type { VerifiedReceipt } from '../../receipts/index.js';
import { type Command, wholeNumber } from '../command.js';
import { HOME_HELP, homePaths, loadHomeKey, withHomeLedger } from '../home.js';
import { write } from '../io.js';
import { LIGHTNING_HELP, LIGHTNING_OPTIONS, lightningBackend } from '../lightning.js';

/** Receipts that could not be stored yet (their provider's registration is not in the ledger), one JSON a line. */
export const PENDING_RECEIPTS = 'pending-receipts.jsonl';

export const fetchCommand: Command = {
  name: 'fetch',
  summary: 'call an L402 API, paying its invoice through your Lightning node, and keep the signed receipt',
  usage:
    '<url> [--max-cost SAT] [--method M] [--data TEXT] [--lightning-dev URL | --lnd-url URL ...] [--json]',
  examples: [
    'agora fetch "http://127.0.0.1:8080/forecast?city=Oslo" --max-cost 5 --lightning-dev http://127.0.0.1:9736/alice',
    'agora fetch https://api.example.com/v1/quote --max-cost 100 --lnd-url https://127.0.0.1:8080 --lnd-macaroon admin.macaroon --lnd-cert tls.cert --json',
  ],
  help: [
    HOME_HELP,
    ['--max-cost SAT', 'most this request may pay, in sats (default 100); a higher price is refused unpaid'],
    ['--method M', 'HTTP method (default GET, POST with --data)'],
    ['--data TEXT', 'request body'],
    ...LIGHTNING_HELP,
    ['--json', 'print {status, paidMsat, receipt, body} instead of the body'],
  ],
  options: {
    'max-cost': { type: 'string' },
    method: { type: 'string' },
    data: { type: 'string' },
    ...LIGHTNING_OPTIONS,
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const url = positionals[0] as string;
    if (!/^https?:\/\//.test(url))
      throw new AgoraError(ErrorCode.Usage, `fetch takes an http(s) URL, not ${url}`);
    const maxCostSat = wholeNumber(values['max-cost'], '--max-cost', 100, 21_000_000 * 100_000_000);
    const [key, lightning] = await Promise.all([loadHomeKey(home), lightningBackend(values, io.env)]);
    // The agent's history, in its home: a provider another process or command of this agent showed a pseudonym is
    // never given the agent id, and one given it here is never shown a pseudonym by them.
    const history = await CredentialHistory.open(fileAgentState(homePaths(home).credentialHistory));
    const data = typeof values.data === 'string' ? values.data : undefined;
    const method = typeof values.method === 'string' ? values.method.toUpperCase() : data ? 'POST' : 'GET';
    await withHomeLedger(home, async (ledger) => {
      let paid: { receipt: VerifiedReceipt; event: LedgerEvent; stored: boolean } | undefined;
      const response = await l402Fetch(
        url,
        {
          method,
          ...(data === undefined ? {} : { body: data }),
          ...(io.signal ? { signal: io.signal } : {}),
        },
        {
          lightning,
          identity: key,
          history,
          maxPriceMsat: maxCostSat * 1000,
          onReceipt: async (receipt, event) => {
            try {
              await ledger.append(event);
              paid = { receipt, event, stored: true };
            } catch (error) {
              // Paid for, verified, but its provider is not registered here yet: kept aside, never lost.
              if (!isAgoraError(error, ErrorCode.MissingReference)) throw error;
              await appendFile(join(home, PENDING_RECEIPTS), `${JSON.stringify(event)}\n`, { mode: 0o600 });
              paid = { receipt, event, stored: false };
            }
          },
        },
      );
      const body = await response.text();
      const summary = {
        status: response.status,
        paidMsat: paid?.receipt.body.amountMsat ?? 0,
        receipt: paid?.receipt.id ?? null,
        provider: paid?.receipt.provider ?? null,
        stored: paid?.stored ?? false,
      };
      if (values.json) await write(io.stdout, `${JSON.stringify({ ...summary, body })}\n`);
      else {
        await write(io.stdout, body.endsWith('\n') || body === '' ? body : `${body}\n`);
        if (paid !== undefined)
          await write(
            io.stderr,
            paid.stored
              ? `paid ${summary.paidMsat / 1000} sat to ${summary.provider}; receipt ${summary.receipt} stored (rate it: agora rate ${summary.receipt} <-2..2>)\n`
              : `paid ${summary.paidMsat / 1000} sat; receipt ${summary.receipt} kept in ${join(home, PENDING_RECEIPTS)}: import the provider's registration, then agora ledger import that file\n`,
          );
      }
      if (response.status >= 400)
        throw new AgoraError(ErrorCode.PaymentFailed, `${url} answered HTTP ${response.status}`, {
          details: { status: response.status },
        });
    });
  },
};
