import { readFile, writeFile } from 'node:fs/promises';
import {
  type AnchorProof,
  anchoredVotes,
  anchorStatus,
  anchorToOts,
  anchorWallet,
  BitcoindRpc,
  buildAnchorTransaction,
  type ChainBackend,
  type Confirmation,
  createAnchorCommitted,
  createAnchorConfirmed,
  disputeEventCommitment,
  EsploraClient,
  eventsCommitmentTree,
  proposalCommitment,
  publicationTimes,
  subjectAnchors,
  type Utxo,
  verifyAnchor,
  type WalletKind,
  type WitnessBatchBody,
  waitForConfirmations,
  walletFromDescriptor,
  witnessBatchCommitment,
  writeOts,
} from '../../anchor/index.js';
import {
  AgoraError,
  type BitcoinNetwork,
  ErrorCode,
  fromHex,
  isAgoraError,
  parseJson,
  systemClock,
  unixSeconds,
} from '../../core/index.js';
import { type Ledger, unsentOwnEvents } from '../../ledger/index.js';
import { type Command, idArgument, type OptionValues, optionOrEnv, wholeNumber } from '../command.js';
import { HOME_HELP, homeNetwork, loadHomeKey, withHomeLedger } from '../home.js';
import { type CliIo, write } from '../io.js';

const CHAINS: readonly BitcoinNetwork[] = ['bitcoin', 'testnet', 'signet', 'regtest'];

const BACKEND_HELP = [
  ['--backend KIND', 'bitcoind | esplora (or $AGORA_BITCOIN_BACKEND)'],
  ['--rpc-url URL', "bitcoind's RPC address (or $AGORA_BITCOIND_URL)"],
  ['--rpc-user U', 'its RPC user (or $AGORA_BITCOIND_USER)'],
  ['--rpc-password P', 'its RPC password (or $AGORA_BITCOIND_PASSWORD)'],
  ['--esplora-url URL', 'an Esplora server (or $AGORA_ESPLORA_URL)'],
  ['--chain CHAIN', "the home's network (set by `agora init --network`); any other is refused"],
] as const;
const BACKEND_OPTIONS = {
  backend: { type: 'string' },
  'rpc-url': { type: 'string' },
  'rpc-user': { type: 'string' },
  'rpc-password': { type: 'string' },
  'esplora-url': { type: 'string' },
  chain: { type: 'string' },
} as const;

function chainOption(values: OptionValues, fallback: BitcoinNetwork): BitcoinNetwork {
  const chain = (values.chain ?? fallback) as BitcoinNetwork;
  if (!CHAINS.includes(chain))
    throw new AgoraError(ErrorCode.Usage, `--chain is one of ${CHAINS.join(', ')}`);
  return chain;
}

/** The home's network; `--chain` may repeat it, never change it (the ledger would refuse the events anyway). */
async function homeChain(values: OptionValues, home: string): Promise<BitcoinNetwork> {
  const network = await homeNetwork(home);
  const chain = chainOption(values, network);
  if (chain !== network)
    throw new AgoraError(
      ErrorCode.Usage,
      `this home anchors to ${network} (agora init --network), not ${chain}`,
    );
  return chain;
}

/** The chain backend the options name, or undefined when none is configured. */
function chainBackend(values: OptionValues, env: CliIo['env']): ChainBackend | undefined {
  const pick = (option: string, variable: string) => optionOrEnv(values, env, option, variable);
  const kind = pick('backend', 'AGORA_BITCOIN_BACKEND');
  if (kind === undefined) return undefined;
  if (kind === 'esplora') {
    const url = pick('esplora-url', 'AGORA_ESPLORA_URL');
    if (url === undefined)
      throw new AgoraError(ErrorCode.Usage, '--esplora-url (or $AGORA_ESPLORA_URL) is required');
    return new EsploraClient(url);
  }
  if (kind === 'bitcoind') {
    const url = pick('rpc-url', 'AGORA_BITCOIND_URL');
    const user = pick('rpc-user', 'AGORA_BITCOIND_USER');
    const password = pick('rpc-password', 'AGORA_BITCOIND_PASSWORD');
    if (url === undefined || user === undefined || password === undefined)
      throw new AgoraError(
        ErrorCode.Usage,
        '--rpc-url, --rpc-user and --rpc-password are required for bitcoind',
      );
    return new BitcoindRpc({ url, user, password });
  }
  throw new AgoraError(ErrorCode.Usage, '--backend is bitcoind or esplora');
}

function requireBackend(values: OptionValues, env: CliIo['env']): ChainBackend {
  const backend = chainBackend(values, env);
  if (backend === undefined)
    throw new AgoraError(
      ErrorCode.Usage,
      '--backend bitcoind|esplora (or $AGORA_BITCOIN_BACKEND) is required',
    );
  return backend;
}

/** Every bitcoin there will ever be, in sats. */
const MAX_SATS = 2_100_000_000_000_000n;

/** `--utxo TXID:VOUT:SATS`, repeatable. */
function utxosFromOptions(values: OptionValues): Utxo[] {
  return ((values.utxo as string[] | undefined) ?? []).map((text) => {
    const match = /^([0-9a-f]{64}):(\d+):(\d+)$/.exec(text);
    if (!match) throw new AgoraError(ErrorCode.Usage, '--utxo is TXID:VOUT:SATS');
    const vout = Number(match[2]);
    const amountSat = BigInt(match[3] as string);
    // Bounds of a real coin: an output index fits 32 bits, an amount is at most the 21 million bitcoins.
    if (!Number.isSafeInteger(vout) || vout > 0xffff_ffff)
      throw new AgoraError(
        ErrorCode.Usage,
        `--utxo ${text}: the output index is out of range (at most 4294967295)`,
      );
    if (amountSat === 0n || amountSat > MAX_SATS)
      throw new AgoraError(
        ErrorCode.Usage,
        `--utxo ${text}: the amount is out of range (1 to ${MAX_SATS} sats)`,
      );
    return { txid: match[1] as string, vout, amountSat };
  });
}

/** Whether `id` is a dispute's opening or answer (anchored by its id), rather than a proposal (by its result). */
async function isDisputeEvent(ledger: Ledger, id: string): Promise<boolean> {
  const type = (await ledger.get(id))?.event.type;
  return type === 'dispute.opened' || type === 'dispute.answered';
}

/** The body of witness batch `id` (anchored by the root of its ids), if `id` is one. */
async function witnessBatchOf(ledger: Ledger, id: string): Promise<WitnessBatchBody | undefined> {
  const stored = (await ledger.get(id))?.event;
  return stored?.type === 'witness.batch' ? (stored.body as unknown as WitnessBatchBody) : undefined;
}

/**
 * What an anchor of `id` commits to: a closed proposal's result and counted votes (which the anchor names, see
 * `anchoredVotes`), or a dispute event's id.
 */
async function commitmentOf(ledger: Ledger, id: string, now: number) {
  const batch = await witnessBatchOf(ledger, id);
  if (batch !== undefined)
    return {
      tree: eventsCommitmentTree(batch.ids),
      commitment: witnessBatchCommitment(batch),
      named: {},
      unsent: 0,
    };
  if (await isDisputeEvent(ledger, id))
    return { tree: eventsCommitmentTree([id]), commitment: disputeEventCommitment(id), named: {}, unsent: 0 };
  // This home's own vote pieces not sent to any relay yet are left out: named now, they would be named before any
  // other replica holds them, and once published the anchor would tell they are this agent's.
  const votes: string[] = [];
  for await (const { id: vote, event } of ledger.byIndex('proposal', id))
    if (event.type === 'vote.cast') votes.push(vote);
  const unsent = new Set(await unsentOwnEvents(ledger, votes));
  // Votes dated by their publication, as `governedState` reads the decision: the anchor matches what replicas count.
  const { tree, commitment, result } = await proposalCommitment(ledger, id, now, {
    publication: await publicationTimes(ledger, now),
    leaveOut: unsent,
  });
  return { tree, commitment, named: anchoredVotes(result), unsent: unsent.size };
}

/** The anchoring of `id`: a proposal's ({@link anchorStatus}), or a dispute opening's or answer's. */
async function statusOf(ledger: Ledger, id: string, now: number, network: BitcoinNetwork) {
  const batch = await witnessBatchOf(ledger, id);
  if (batch === undefined && !(await isDisputeEvent(ledger, id)))
    return anchorStatus(ledger, id, now, { network, publication: await publicationTimes(ledger, now) });
  const commitment = batch === undefined ? disputeEventCommitment(id) : witnessBatchCommitment(batch);
  const found = await subjectAnchors(ledger, id, commitment, network, now);
  return { commitment, ...found, state: found.confirmed === undefined ? 'not anchored' : 'anchored' };
}

const stringify = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

export const anchorCommitCommand: Command = {
  name: 'anchor commit',
  summary:
    "put a closed proposal's commitment (or a dispute opening's or answer's id) on Bitcoin in an OP_RETURN output, paid from your key's wallet",
  usage:
    '<proposal or dispute event id> [--fee-rate N] [--dry-run] [--utxo TXID:VOUT:SATS] [--backend ...] [--json]',
  examples: [
    'agora anchor commit <proposal id> --dry-run --utxo <txid>:0:50000',
    'agora anchor commit <dispute id> --backend esplora --esplora-url https://blockstream.info/api',
  ],
  help: [
    HOME_HELP,
    ['--fee-rate N', 'sat/vB (default: the backend estimate for 3 blocks)'],
    ['--dry-run', 'build and sign, print, broadcast nothing and record nothing'],
    ['--utxo TXID:VOUT:SATS', "a coin of the wallet (repeatable; default: the backend's list)"],
    ['--wallet KIND', 'p2wpkh (default) | p2tr: how your agent key locks the coins'],
    [
      '--descriptor D',
      'pay from this wallet instead: wpkh(WIF) or tr(WIF), optional #checksum ($AGORA_WALLET_DESCRIPTOR)',
    ],
    ...BACKEND_HELP,
    ['--json', 'print as JSON'],
  ],
  options: {
    'fee-rate': { type: 'string' },
    'dry-run': { type: 'boolean' },
    utxo: { type: 'string', multiple: true },
    wallet: { type: 'string' },
    descriptor: { type: 'string' },
    ...BACKEND_OPTIONS,
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal or dispute event');
    // The command line is checked whole before anything is read: a bad --utxo is a usage error.
    const given = utxosFromOptions(values);
    const chain = await homeChain(values, home);
    const descriptor = values.descriptor ?? io.env.AGORA_WALLET_DESCRIPTOR;
    const fromDescriptor =
      typeof descriptor === 'string' ? walletFromDescriptor(descriptor, chain) : undefined;
    const kind = fromDescriptor?.kind ?? ((values.wallet ?? 'p2wpkh') as WalletKind);
    if (kind !== 'p2wpkh' && kind !== 'p2tr')
      throw new AgoraError(ErrorCode.Usage, '--wallet is p2wpkh or p2tr');
    const backend = chainBackend(values, io.env);
    const dryRun = values['dry-run'] === true;
    if (backend === undefined && !dryRun) requireBackend(values, io.env);
    const key = await loadHomeKey(home);
    const secretKey = fromDescriptor?.secretKey ?? key.secretKey;
    const wallet = anchorWallet(secretKey, chain, kind);
    await withHomeLedger(home, async (ledger) => {
      const { tree, commitment, named, unsent } = await commitmentOf(ledger, id, unixSeconds(systemClock));
      if (unsent > 0)
        await write(
          io.stderr,
          `${unsent} vote piece(s) of this proposal have not been sent to any relay (your own, held back): left out of this anchor, which names only votes others can hold; run agora sync, then anchor again to count them\n`,
        );
      const utxos = given.length > 0 || backend === undefined ? given : await backend.utxos(wallet.address);
      if (utxos.length === 0)
        throw new AgoraError(
          ErrorCode.InsufficientBalance,
          `the wallet ${wallet.address} has no coins to pay with: fund that address, or name coins with --utxo`,
        );
      const feeRate =
        values['fee-rate'] !== undefined
          ? wholeNumber(values['fee-rate'], '--fee-rate', 1)
          : backend === undefined
            ? 1
            : await backend.feeRate(3);
      const tx = buildAnchorTransaction({
        secretKey,
        chain,
        kind,
        utxos,
        commitment: fromHex(commitment),
        feeRate,
      });
      const summary = {
        proposal: id,
        commitment,
        leaves: tree.size,
        wallet: wallet.address,
        txid: tx.txid,
        feeSat: tx.feeSat,
        vsize: tx.vsize,
        broadcast: !dryRun,
        ...(unsent > 0 ? { leftOut: unsent } : {}),
        ...(dryRun ? { hex: tx.hex, psbt: tx.psbt } : {}),
      };
      if (!dryRun) {
        await (backend as ChainBackend).broadcast(tx.hex);
        await ledger.append(
          createAnchorCommitted(key, {
            proposal: id,
            commitment,
            txid: tx.txid,
            chain,
            ...named,
          }),
        );
      }
      await write(
        io.stdout,
        values.json
          ? `${stringify(summary)}\n`
          : `commitment ${commitment} (${tree.size} leaves)\nwallet      ${wallet.address} (fund this address to pay for anchors)\ntransaction ${tx.txid}, fee ${tx.feeSat} sat at ${feeRate} sat/vB\n${dryRun ? `dry run: nothing broadcast\n${tx.hex}\n` : 'broadcast\n'}`,
      );
    });
  },
};

/** How deep `txid` is now, or after waiting up to `wait` seconds for `needed` confirmations; undefined if unconfirmed. */
async function depthOf(
  backend: ChainBackend,
  txid: string,
  needed: number,
  wait: number,
  signal: AbortSignal | undefined,
): Promise<Confirmation | undefined> {
  if (wait > 0) {
    try {
      return await waitForConfirmations(backend, txid, {
        confirmations: needed,
        intervalMs: Math.min(30_000, Math.max(1_000, wait * 100)),
        timeoutMs: wait * 1000,
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (!isAgoraError(error, ErrorCode.BackendUnreachable) && !signal?.aborted) throw error;
    }
  }
  const status = await backend.txStatus(txid);
  if (!status.confirmed) return undefined;
  return { ...status, confirmations: (await backend.tipHeight()) - status.height + 1 };
}

export const anchorStatusCommand: Command = {
  name: 'anchor status',
  summary:
    "a proposal's (or dispute event's) anchoring: committed, and once confirmed deep enough, recorded with its SPV proof",
  usage: '<proposal or dispute event id> [--confirmations N] [--backend ...] [--json]',
  examples: ['agora anchor status <proposal id>'],
  help: [
    HOME_HELP,
    ['--confirmations N', 'blocks needed before recording the confirmation (default 6)'],
    ['--wait S', 'wait up to S seconds for them (default: look once)'],
    ...BACKEND_HELP,
    ['--json', 'print as JSON'],
  ],
  options: {
    confirmations: { type: 'string' },
    wait: { type: 'string' },
    ...BACKEND_OPTIONS,
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal or dispute event');
    const needed = wholeNumber(values.confirmations, '--confirmations', 6);
    const wait = wholeNumber(values.wait, '--wait', 0);
    const backend = chainBackend(values, io.env);
    const now = unixSeconds(systemClock);
    const network = await homeChain(values, home);
    await withHomeLedger(home, async (ledger) => {
      let status = await statusOf(ledger, id, now, network);
      let confirmations: number | undefined;
      if (status.confirmed === undefined && backend !== undefined) {
        for (const { id: committed, body } of status.committed) {
          const tx = await depthOf(backend, body.txid, needed, wait, io.signal);
          if (tx === undefined) continue;
          confirmations = tx.confirmations;
          if (confirmations < needed) continue;
          const headers: Record<string, string> = {};
          for (let height = tx.height; height < tx.height + needed; height++)
            headers[height] = await backend.blockHeader(await backend.blockHash(height));
          const proof = {
            tx: await backend.rawTransaction(body.txid),
            branch: await backend.txBranch(body.txid, tx.blockHash),
            height: tx.height,
          };
          const key = await loadHomeKey(home);
          await ledger.append(createAnchorConfirmed(key, { committed, proposal: id, proof, headers }));
          status = await statusOf(ledger, id, now, network);
          break;
        }
      }
      const out = {
        proposal: id,
        state: status.state,
        commitment: status.commitment,
        committed: status.committed.map((c) => ({ event: c.id, txid: c.body.txid, chain: c.body.chain })),
        ...(confirmations === undefined ? {} : { confirmations }),
        ...(status.confirmed === undefined
          ? {}
          : { confirmed: { event: status.confirmed.id, height: status.confirmed.proof.height } }),
      };
      const line =
        status.confirmed !== undefined
          ? `anchored: ${status.commitment} in block ${status.confirmed.proof.height}`
          : status.committed.length > 0
            ? `committed in ${status.committed.map((c) => c.body.txid).join(', ')}; not confirmed${confirmations === undefined ? '' : ` deep enough (${confirmations} of ${needed})`}`
            : `not anchored (commitment ${status.commitment})`;
      await write(io.stdout, values.json ? `${JSON.stringify(out)}\n` : `${line}\n`);
    });
  },
};

export const anchorExportOtsCommand: Command = {
  name: 'anchor export-ots',
  summary:
    'write a confirmed anchor as an OpenTimestamps proof (.ots) and as a JSON proof for `anchor verify`',
  usage: '<proposal id> [--out FILE] [--proof FILE]',
  examples: ['agora anchor export-ots <proposal id> --out proposal.ots'],
  help: [
    HOME_HELP,
    ['--out FILE', 'the .ots file (default <proposal id>.ots)'],
    ['--proof FILE', 'also write the SPV proof with its headers as JSON'],
  ],
  options: { out: { type: 'string' }, proof: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const id = idArgument(positionals[0], 'a proposal');
    const network = await homeNetwork(home);
    const now = unixSeconds(systemClock);
    const status = await withHomeLedger(home, async (ledger) =>
      anchorStatus(ledger, id, now, { network, publication: await publicationTimes(ledger, now) }),
    );
    if (status.confirmed === undefined)
      throw new AgoraError(ErrorCode.InvalidState, `proposal ${id} has no confirmed anchor in this ledger`);
    const out = typeof values.out === 'string' ? values.out : `${id}.ots`;
    await writeFile(out, writeOts(anchorToOts(status.confirmed.proof)));
    if (typeof values.proof === 'string')
      await writeFile(
        values.proof,
        `${JSON.stringify({ ...status.confirmed.proof, headers: status.confirmed.headers })}\n`,
      );
    await write(
      io.stdout,
      `wrote ${out}: digest ${status.commitment} (sha256), block ${status.confirmed.proof.height}\n`,
    );
  },
};

export const anchorVerifyCommand: Command = {
  name: 'anchor verify',
  summary: 'check an anchor proof offline: transaction, Merkle branch, headers and their proof of work',
  usage: '<proof.json> [--header-file F] [--chain CHAIN] [--json]',
  examples: ['agora anchor verify <proposal id>'],
  help: [
    ['--header-file F', 'JSON {height: 80-byte header hex} (default: the headers in the proof file)'],
    ['--chain CHAIN', 'bitcoin | testnet | signet | regtest (default bitcoin)'],
    ['--json', 'print as JSON'],
  ],
  options: { 'header-file': { type: 'string' }, chain: { type: 'string' }, json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, values, positionals }) {
    const read = async (file: string) => {
      try {
        return parseJson(await readFile(file, 'utf8'));
      } catch (cause) {
        if (cause instanceof AgoraError) throw cause;
        throw new AgoraError(ErrorCode.Io, `cannot read ${file}: ${(cause as Error).message}`, { cause });
      }
    };
    const proof = (await read(positionals[0] as string)) as unknown as AnchorProof & {
      headers?: Record<string, string>;
    };
    const headers = (
      typeof values['header-file'] === 'string' ? await read(values['header-file']) : (proof.headers ?? {})
    ) as Record<string, string>;
    const verified = verifyAnchor(
      proof,
      Object.fromEntries(Object.entries(headers).map(([height, header]) => [Number(height), header])),
      { chain: chainOption(values, 'bitcoin') },
    );
    await write(
      io.stdout,
      values.json
        ? `${JSON.stringify(verified)}\n`
        : `verified: ${proof.commitment} in transaction ${verified.txid}, block ${verified.height} (${verified.blockHash}), time ${verified.time}, ${verified.confirmations} confirmations\n`,
    );
  },
};
