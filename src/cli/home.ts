import { cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AnchorNetwork } from '../anchor/index.js';
import {
  AgoraError,
  type BitcoinNetwork,
  checkNetworkConfig,
  ErrorCode,
  type NetworkConfig,
  parseJson,
} from '../core/index.js';
import { loadAgentKey } from '../identity/index.js';
import { type EventRegistry, Ledger } from '../ledger/index.js';
import { agoraRegistry } from '../registry.js';
import { openLedgers } from './ledger-tracking.js';

/** Where an agent keeps its key and ledger. */
export interface HomePaths {
  readonly root: string;
  readonly key: string;
  readonly ledger: string;
  /**
   * The network configuration of the home's ledger: one word, the Bitcoin network it anchors to (`bitcoin` when the
   * file is absent), or a JSON {@link NetworkConfig} (chain, seeds, custodians, decision time bounds).
   */
  readonly network: string;
  /**
   * The agent's credential history (`CredentialHistory`): which providers were given its id and which a pseudonym,
   * shared by every command and process of the agent.
   */
  readonly credentialHistory: string;
}

/** Resolves the home directory: `--home`, else `AGORA_HOME`, else `~/.agora402`. */
export function resolveHome(
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  // An empty --home would resolve to the current directory and quietly make it a home.
  if (option !== undefined && option.trim() === '')
    throw new AgoraError(ErrorCode.Usage, '--home takes a directory, not an empty string');
  if (option === undefined && env.AGORA_HOME !== undefined && env.AGORA_HOME.trim() === '')
    throw new AgoraError(ErrorCode.Usage, 'AGORA_HOME is set but empty: unset it or name a directory');
  return resolve(option ?? env.AGORA_HOME ?? join(homedir(), '.agora402'));
}

/**
 * `NOT_FOUND` saying how to create it unless `root` holds a ledger: a mistyped `--home` must not silently become a
 * new, empty ledger.
 */
export async function requireHome(root: string): Promise<void> {
  const found = await stat(homePaths(root).ledger).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!found)
    throw new AgoraError(
      ErrorCode.NotFound,
      `no agora home at ${root}: create one with agora init --home ${JSON.stringify(root)} (or set AGORA_HOME)`,
    );
}

export function homePaths(root: string): HomePaths {
  return {
    root,
    key: join(root, 'key.json'),
    ledger: join(root, 'ledger'),
    network: join(root, 'network'),
    credentialHistory: join(root, 'credential-history.json'),
  };
}

const NETWORKS: readonly BitcoinNetwork[] = ['bitcoin', 'testnet', 'signet', 'regtest'];

/**
 * The network configuration of a home, as `agora init` wrote it: the chain anchors go to (`bitcoin` by default) and,
 * where given, the pre-trusted seeds, accepted custodians and decision time bounds. It is the ledger's configuration:
 * an anchor event claiming another chain is refused, whatever a command line says.
 */
export async function homeConfig(root: string): Promise<NetworkConfig> {
  const path = homePaths(root).network;
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { chain: 'bitcoin' };
    throw new AgoraError(ErrorCode.Io, `cannot read ${path}`, { cause });
  }
  if (text.startsWith('{')) {
    try {
      return checkNetworkConfig(parseJson(text));
    } catch (cause) {
      throw new AgoraError(
        ErrorCode.InvalidState,
        `${path} is no network configuration: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }
  if (!NETWORKS.includes(text as BitcoinNetwork))
    throw new AgoraError(ErrorCode.InvalidState, `${path} names no network (${NETWORKS.join(', ')})`);
  return { chain: text as BitcoinNetwork };
}

/** The network a home anchors to: its configuration's chain ({@link homeConfig}). */
export async function homeNetwork(root: string): Promise<BitcoinNetwork> {
  return (await homeConfig(root)).chain;
}

/** What a home's network file holds for `config`: one word when only the chain is set, else the JSON configuration. */
export function networkFileText(config: NetworkConfig): string {
  return `${Object.keys(config).length === 1 ? config.chain : JSON.stringify(checkNetworkConfig(config))}\n`;
}

/**
 * Every event type this build of agora402 understands, anchors verified for `network` (default `bitcoin`), with the
 * rest of the network's configuration (`config`: seeds, custodians, time bounds).
 */
export function defaultRegistry(
  network: BitcoinNetwork | AnchorNetwork = 'bitcoin',
  config: Omit<NetworkConfig, 'chain'> = {},
): EventRegistry {
  return agoraRegistry({ network, config });
}

/**
 * Creates `dir` and its missing parents (mode 0700 for new ones). Node's own recursive mkdir loops forever under
 * /proc, so each level is made by hand, from the deepest existing ancestor down.
 */
export async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    const found = await stat(current).then(
      (s) => s,
      (cause: NodeJS.ErrnoException) => {
        if (cause.code === 'ENOENT') return undefined;
        throw cause;
      },
    );
    if (found !== undefined) {
      if (!found.isDirectory()) throw new AgoraError(ErrorCode.Io, `${current} is not a directory`);
      break;
    }
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing) await mkdir(path, { mode: 0o700 });
}

/** The error code LevelDB's open failure carries somewhere in its cause chain, if any. */
function levelCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && e.code.startsWith('LEVEL_') && e.code !== 'LEVEL_DATABASE_NOT_OPEN')
      return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** True when `error`, from opening a ledger, says the files cannot be written (a read-only copy or mount). */
function isReadOnly(error: unknown): boolean {
  const text = String((error as { cause?: { cause?: Error } }).cause?.cause?.message ?? '') + String(error);
  return /read-only|permission denied|EACCES|EROFS/i.test(text);
}

/**
 * Opens the home's ledger. A ledger another command holds is `STORE_UNAVAILABLE` in one line naming the home; with
 * `readOnly`, a ledger whose files cannot be written (a read-only copy) is read from a private temporary copy.
 */
export async function openHomeLedger(root: string, options: { readOnly?: boolean } = {}): Promise<Ledger> {
  await requireHome(root);
  const { chain, ...config } = await homeConfig(root);
  const registry = defaultRegistry(chain, config);
  let ledger: Ledger;
  try {
    ledger = await Ledger.open(homePaths(root).ledger, { registry });
  } catch (error) {
    if (levelCode(error) === 'LEVEL_LOCKED')
      throw new AgoraError(
        ErrorCode.StoreUnavailable,
        `the ledger in ${root} is in use by another agora command (one at a time per home): retry when it ends`,
        { cause: error },
      );
    if (!(options.readOnly === true && isReadOnly(error))) throw error;
    ledger = await openCopy(root, registry);
  }
  openLedgers.getStore()?.add(ledger);
  return ledger;
}

/** Opens a temporary copy of a read-only home's ledger, deleted when the ledger closes. */
async function openCopy(root: string, registry: EventRegistry): Promise<Ledger> {
  const copy = await mkdtemp(join(tmpdir(), 'agora-readonly-'));
  try {
    await cp(homePaths(root).ledger, copy, { recursive: true });
    await rm(join(copy, 'LOCK'), { force: true });
    const ledger = await Ledger.open(copy, { registry, sync: false });
    const close = ledger.close.bind(ledger);
    ledger.close = async () => {
      await close();
      await rm(copy, { recursive: true, force: true });
    };
    return ledger;
  } catch (error) {
    await rm(copy, { recursive: true, force: true });
    throw error;
  }
}

/** Runs `task` on the home ledger and closes it whatever happens; `readOnly` for commands that only read. */
export async function withHomeLedger<T>(
  root: string,
  task: (ledger: Ledger) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  const ledger = await openHomeLedger(root, options);
  try {
    return await task(ledger);
  } finally {
    openLedgers.getStore()?.delete(ledger);
    await ledger.close();
  }
}

/** The `--home` line of every command's help. */
export const HOME_HELP = ['--home DIR', 'agent home (default: $AGORA_HOME or ~/.agora402)'] as const;

/** The home's agent key; `NOT_FOUND` saying how to create the home when there is none. */
export async function loadHomeKey(root: string) {
  await requireHome(root);
  return loadAgentKey(homePaths(root).key);
}
