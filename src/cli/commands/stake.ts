import { createServer } from 'node:http';
import { AgoraError, ErrorCode, systemClock, unixSeconds } from '../../core/index.js';
import { writeFetchResponse } from '../../l402/node-http.js';
import type { Ledger, LedgerEvent } from '../../ledger/index.js';
import {
  type CustodyMode,
  lockStake,
  nextStakeSequence,
  readStakes,
  StakeCustodian,
  StakeCustodianClient,
  stakeCustodianHandler,
  stakeState,
} from '../../stake/index.js';
import { type Command, idArgument, type OptionValues, wholeNumber } from '../command.js';
import { HOME_HELP, loadHomeKey, withHomeLedger } from '../home.js';
import { type CliIo, write } from '../io.js';
import { LIGHTNING_HELP, LIGHTNING_OPTIONS, lightningBackend } from '../lightning.js';
import { closeUnread, fetchRequestOf } from '../node-request.js';
import { isoTime, timeOption } from '../time.js';

/** Runs `task` with this home's custodian (its key, ledger and LND node): one process holds a home's ledger at a time. */
export async function withCustodian<T>(
  home: string,
  values: OptionValues,
  env: CliIo['env'],
  task: (custodian: StakeCustodian, ledger: Ledger) => Promise<T>,
): Promise<T> {
  const [key, backend] = await Promise.all([loadHomeKey(home), lightningBackend(values, env)]);
  return withHomeLedger(home, async (ledger) =>
    task(await StakeCustodian.open({ key, backend, ledger }), ledger),
  );
}

const describe = (event: LedgerEvent) => JSON.stringify({ type: event.type, body: event.body });

export const stakeLockCommand: Command = {
  name: 'stake lock',
  summary: 'lock sats with a custodian through a hold invoice paid from your LND node or NWC wallet',
  usage: '--custodian URL --amount SAT --until UNIX [--mode MODE] --lnd-url URL ... [--json]',
  examples: [
    'agora stake lock --custodian http://127.0.0.1:8402 --amount 20000 --until +7d --lightning-dev http://127.0.0.1:9735/alice',
  ],
  help: [
    HOME_HELP,
    ['--custodian URL', "the custodian's address (it runs `agora stake serve`)"],
    ['--amount SAT', 'sats to lock'],
    [
      '--until TIME',
      'when the stake may be released: unix seconds, ISO 8601 or from now (+7d); at least the close of the votes it weighs in',
    ],
    ['--mode MODE', 'non-custodial (default: you keep the preimage, no slashing) | custodial (slashable)'],
    ...LIGHTNING_HELP,
    ['--json', 'print as JSON'],
  ],
  options: {
    custodian: { type: 'string' },
    amount: { type: 'string' },
    until: { type: 'string' },
    mode: { type: 'string' },
    ...LIGHTNING_OPTIONS,
    json: { type: 'boolean' },
  },
  async run({ io, home, values }) {
    if (typeof values.custodian !== 'string')
      throw new AgoraError(ErrorCode.Usage, '--custodian is required');
    const amountSat = wholeNumber(values.amount, '--amount', 0);
    const until = timeOption(values.until, '--until', unixSeconds(systemClock), 0);
    if (amountSat === 0 || until === 0)
      throw new AgoraError(ErrorCode.Usage, '--amount and --until are required');
    const mode = (values.mode ?? 'non-custodial') as CustodyMode;
    if (mode !== 'custodial' && mode !== 'non-custodial')
      throw new AgoraError(ErrorCode.Usage, '--mode is custodial or non-custodial');
    const [key, backend, custodian] = await Promise.all([
      loadHomeKey(home),
      lightningBackend(values, io.env),
      StakeCustodianClient.connect(values.custodian),
    ]);
    await withHomeLedger(home, async (ledger) => {
      const stake = await lockStake({
        key,
        backend,
        custodian,
        amountSat,
        until,
        mode,
        sequence: await nextStakeSequence(ledger, key.id),
      });
      // The custodian's attestation is verified again and kept here: the stake weighs in this agent's snapshots.
      await ledger.append(stake.lock);
      const summary = {
        lock: stake.lockId,
        custodian: custodian.id,
        amountSat,
        until,
        mode,
        expiryHeight: (stake.lock.body as { expiryHeight: number }).expiryHeight,
      };
      await write(
        io.stdout,
        values.json
          ? `${JSON.stringify(summary)}\n`
          : `stake ${summary.lock}\nlocked ${amountSat} sat with ${custodian.id} until ${isoTime(until)} (${mode}; the hold expires at block ${summary.expiryHeight})\n`,
      );
    });
  },
};

export const stakeStatusCommand: Command = {
  name: 'stake status',
  summary: 'the stakes of an agent (default: yours), or those you hold as custodian',
  usage: '[--agent ID | --held] [--home DIR] [--json]',
  examples: ['agora stake status', 'agora stake status --held --json'],
  help: [
    HOME_HELP,
    ['--agent ID', "another agent's stakes"],
    ['--held', 'the stakes you hold as custodian'],
    ['--json', 'print as JSON lines'],
  ],
  options: { agent: { type: 'string' }, held: { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const me = (await loadHomeKey(home)).id;
    const agent = values.agent === undefined ? me : idArgument(values.agent as string, 'an agent');
    const now = unixSeconds(systemClock);
    await withHomeLedger(home, async (ledger) => {
      const stakes = await readStakes(ledger, values.held ? { custodian: me } : { staker: agent });
      let locked = 0n;
      for (const stake of stakes) {
        const state = stakeState(stake, now);
        if (state === 'locked') locked += BigInt(stake.statement.amountSat);
        const line = values.json
          ? JSON.stringify({ ...stake, state })
          : `${stake.id}  ${state.padEnd(8)} ${String(stake.statement.amountSat).padStart(12)} sat  until ${isoTime(stake.statement.until)}  ${values.held ? `staker ${stake.staker}` : `custodian ${stake.custodian}`}`;
        await write(io.stdout, `${line}\n`);
      }
      if (!values.json) await write(io.stdout, `${stakes.length} stakes, ${locked} sat locked now\n`);
    });
  },
};

export const stakeReleaseCommand: Command = {
  name: 'stake release',
  summary: 'as custodian: release a stake (cancel its hold invoice), or every stake whose time is up',
  usage: '<lock id> | --due [--renewed-by LOCK] --lnd-url URL ... [--json]',
  examples: [
    'agora stake release --due --lnd-url https://127.0.0.1:8080 --lnd-macaroon admin.macaroon --lnd-cert tls.cert',
  ],
  help: [
    HOME_HELP,
    ['--due', 'release every stake past its promised time'],
    ['--renewed-by LOCK', 'release early because this newer, longer stake replaces it'],
    ...LIGHTNING_HELP,
    ['--json', 'print the events as JSON lines'],
  ],
  options: {
    due: { type: 'boolean' },
    'renewed-by': { type: 'string' },
    ...LIGHTNING_OPTIONS,
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 1 },
  async run({ io, home, values, positionals }) {
    const lock = positionals[0];
    if ((lock === undefined) === (values.due !== true))
      throw new AgoraError(ErrorCode.Usage, 'name one stake, or --due');
    const renewedBy =
      values['renewed-by'] === undefined ? undefined : idArgument(values['renewed-by'] as string, 'a stake');
    const events = await withCustodian(home, values, io.env, async (custodian) =>
      lock === undefined
        ? custodian.releaseDue()
        : [
            await custodian.release(
              idArgument(lock, 'a stake'),
              renewedBy === undefined ? {} : { renewedBy },
            ),
          ],
    );
    for (const event of events)
      await write(
        io.stdout,
        values.json ? `${describe(event)}\n` : `released ${(event.body as { lock: string }).lock}\n`,
      );
    if (!values.json && events.length === 0) await write(io.stdout, 'nothing to release\n');
  },
};

export const stakeServeCommand: Command = {
  name: 'stake serve',
  summary:
    'as custodian: take signed stake offers over HTTP, release stakes when their time is up, record expired holds',
  usage: '[--port N] [--host H] [--interval S] --lnd-url URL ... [--json]',
  examples: ['agora stake serve --port 8402 --lightning-dev http://127.0.0.1:9735/custodian'],
  help: [
    HOME_HELP,
    ['--port N', 'port to listen on (default 8402; 0 picks one)'],
    ['--host H', 'address to listen on (default 127.0.0.1)'],
    ['--interval S', 'seconds between release and expiry checks (default 60)'],
    ...LIGHTNING_HELP,
    ['--json', 'print the address as JSON'],
  ],
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    interval: { type: 'string' },
    ...LIGHTNING_OPTIONS,
    json: { type: 'boolean' },
  },
  async run({ io, home, values }) {
    const port = wholeNumber(values.port, '--port', 8402);
    const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
    const interval = wholeNumber(values.interval, '--interval', 60);
    await withCustodian(home, values, io.env, async (custodian) => {
      const handle = stakeCustodianHandler(custodian);
      const server = createServer((req, res) => {
        // The body streams into the handler, which stops reading past its limit: nothing is gathered here first.
        handle(fetchRequestOf(req, `http://${host}`))
          .then((response) => {
            closeUnread(req, res);
            return writeFetchResponse(response, res);
          })
          .catch(() => {
            res.statusCode = 500;
            res.end();
          });
      });
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      const address = server.address();
      const url = `http://${host}:${typeof address === 'object' && address !== null ? address.port : port}`;
      await write(
        io.stdout,
        values.json
          ? `${JSON.stringify({ url, custodian: custodian.id })}\n`
          : `custodian ${custodian.id} at ${url}\n`,
      );
      const tick = async () => {
        for (const event of [...(await custodian.releaseDue()), ...(await custodian.sync())])
          await write(io.stderr, `${describe(event)}\n`);
        // Offers nobody paid for in time: their invoices are canceled and their places freed.
        for (const paymentHash of await custodian.expireOffers())
          await write(io.stderr, `${JSON.stringify({ expiredOffer: paymentHash })}\n`);
      };
      // One check at a time, and the last one finished before the ledger closes.
      let running: Promise<void> = Promise.resolve();
      const timer = setInterval(() => {
        running = running
          .then(tick)
          .catch((error: unknown) => void io.stderr.write(`stake serve: ${(error as Error).message}\n`));
      }, interval * 1000);
      try {
        // Until the process is told to stop (SIGINT, SIGTERM), or the caller's signal aborts.
        await new Promise<void>((resolve) => {
          if (io.signal?.aborted) resolve();
          io.signal?.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        clearInterval(timer);
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await running;
      }
    });
  },
};
