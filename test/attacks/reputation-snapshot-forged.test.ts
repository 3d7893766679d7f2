// Issue 18: providers accept credentials against published reputation snapshots, so a snapshot taken as declared
// would let its publisher mint credentials: (a) a root of a tree holding only itself at the top level, with an
// honest checkpoint; (b) an honest tree of a checkpoint that leaves out the other agents' events (shutting them out
// of every gated provider). (a) is refused by rebuilding the tree from the listed events, (b) by comparing with every
// event of the snapshot's kinds the replica holds; the honest snapshot is accepted.
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode, toHex } from '../../src/core/index.js';
import {
  acceptedSnapshots,
  checkReputationSnapshot,
  computeSnapshot,
  createReputationSnapshot,
  createSnapshotSources,
  credentialSnapshot,
  REPUTATION_SNAPSHOT,
} from '../../src/governance/index.js';
import { generateAgentKey, objectId, zkIdentity } from '../../src/identity/index.js';
import { credentialWeight } from '../../src/l402/index.js';
import {
  createAgentRegistration,
  EventSet,
  Ledger,
  type LedgerEvent,
  signEvent,
} from '../../src/ledger/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { at, snapshotLedger } from './reputation-snapshot-fixture.js';

const idOf = (event: LedgerEvent) => toHex(objectId(event as never));

describe('reputation snapshots are rebuilt before anyone proves against them', () => {
  it('accepts the honest one, refuses a forged root and a checkpoint that leaves agents out', async () => {
    const ledger = await snapshotLedger();
    try {
      const [publisher, b, c] = [generateAgentKey(), generateAgentKey(), generateAgentKey()];
      const registrations = [
        await createAgentRegistration(publisher, { clock: at(100) }),
        await createAgentRegistration(b, { clock: at(110) }),
        await createAgentRegistration(c, { clock: at(120) }),
      ];

      // A snapshot of an author not registered here waits.
      const early = await createReputationSnapshot(
        await Ledger.fromLevel(new MemoryLevel(), { registry: ledger.registry }).then(async (other) => {
          await other.appendBatch(registrations);
          return other;
        }),
        publisher,
        { asOf: 500, clock: at(600) },
      );
      await ledger.appendBatch(early.sources);
      await rejectedAgoraError(ledger.append(early.event), ErrorCode.MissingReference);
      await ledger.appendBatch(registrations);

      const honest = await createReputationSnapshot(ledger, publisher, { asOf: 500, clock: at(600) });
      await ledger.append(honest.event);
      expect((await checkReputationSnapshot(ledger, idOf(honest.event))).status).toBe('valid');
      expect(honest.snapshot.members).toHaveLength(3);

      // (a) The honest checkpoint with the root of a tree where only the publisher holds a leaf (the others' score
      // given to it): its events give another root.
      const zk = await zkIdentity(publisher);
      const lonely = await computeSnapshot({
        mode: 'reputation',
        base: new Map([[publisher.id, credentialWeight(1_000_000_000)]]),
        commitments: new Map([[publisher.id, zk.commitment]]),
        delegations: [],
        asOf: 500,
      });
      const forged = signEvent(
        publisher,
        REPUTATION_SNAPSHOT,
        { ...(honest.event.body as Record<string, never>), root: lonely.root.toString(), members: 1 },
        { clock: at(700) },
      );
      await ledger.append(forged);
      const verdict = await checkReputationSnapshot(ledger, idOf(forged));
      expect(verdict.status).toBe('invalid');

      // (b) A checkpoint listing only the publisher's registration: an honest tree of those events, a later time.
      const sources = createSnapshotSources(publisher, [idOf(registrations[0] as LedgerEvent)], {
        clock: at(800),
      });
      const own = await ledger.get(idOf(registrations[0] as LedgerEvent));
      if (own === undefined) throw new Error('the registration is stored');
      const partial = await credentialSnapshot(new EventSet([own], ledger.registry), 800);
      const omitting = signEvent(
        publisher,
        REPUTATION_SNAPSHOT,
        {
          asOf: 800,
          root: partial.root.toString(),
          members: partial.members.length,
          events: 1,
          sources: sources.map(idOf),
        },
        { clock: at(800) },
      );
      await ledger.appendBatch([...sources, omitting]);
      expect((await checkReputationSnapshot(ledger, idOf(omitting))).status).toBe('valid');

      // Providers accept only the honest root: the newest snapshot leaves agents out, the forged one is invalid.
      const accepted = await acceptedSnapshots(ledger);
      expect(accepted.map((s) => s.id)).toEqual([idOf(honest.event)]);
      expect(accepted[0]?.snapshot.root).toBe(honest.snapshot.root);
    } finally {
      await ledger.close();
    }
  }, 60_000);
});
