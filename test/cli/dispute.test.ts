import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeEventCommitment } from '../../src/anchor/index.js';
import { canonicalJson, utf8 } from '../../src/core/index.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { releaseCurve } from '../../src/zk/index.js';
import { buildWorld, idOf, regtestHeader, T, type World } from '../disputes/fixture.js';
import { panelVerifier } from '../fixtures/zk.js';
import { agora } from './harness.js';

let dir: string;
let world: World;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-cli-dispute-'));
  world = await buildWorld({ verifier: await panelVerifier(), jurorCount: 7 });
  await writeFile(
    join(dir, 'world.jsonl'),
    [...world.base, world.opened].map((e) => canonicalJson(e)).join('\n'),
  );
  // The opening's anchor, in a regtest block dated at its claimed time (the least answer period before its deadline).
  const id = idOf(world.opened);
  const anchor = regtestAnchorOf(world.custodian, id, disputeEventCommitment(id), world.opened.created, {
    height: 900_001,
    bytes: (label) => sha256(utf8(label)),
  });
  await writeFile(join(dir, 'anchor.jsonl'), anchor.events.map((e) => canonicalJson(e)).join('\n'));
}, 120_000);

afterAll(async () => {
  await releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

describe('agora dispute and agora rules', () => {
  it('lists and shows a dispute as the ledger gives it, draws its panel, and lists no rule in force', async () => {
    const home = ['--home', join(dir, 'home')];
    expect((await agora(['init', '--name', 'observer', '--network', 'regtest', ...home])).code).toBe(0);
    expect((await agora(['ledger', 'import', join(dir, 'world.jsonl'), ...home])).code).toBe(0);
    const id = idOf(world.opened);
    const answering = await agora(['dispute', 'list', '--at', String(T + 200), ...home]);
    expect(answering.stdout.trim()).toBe(`${id}  answering`);
    // Unanswered past its deadline, but nobody has seen its anchor yet: nobody has lost it.
    const waiting = await agora(['dispute', 'show', id, '--at', String(world.openedBody.answerBy), ...home]);
    expect(waiting.stdout).toContain('anchored     not yet');
    // The CLI reads as `governedState` does: this network names no publication witness, so nobody loses by default.
    const noDefault = 'status       unanchored (this network names no publication witness';
    expect(waiting.stdout).toContain(noDefault);
    // Its anchor is made like a decision's: the opening's id is the commitment.
    const commitment = disputeEventCommitment(id);
    const dry = await agora([
      'anchor',
      'commit',
      id,
      '--dry-run',
      '--utxo',
      `${'11'.repeat(32)}:0:50000`,
      '--json',
      ...home,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ proposal: id, commitment, leaves: 1, broadcast: false });
    expect((await agora(['anchor', 'status', id, ...home])).stdout).toBe(
      `not anchored (commitment ${commitment})\n`,
    );
    expect((await agora(['ledger', 'import', join(dir, 'anchor.jsonl'), ...home])).code).toBe(0);
    expect((await agora(['anchor', 'status', id, ...home])).stdout).toBe(
      `anchored: ${commitment} in block 900001\n`,
    );
    const decided = await agora([
      'dispute',
      'show',
      id,
      '--json',
      '--at',
      String(world.openedBody.answerBy),
      ...home,
    ]);
    expect(decided.code).toBe(0);
    // Anchored, but unwitnessed: still nobody loses by default (the witnessed path: witness-cli-old-rule.test.ts).
    expect(JSON.parse(decided.stdout)).toMatchObject({ status: 'unanchored' });
    expect(JSON.parse(decided.stdout)).not.toHaveProperty('winner');
    const shown = await agora(['dispute', 'show', id, '--at', String(world.openedBody.answerBy), ...home]);
    expect(shown.stdout).toContain(noDefault);
    // Anyone records the draw (it is checked again from the header by every replica).
    const drawn = await agora(['dispute', 'draw', id, '--header', regtestHeader(5), ...home]);
    expect(drawn.code, drawn.stderr).toBe(0);
    const bad = await agora(['dispute', 'draw', id, '--header', 'zz', ...home]);
    expect(bad.code).not.toBe(0);
    const rules = await agora(['rules', '--at', String(world.openedBody.answerBy), ...home]);
    expect(rules.stdout.trim()).toBe('no standing rule in force');
    const missing = await agora(['dispute', 'show', 'ab'.repeat(32), ...home]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('NOT_FOUND');
    // A home that never voted on the dispute has nothing to attest.
    const attend = await agora(['dispute', 'attend', id, ...home]);
    expect(attend.code).not.toBe(0);
    expect(attend.stderr).toContain('NOT_FOUND');
  }, 120_000);
});
