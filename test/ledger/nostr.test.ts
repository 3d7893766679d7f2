import fc from 'fast-check';
import { finalizeEvent, generateSecretKey, getPublicKey, verifyEvent } from 'nostr-tools';
import { describe, expect, it } from 'vitest';
import { canonicalJson, ErrorCode, isAgoraError, ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  AGORA_NOSTR_KIND,
  createAgentRegistration,
  fromNostrEvent,
  type LedgerEvent,
  parseEnvelope,
  toNostrEvent,
} from '../../src/ledger/index.js';
import { thrownAgoraError } from '../helpers.js';

const clock = new ManualClock(1_800_000_000_000);
const alice = generateAgentKey();

describe('ledger events on Nostr', () => {
  it("travel whole under the author's own key, tagged by type and id, and come back identical", async () => {
    const registration = await createAgentRegistration(alice, { clock });
    const nostr = toNostrEvent(registration, { author: alice });
    expect(verifyEvent(nostr)).toBe(true);
    expect(nostr).toMatchObject({ kind: AGORA_NOSTR_KIND, pubkey: alice.id, created_at: 1_800_000_000 });
    expect(nostr.tags).toEqual([
      ['t', 'agent.registered'],
      ['x', parseEnvelope(registration).id],
    ]);
    expect(nostr.content).toBe(canonicalJson(registration));
    const back = fromNostrEvent(JSON.parse(JSON.stringify(nostr)));
    expect(back.id).toBe(parseEnvelope(registration).id);
    expect(canonicalJson(back.event)).toBe(canonicalJson(registration));
    thrownAgoraError(
      () => toNostrEvent(registration, { author: generateAgentKey() }),
      ErrorCode.InvalidArgument,
    );
  });

  it('publish anonymous events under one-time keys, tagged with their proposal', () => {
    const vote = {
      v: 1,
      type: 'vote.cast',
      created: 1_800_000_100,
      body: { proposal: 'ab'.repeat(32), ballot: { choice: 'for' }, nullifier: '1', votingWeight: '1' },
      proof: { pi_a: [], pi_b: [], pi_c: [] },
    } as unknown as LedgerEvent;
    const first = toNostrEvent(vote);
    const second = toNostrEvent(vote);
    expect(first.pubkey).not.toBe(second.pubkey);
    expect(first.pubkey).not.toBe(alice.id);
    expect(first.tags).toContainEqual(['proposal', 'ab'.repeat(32)]);
    expect(fromNostrEvent(first).event).toEqual(vote);
  });

  it('refuse a tampered content, a forged signature, another kind, a lying x tag, or an author under another key', async () => {
    const registration = await createAgentRegistration(alice, { clock });
    const nostr = toNostrEvent(registration, { author: alice });
    thrownAgoraError(
      () => fromNostrEvent({ ...nostr, content: nostr.content.replace('"v":1', '"v":2') }),
      ErrorCode.InvalidSignature,
    );
    thrownAgoraError(
      () => fromNostrEvent({ ...nostr, sig: `${nostr.sig.slice(0, -2)}00` }),
      ErrorCode.InvalidSignature,
    );
    // A relay re-signing events under its own key: valid Nostr, but not the author's publication.
    const relayKey = generateSecretKey();
    const resigned = finalizeEvent(
      { kind: nostr.kind, created_at: nostr.created_at, tags: nostr.tags, content: nostr.content },
      relayKey,
    );
    expect(resigned.pubkey).toBe(getPublicKey(relayKey));
    thrownAgoraError(() => fromNostrEvent(resigned), ErrorCode.InvalidEvent);
    const otherKind = finalizeEvent(
      { kind: 1, created_at: 1, tags: nostr.tags, content: nostr.content },
      alice.secretKey,
    );
    thrownAgoraError(() => fromNostrEvent(otherKind), ErrorCode.InvalidEvent);
    const lying = finalizeEvent(
      { kind: AGORA_NOSTR_KIND, created_at: 1, tags: [['x', '00'.repeat(32)]], content: nostr.content },
      alice.secretKey,
    );
    thrownAgoraError(() => fromNostrEvent(lying), ErrorCode.InvalidEvent);
  });

  it('give only typed errors on garbage (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          fromNostrEvent(value);
          return false;
        } catch (error) {
          return isAgoraError(error);
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string(), (content) => {
        const event = finalizeEvent(
          { kind: AGORA_NOSTR_KIND, created_at: 1, tags: [], content },
          alice.secretKey,
        );
        try {
          fromNostrEvent(event);
          return false;
        } catch (error) {
          return isAgoraError(error);
        }
      }),
      { numRuns: 200 },
    );
  });
});
