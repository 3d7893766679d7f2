// Publication witnesses: who may sign a `witness.batch`, what its anchor must commit to, and the publication time the
// anchoring layer reads from them (the q-th earliest witness anchor listing an event), whatever the events' order.
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  createAnchorCommitted,
  createWitnessBatch,
  MAX_WITNESSED_IDS,
  publicationTimes,
  type WitnessBatch,
  witnessBatchCommitment,
  witnessBatchType,
  witnessRound,
} from '../../src/anchor/index.js';
import { AgoraError, ErrorCode, ManualClock, toHex, utf8 } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import {
  createAgentRegistration,
  Ledger,
  type LedgerEvent,
  parseEnvelope,
  signEvent,
} from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { rejectedAgoraError } from '../helpers.js';

const T = 1_800_000_000;
const at = (seconds: number) => new ManualClock(seconds * 1000);
const idOf = (event: LedgerEvent) => parseEnvelope(event).id;

function open(config: { witnesses?: string[]; witnessQuorum?: number; seeds?: string[] }) {
  return Ledger.fromLevel(new MemoryLevel(), { registry: agoraRegistry({ network: 'regtest', config }) });
}

const witnessRoot = (ids: string[]) => witnessBatchCommitment({ ids });

/**
 * A witness batch of `ids` by `key` (signed at `signed`, default the block's time) and its anchor in a regtest block
 * of time `blockTime` at `height`.
 */
function shownAt(
  key: AgentKey,
  ids: string[],
  blockTime: number,
  height: number,
  signed = blockTime,
): LedgerEvent[] {
  const batch = createWitnessBatch(key, ids, { clock: at(signed) });
  const source = { height, bytes: (label: string) => sha256(utf8(`${idOf(batch)} ${label}`)) };
  return [batch, ...regtestAnchorOf(key, idOf(batch), witnessRoot(ids), blockTime, source).events];
}

describe('witness.batch', () => {
  it('is refused from a signer the network does not name as a witness, and from anyone without witnesses', async () => {
    const [witness, stranger] = [generateAgentKey(), generateAgentKey()];
    const ids = [toHex(sha256(utf8('an event')))];
    const ledger = await open({ witnesses: [witness.id] });
    const dev = await open({});
    try {
      await ledger.append(createWitnessBatch(witness, ids));
      const refused = await rejectedAgoraError(
        ledger.append(createWitnessBatch(stranger, ids)),
        ErrorCode.InvalidEvent,
      );
      expect(refused.message).toMatch(/not a publication witness/);
      await rejectedAgoraError(dev.append(createWitnessBatch(witness, ids)), ErrorCode.InvalidEvent);
    } finally {
      await Promise.all([ledger.close(), dev.close()]);
    }
  });

  it('refuses an anchor whose commitment is not the root of the batch ids (a list tampered with)', async () => {
    const witness = generateAgentKey();
    const ledger = await open({ witnesses: [witness.id] });
    try {
      const ids = [toHex(sha256(utf8('a'))), toHex(sha256(utf8('b')))].sort();
      const batch = createWitnessBatch(witness, ids);
      await ledger.append(batch);
      const other = witnessRoot([ids[0] as string]);
      const refused = await rejectedAgoraError(
        ledger.append(
          createAnchorCommitted(witness, {
            proposal: idOf(batch),
            commitment: other,
            txid: toHex(sha256(utf8('tx'))),
            chain: 'regtest',
          }),
        ),
        ErrorCode.InvalidEvent,
      );
      expect(refused.message).toMatch(/not the root of witness batch/);
    } finally {
      await ledger.close();
    }
  });

  it('takes exactly 1 to 900 event ids in strictly ascending order (property)', () => {
    const witness = generateAgentKey();
    const type = witnessBatchType([witness.id]);
    const hex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(hex, { maxLength: 5 }),
          fc.array(fc.oneof(hex, fc.string(), fc.integer()), { maxLength: 4 }),
          fc.constant(
            Array.from({ length: MAX_WITNESSED_IDS + 1 }, (_, i) => i.toString(16).padStart(64, '0')),
          ),
          fc.anything(),
        ),
        (ids) => {
          const event = {
            ...createWitnessBatch(witness, ['00'.repeat(32)]),
            body: { ids },
          } as unknown as LedgerEvent;
          const valid =
            Array.isArray(ids) &&
            ids.length >= 1 &&
            ids.length <= MAX_WITNESSED_IDS &&
            ids.every(
              (id, i) => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id) && (i === 0 || ids[i - 1] < id),
            );
          let accepted = true;
          try {
            type.verify(event, { get: async () => undefined, byIndex: async () => [] });
          } catch (error) {
            expect(error instanceof AgoraError && error.code === ErrorCode.InvalidEvent).toBe(true);
            accepted = false;
          }
          expect(accepted).toBe(valid);
        },
      ),
    );
  });
});

describe('publicationTimes', () => {
  it('is the q-th earliest anchor over distinct witnesses listing an event, whatever order the events arrive in', async () => {
    const witnesses = [generateAgentKey(), generateAgentKey(), generateAgentKey()];
    const [a, b, c] = witnesses as [AgentKey, AgentKey, AgentKey];
    const shown = toHex(sha256(utf8('shown')));
    const other = toHex(sha256(utf8('other')));
    const events = [
      ...shownAt(a, [shown], T + 300, 900_000),
      ...shownAt(a, [shown, other].sort(), T + 100, 900_010),
      ...shownAt(b, [shown], T + 200, 900_020),
      ...shownAt(c, [other], T + 50, 900_030),
    ];
    // Groups of three: a batch, then its anchor's commit and confirmation.
    const groups = Array.from({ length: events.length / 3 }, (_, i) => events.slice(3 * i, 3 * i + 3));
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(groups, { minLength: groups.length }),
        fc.constantFrom(1, 2, 3),
        async (order, quorum) => {
          const ledger = await open({ witnesses: witnesses.map((k) => k.id), witnessQuorum: quorum });
          try {
            for (const group of order) await ledger.appendBatch(group);
            const times = await publicationTimes(ledger, T + 1_000);
            expect(times.witnessed).toBe(true);
            // Shown by a (earliest T + 100) and b (T + 200); `other` by a (T + 100) and c (T + 50).
            expect(times.at(shown)?.blockTime).toBe(
              quorum === 1 ? T + 100 : quorum === 2 ? T + 200 : undefined,
            );
            expect(times.at(other)?.blockTime).toBe(
              quorum === 1 ? T + 50 : quorum === 2 ? T + 100 : undefined,
            );
          } finally {
            await ledger.close();
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('dates a batch no earlier than its own created: a block mined before it was signed dates it at its signing', async () => {
    const witness = generateAgentKey();
    const [early, twice] = [toHex(sha256(utf8('early'))), toHex(sha256(utf8('twice')))];
    const ledger = await open({ witnesses: [witness.id] });
    try {
      for (const group of [
        // Signed at T + 500, its root anchored in a block of T + 100 (mined before the batch existed).
        shownAt(witness, [early], T + 100, 900_000, T + 500),
        // `twice`: signed at T + 600 in a block of T + 100 (dated T + 600), then at T + 200 in one of T + 400.
        shownAt(witness, [early, twice].sort(), T + 100, 900_010, T + 600),
        shownAt(witness, [twice], T + 400, 900_020, T + 200),
      ])
        await ledger.appendBatch(group);
      const times = await publicationTimes(ledger, T + 1_000);
      expect(times.at(early)?.blockTime).toBe(T + 500);
      // The earliest of the later of each batch's block time and its signing, not the earliest block.
      expect(times.at(twice)?.blockTime).toBe(T + 400);
    } finally {
      await ledger.close();
    }
  });

  it('counts no batch of a signer the configuration no longer names, and nothing on a network without witnesses', async () => {
    const dev = await open({});
    try {
      expect((await publicationTimes(dev, T)).witnessed).toBe(false);
    } finally {
      await dev.close();
    }
    const bitcoin = await Ledger.fromLevel(new MemoryLevel(), { registry: agoraRegistry() });
    try {
      // On `bitcoin` a network without witnesses shows nothing as published: nothing counts until it names some.
      const times = await publicationTimes(bitcoin, T);
      expect(times.witnessed).toBe(true);
      expect(times.at('00'.repeat(32))).toBeUndefined();
    } finally {
      await bitcoin.close();
    }
  });
});

describe('witnessRound', () => {
  it('lists the events the witness has not listed yet, in batches of at most 900, and nothing twice', async () => {
    const witness = generateAgentKey();
    const ledger = await open({ witnesses: [witness.id] });
    try {
      const keys = Array.from({ length: 3 }, () => generateAgentKey());
      await ledger.appendBatch(
        await Promise.all(keys.map((key) => createAgentRegistration(key, { clock: at(T) }))),
      );
      const first = await witnessRound(ledger, witness);
      expect(first).toHaveLength(1);
      expect(((first[0] as WitnessBatch).event.body as unknown as { ids: string[] }).ids).toHaveLength(3);
      await ledger.append((first[0] as WitnessBatch).event);
      expect(await witnessRound(ledger, witness)).toEqual([]);
      await ledger.append(await createAgentRegistration(generateAgentKey(), { clock: at(T + 1) }));
      const second = await witnessRound(ledger, witness);
      expect(((second[0] as WitnessBatch).event.body as unknown as { ids: string[] }).ids).toHaveLength(1);
      // More than a page (events about to be appended, listed with them): several batches.
      const author = generateAgentKey();
      const pending = Array.from({ length: MAX_WITNESSED_IDS + 4 }, (_, i) =>
        signEvent(author, 'note', { i }, { clock: at(T) }),
      );
      const pages = await witnessRound(ledger, witness, { pending });
      expect(pages.map((page) => (page.event.body as unknown as { ids: string[] }).ids.length)).toEqual([
        MAX_WITNESSED_IDS,
        5,
      ]);
      expect(() => createWitnessBatch(witness, pending.map(idOf))).toThrow(/1 to 900/);
    } finally {
      await ledger.close();
    }
  });
});
