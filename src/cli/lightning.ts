import { readFile } from 'node:fs/promises';
import { AgoraError, ErrorCode } from '../core/index.js';
import { type LightningBackend, LndRestBackend, NwcBackend } from '../lightning/index.js';
import { type OptionValues, optionOrEnv } from './command.js';
import { DevLightningBackend } from './dev-lightning.js';
import type { CliIo } from './io.js';

/** The help lines of the Lightning options. */
export const LIGHTNING_HELP = [
  [
    '--lightning-dev URL',
    'a node of `agora dev lightning` (http://127.0.0.1:9736/NAME) instead of LND (or $AGORA_LIGHTNING_DEV)',
  ],
  ['--lnd-url URL', "your LND's REST address (or $AGORA_LND_URL)"],
  ['--lnd-macaroon FILE', 'its macaroon file (or $AGORA_LND_MACAROON)'],
  ['--lnd-cert FILE', 'its tls.cert, pinned (or $AGORA_LND_CERT)'],
  ['--nwc URI', 'or a Nostr Wallet Connect nostr+walletconnect:// URI instead of LND (or $AGORA_NWC_URI)'],
] as const;
/** The Lightning options, for parseArgs. */
export const LIGHTNING_OPTIONS = {
  'lightning-dev': { type: 'string' },
  'lnd-url': { type: 'string' },
  'lnd-macaroon': { type: 'string' },
  'lnd-cert': { type: 'string' },
  nwc: { type: 'string' },
} as const;

/** The agent's LND node from `--lnd-*` options or `AGORA_LND_*`; `USAGE` when something is missing. */
async function lndBackend(values: OptionValues, env: CliIo['env']): Promise<LndRestBackend> {
  const pick = (option: string, variable: string) => {
    const value = optionOrEnv(values, env, option, variable);
    if (value === undefined)
      throw new AgoraError(ErrorCode.Usage, `--${option} (or $${variable}) is required`);
    return value;
  };
  const url = pick('lnd-url', 'AGORA_LND_URL');
  const [macaroon, tlsCertificate] = await Promise.all(
    [pick('lnd-macaroon', 'AGORA_LND_MACAROON'), pick('lnd-cert', 'AGORA_LND_CERT')].map(async (file, i) => {
      try {
        return i === 0 ? await readFile(file) : await readFile(file, 'utf8');
      } catch (cause) {
        throw new AgoraError(ErrorCode.Io, `cannot read ${file}: ${(cause as Error).message}`, { cause });
      }
    }),
  );
  return new LndRestBackend({
    url,
    macaroon: new Uint8Array(macaroon as Buffer),
    tlsCertificate: tlsCertificate as string,
  });
}

/**
 * The agent's Lightning node: a dev network's node (`--lightning-dev`), an NWC wallet (`--nwc`), else LND from the
 * `--lnd-*` options.
 */
export async function lightningBackend(values: OptionValues, env: CliIo['env']): Promise<LightningBackend> {
  const dev = optionOrEnv(values, env, 'lightning-dev', 'AGORA_LIGHTNING_DEV');
  if (dev !== undefined) return new DevLightningBackend(dev);
  const nwc = optionOrEnv(values, env, 'nwc', 'AGORA_NWC_URI');
  if (nwc !== undefined) return new NwcBackend(nwc);
  return lndBackend(values, env);
}
