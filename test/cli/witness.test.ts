// `agora witness round`: a publication witness lists the events it holds in witness batches, once each; an agent the
// network does not name as a witness is refused with the setting to change.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agora } from './harness.js';

describe('agora witness round', () => {
  it('lists what a witness holds once, and refuses an agent that is not a witness', async () => {
    const home = await mkdtemp(join(tmpdir(), 'agora-witness-'));
    expect((await agora(['init', '--home', home, '--network', 'regtest'])).code).toBe(0);
    const refused = await agora(['witness', 'round', '--home', home]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not a publication witness/);
    const { id } = JSON.parse((await agora(['id', 'show', '--home', home, '--json'])).stdout) as {
      id: string;
    };
    await writeFile(join(home, 'network'), JSON.stringify({ chain: 'regtest', witnesses: [id] }));
    const first = await agora(['witness', 'round', '--home', home, '--json']);
    expect(first.code).toBe(0);
    const [batch] = JSON.parse(first.stdout) as { batch: string; commitment: string; ids: number }[];
    // The home's own registration.
    expect(batch?.ids).toBe(1);
    expect((await agora(['witness', 'round', '--home', home])).stdout).toBe('nothing new to witness\n');
  });
});
