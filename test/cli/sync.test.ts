import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRelay } from '../ledger/nostr-relay.js';
import { agora } from './harness.js';

describe('agora sync', () => {
  it('two homes learn each other through a relay; one dead relay among two is reported, all dead fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agora-sync-'));
    const relay = await startRelay();
    const dead = await startRelay();
    await dead.close();
    try {
      const [alice, bob] = [join(dir, 'alice'), join(dir, 'bob')];
      for (const home of [alice, bob]) expect((await agora(['init', '--home', home])).code).toBe(0);
      const first = await agora([
        'sync',
        '--home',
        alice,
        '--relay',
        relay.url,
        '--relay',
        dead.url,
        '--json',
      ]);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout.trim())).toMatchObject({ relay: relay.url, published: 1, imported: 0 });
      expect(first.stderr).toContain(dead.url);
      const second = await agora(['sync', '--home', bob, '--relay', relay.url, '--json']);
      // Bob imports Alice's registration (his own, just published, may or may not come back: known either way).
      expect(JSON.parse(second.stdout)).toMatchObject({ published: 1, imported: 1, invalid: 0 });
      // Alice pulls Bob's registration; both ledgers hold both agents.
      await agora(['sync', '--home', alice, '--relay', relay.url]);
      for (const home of [alice, bob]) {
        const stats = JSON.parse((await agora(['ledger', 'stats', '--home', home, '--json'])).stdout);
        expect(stats.types['agent.registered']).toBe(2);
      }
      // --follow: Alice keeps listening; a third agent appears through the relay and reaches her ledger.
      const stop = new AbortController();
      const following = agora(['sync', '--home', alice, '--relay', relay.url, '--follow', '--json'], {
        signal: stop.signal,
      });
      const carol = join(dir, 'carol');
      expect((await agora(['init', '--home', carol])).code).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await agora(['sync', '--home', carol, '--relay', relay.url]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      stop.abort();
      const followed = await following;
      // Stopped by its signal, as Ctrl-C would: exit 130 (docs/cli.md).
      expect(followed.code).toBe(130);
      expect(followed.stdout).toContain('"imported":1');
      const stats = JSON.parse((await agora(['ledger', 'stats', '--home', alice, '--json'])).stdout);
      expect(stats.types['agent.registered']).toBe(3);
      const failed = await agora(['sync', '--home', alice, '--relay', dead.url]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('[BACKEND_UNREACHABLE]');
      expect((await agora(['sync', '--home', alice])).code).toBe(2);
      expect((await agora(['sync', '--home', alice, '--relay', 'http://x'])).code).toBe(2);
    } finally {
      await relay.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
