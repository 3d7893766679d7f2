// Issue 18 fourth review (open): the agent's credential history is read once when opened and then written whole
// from memory on every change, with no lock. Two processes of one agent (a long-running buyer and an `agora`
// command, two workers) each open the file: what one records, the other neither sees nor keeps. Here the first
// shows a provider the payer's pseudonym (its mark written to disk), the second then gives the same provider (same
// node key) the agent id, which its stale copy allows, and its write drops the first's mark from the file, so every
// later process gives the id too. The docs ask for one process per history file; nothing enforces it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAgentState } from '../../src/identity/index.js';
import { CredentialHistory } from '../../src/l402/index.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-history-race-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

const provider = [`origin:https://provider.test`, `node:02${'ab'.repeat(32)}`];

describe("two processes of one agent share its credential history's marks", () => {
  it('a second process does not give the agent id to a provider the first showed a pseudonym', async () => {
    const path = join(home, 'credential-history.json');
    // Both processes start: each opens the agent's history from its home.
    const first = await CredentialHistory.open(fileAgentState(path));
    const second = await CredentialHistory.open(fileAgentState(path));
    // The first shows the provider a pseudonym (marked before proving, written to disk).
    await first.claimAnonymous(provider);
    // The second is about to send Agora-Payer to the same node key: the attack's measure is that it may.
    expect(await second.claimNamed([`node:02${'ab'.repeat(32)}`])).toBe(false);
  });

  it('the mark one process wrote is still on disk after the other writes', async () => {
    const path = join(home, 'credential-history-2.json');
    const first = await CredentialHistory.open(fileAgentState(path));
    const second = await CredentialHistory.open(fileAgentState(path));
    await first.claimAnonymous(provider);
    // The second process records something unrelated: another provider given the agent id.
    await second.claimNamed(['origin:https://other.test']);
    const reopened = await CredentialHistory.open(fileAgentState(path));
    // Lost update: the pseudonym mark is gone, so the next process gives this provider the agent id.
    expect(await reopened.claimNamed(provider)).toBe(false);
  });
});
