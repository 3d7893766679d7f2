// Issue 17, second review, transport after the connection fix: each held piece goes out at the first publication at or
// after its `created` time, over a connection of its own. An agent that does not run `agora sync --follow` (a cron,
// `agora sync` now and then, a laptop asleep) published every piece that fell due since its last sync in one burst,
// connection after connection within milliseconds, hours after their dates. Nobody else's pieces arrive like that:
// the relay (and anyone timing arrivals against `created`) groups the burst as one voter's pieces, which the random
// dates were meant to keep apart. The pieces are still unpublished at that point, so nothing forces the burst (their
// `created` is the client's to choose until first published).
//
// Fixed: a run sends at most one held event more than `OVERDUE_SECONDS` past its time, dated now; with `redate` (what
// `agora sync` passes: `redatePiece`, uniform over what is left of the vote's window) the others are stored again
// under fresh dates and held until then, each sent alone at its own time by a later run. The relay records wall-clock
// arrivals, so the runs here (at the manual clock's times) are told apart by which run sent each piece.
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { Ledger, OVERDUE_SECONDS, publishToRelay } from '../../src/ledger/index.js';
import { SeededRandom } from '../../src/sim/index.js';
import { anonymous, testRegistry } from '../ledger/fixtures.js';
import { timingRelay } from './vote-relay-fixture.js';

const NOW = 1_900_000_000;

/** A vote in three pieces dated one, two and three hours ahead, held by a sync; the next sync the next morning. */
async function nextMorning(redate: boolean) {
  const relay = await timingRelay();
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
  const random = new SeededRandom('overdue');
  // What `redatePiece` draws for a vote still open ten hours: uniform over what is left.
  const fresh = async (_event: unknown, now: number) => now + 1 + Math.floor(random.next() * 36_000);
  try {
    await ledger.appendBatch(
      [1, 2, 3].map((hours) => ({ ...anonymous(17, hours), created: NOW + hours * 3_600 })),
    );
    expect((await publishToRelay(ledger, relay.url, { clock: new ManualClock(NOW * 1000) })).held).toBe(3);
    // Runs at the morning sync, then at each time the last one names (`publishWhenDue` does the same).
    const runs: { at: number; sent: number[] }[] = [];
    let at = NOW + 12 * 3_600;
    for (let run = 0; run < 10; run++) {
      const before = relay.arrivals.length;
      const result = await publishToRelay(ledger, relay.url, {
        clock: new ManualClock(at * 1000),
        ...(redate ? { redate: fresh } : {}),
      });
      runs.push({ at, sent: relay.arrivals.slice(before).map((arrival) => arrival.event.created_at) });
      if (result.nextAt === undefined) break;
      at = Math.max(result.nextAt, at + 1);
    }
    return runs.filter((run) => run.sent.length > 0);
  } finally {
    await ledger.close();
    await relay.close();
  }
}

describe('attack: a voter syncing now and then publishes its overdue pieces in one burst (vote-piece-overdue-burst)', () => {
  it('pieces dated hours apart go out in runs of their own, re-dated when sent', async () => {
    const runs = await nextMorning(true);
    expect(
      runs.map((run) => run.sent.length),
      'pieces sent per run',
    ).toEqual([1, 1, 1]);
    // Each piece is dated when it reaches the relay, like a piece sent on time.
    for (const run of runs) expect(run.sent[0]).toBe(run.at);
    const gaps = runs.slice(1).map((run, i) => run.at - (runs[i] as (typeof runs)[number]).at);
    expect(Math.min(...gaps), 'seconds between the runs sending them').toBeGreaterThanOrEqual(1);
  });

  it('without `redate`, still one overdue piece per run, the next a while later', async () => {
    const runs = await nextMorning(false);
    expect(runs.map((run) => run.sent.length)).toEqual([1, 1, 1]);
    const gaps = runs.slice(1).map((run, i) => run.at - (runs[i] as (typeof runs)[number]).at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(OVERDUE_SECONDS);
  });
});
