import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, toHex } from '../../src/core/index.js';
import {
  agentKeyFromSecret,
  BN254_SCALAR_FIELD,
  generateAgentKey,
  getPoseidon,
  loadAgentKey,
  saveAgentKey,
  zkIdentity,
  zkSecret,
} from '../../src/identity/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-key-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('key files', () => {
  it('save with mode 0600 and load the same key', async () => {
    const key = generateAgentKey();
    const path = join(dir, 'a.json');
    await saveAgentKey(path, key);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const loaded = await loadAgentKey(path);
    expect(loaded.id).toBe(key.id);
    expect(toHex(loaded.secretKey)).toBe(toHex(key.secretKey));
  });

  it('refuse to overwrite an existing key unless asked', async () => {
    const path = join(dir, 'b.json');
    await saveAgentKey(path, generateAgentKey());
    await expect(saveAgentKey(path, generateAgentKey())).rejects.toMatchObject({
      code: ErrorCode.AlreadyExists,
    });
    const replacement = generateAgentKey();
    await saveAgentKey(path, replacement, { overwrite: true });
    expect((await loadAgentKey(path)).id).toBe(replacement.id);
  });

  it('refuse a key file other users can read', async () => {
    const path = join(dir, 'c.json');
    await saveAgentKey(path, generateAgentKey());
    await chmod(path, 0o644);
    await expect(loadAgentKey(path)).rejects.toMatchObject({ code: ErrorCode.KeyPermissions });
  });

  it('report a missing file as NOT_FOUND', async () => {
    await expect(loadAgentKey(join(dir, 'missing.json'))).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('report damaged files as INVALID_KEY', async () => {
    const key = generateAgentKey();
    const path = join(dir, 'd.json');
    await saveAgentKey(path, key);
    const original = JSON.parse(await readFile(path, 'utf8'));
    const damaged = [
      'not json',
      JSON.stringify({ ...original, kind: 'other' }),
      JSON.stringify({ ...original, secretKey: 'ab' }),
      JSON.stringify({ ...original, secretKey: '00'.repeat(32) }),
      JSON.stringify({ ...original, id: generateAgentKey().id }),
    ];
    for (const text of damaged) {
      await writeFile(path, text, { mode: 0o600 });
      await expect(loadAgentKey(path)).rejects.toMatchObject({ code: ErrorCode.InvalidKey });
    }
  });
});

describe('ZK identity', () => {
  it('uses circomlib Poseidon (known test vectors)', async () => {
    const poseidon = await getPoseidon();
    expect(poseidon.hash([1n, 2n])).toBe(
      7853200120776062878684798364095072458815029376092732009249414926327459813530n,
    );
    expect(poseidon.hash([1n])).toBe(
      18586133768512220936620570745912940619677854269274689475585506675881198879027n,
    );
  });

  it('derives a stable secret below r and commits to it with Poseidon', async () => {
    const secret = new Uint8Array(32).fill(7);
    const key = agentKeyFromSecret(secret);
    const again = agentKeyFromSecret(secret);
    const identity = await zkIdentity(key);
    expect(identity.secret).toBe(zkSecret(again));
    expect(identity.secret < BN254_SCALAR_FIELD).toBe(true);
    expect(identity.commitment).toBe((await getPoseidon()).hash([identity.secret]));
    expect((await zkIdentity(generateAgentKey())).commitment).not.toBe(identity.commitment);
  });
});
