// Issue 18 fourth review (open, availability): the agent's credential history is written through a temporary file
// named by the process id and created exclusively. A process killed between creating it and renaming it (power
// loss, SIGKILL, an OOM kill) leaves that file behind; a later process with the same id (pid reuse, and in a
// container the agent is often always pid 1) can then never write the history again: every proof and every request
// sending the agent id fails with `IO` until someone deletes the file by hand. It fails closed (nothing leaks), but
// one crash stops the agent's purchases for good.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileAgentState } from '../../src/identity/index.js';
import { CredentialHistory } from '../../src/l402/index.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-history-temp-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe("a crash while writing the credential history does not stop the agent's later writes", () => {
  it('records a mark after an earlier process of the same id left its temporary file', async () => {
    const path = join(home, 'credential-history.json');
    // What a process killed mid-write leaves: a partial temporary file under its process id.
    await writeFile(`${path}.${process.pid}.tmp`, '{"kind":"agora402/cre');
    const history = await CredentialHistory.open(fileAgentState(path));
    // The attack's measure: the write is refused (IO), so this request cannot be made.
    await expect(history.claimNamed(['origin:https://provider.test'])).resolves.toBe(true);
  });
});
