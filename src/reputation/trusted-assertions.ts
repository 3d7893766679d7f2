import { finalizeEvent, getPublicKey, type Event as NostrEvent } from 'nostr-tools/pure';
import type { AbstractRelay } from 'nostr-tools/relay';
import * as secp256k1 from 'tiny-secp256k1';
import { AgoraError, canonicalJson, ErrorCode, hmacSha256, utf8 } from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import { DEFAULT_ALPHA } from './eigentrust.js';
import type { Reputation, ReputationOptions } from './reputation.js';

/** NIP-85 trusted assertion about a user (a pubkey): addressable, its `d` tag names the subject. */
export const TRUSTED_ASSERTION_KIND = 30382;

/**
 * The name of the scoring algorithm with its parameters: two different settings are two algorithms, and NIP-85 asks a
 * provider to sign each algorithm's assertions with its own key.
 */
export function algorithmName(options: ReputationOptions = {}): string {
  return `agora402/eigentrust/v1 ${canonicalJson({
    alpha: options.alpha ?? DEFAULT_ALPHA,
    halfLifeDays: options.halfLifeDays ?? 30,
    ...(options.seeds === undefined
      ? { seedCount: options.seedCount ?? 10 }
      : { seeds: [...options.seeds].sort() }),
    ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
  })}`;
}

/**
 * The Nostr secret key an agent signs one algorithm's assertions with: HMAC-SHA256 of the algorithm's name under the
 * agent's secret key, so it is stable across runs, differs per algorithm, and reveals nothing of the agent's key.
 */
export function assertionServiceKey(agent: AgentKey, algorithm: string): Uint8Array {
  let key = hmacSha256(agent.secretKey, utf8(`agora402/nip85/${algorithm}`));
  // Outside the curve's scalar range with probability about 2^-128: hash again rather than fail.
  while (!secp256k1.isPrivate(key)) key = hmacSha256(agent.secretKey, key);
  return key;
}

/** What {@link trustedAssertions} puts in each assertion besides the subject. */
export interface AssertionOptions {
  /** How many of the best-scored agents (default 100). */
  top?: number;
  /** `created_at` of the assertions (unix seconds; default now). */
  created?: number;
}

/**
 * NIP-85 assertions (kind 30382) of the `top` best-scored agents, signed with `serviceKey`. Tags: `d` the agent id
 * (an x-only key, as Nostr pubkeys are), `rank` the agent's percentile (0 to 100, NIP-85's normalized rank), and
 * agora402's own: `score` (ppb of all trust), `error_bound` (ppb: the exact score is within score ± it),
 * `receipt_cnt` (receipts naming it as provider), `ledger_seq` (the ledger position the scores were read up to),
 * `unit`.
 */
export function trustedAssertions(
  reputation: Reputation,
  serviceKey: Uint8Array,
  options: AssertionOptions = {},
): NostrEvent[] {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const { errorBoundPpb, ledgerSeq, unit } = reputation.certificate;
  return reputation.top(options.top ?? 100).map(({ id, score }) =>
    finalizeEvent(
      {
        kind: TRUSTED_ASSERTION_KIND,
        created_at: created,
        tags: [
          ['d', id],
          ['rank', String(Math.round(reputation.percentile(id)))],
          ['score', String(score)],
          ['error_bound', String(errorBoundPpb)],
          ['unit', unit],
          ['receipt_cnt', String(reputation.receiptCount(id))],
          ...(ledgerSeq === null ? [] : [['ledger_seq', String(ledgerSeq)]]),
        ],
        content: '',
      },
      serviceKey,
    ),
  );
}

/** The public key (hex) readers look assertions up by: the one `serviceKey` signs as. */
export function assertionPublicKey(serviceKey: Uint8Array): string {
  return getPublicKey(serviceKey);
}

/**
 * Sends `events` to the relay at `url` and waits for each one's acceptance. `BACKEND_UNREACHABLE` when the relay
 * cannot be reached or refuses an event.
 */
export async function publishAssertions(
  url: string,
  events: readonly NostrEvent[],
  options: { timeoutMs?: number } = {},
): Promise<number> {
  // Loaded when assertions are published, not with `agora402/reputation`.
  const [{ AbstractRelay }, { default: WebSocket }] = await Promise.all([
    import('nostr-tools/relay'),
    import('ws'),
  ]);
  let relay: AbstractRelay;
  try {
    relay = await AbstractRelay.connect(url, {
      verifyEvent: () => true,
      websocketImplementation: WebSocket as never,
      timeout: options.timeoutMs ?? 10_000,
    });
  } catch (cause) {
    throw new AgoraError(ErrorCode.BackendUnreachable, `cannot reach the relay ${url}`, { cause });
  }
  try {
    for (const event of events) {
      try {
        await relay.publish(event);
      } catch (cause) {
        throw new AgoraError(
          ErrorCode.BackendUnreachable,
          `${url} refused an assertion: ${(cause as Error).message}`,
          { cause },
        );
      }
    }
    return events.length;
  } finally {
    relay.close();
  }
}
