import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as bitcoinjs from 'bitcoinjs-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorWallet, proposalCommitment, verifyOts } from '../../src/anchor/index.js';
import { defaultRegistry } from '../../src/cli/home.js';
import { canonicalJson, toHex } from '../../src/core/index.js';
import { loadAgentKey } from '../../src/identity/index.js';
import { Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { startBitcoindServer, startEsploraServer } from '../anchor/chain-servers.js';
import { RegtestChain } from '../anchor/regtest-chain.js';
import { stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { agora } from './harness.js';

// A proposal whose voting closed long ago (no votes: defeated, and still worth anchoring).
const PAST = 1_700_000_000;
let dir: string;
let eventsFile: string;
let proposalId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-cli-anchor-'));
  const electorate = await stakedElectorate([100n, 50n], PAST, PAST - 10);
  const [proposer] = electorate.voters;
  const event = electorate.propose(proposer as Voter, PAST, { title: 'Anchor me' });
  proposalId = parseEnvelope(event).id;
  eventsFile = join(dir, 'events.jsonl');
  await writeFile(
    eventsFile,
    [...electorate.registrations, event].map((e) => `${canonicalJson(e)}\n`).join(''),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function home(name: string) {
  const path = join(dir, name);
  expect((await agora(['init', '--home', path, '--network', 'regtest'])).code).toBe(0);
  expect((await agora(['ledger', 'import', eventsFile, '--home', path])).code).toBe(0);
  return { path, wallet: anchorWallet((await loadAgentKey(join(path, 'key.json'))).secretKey, 'regtest') };
}

describe('agora anchor', () => {
  it('dry-runs, commits through Esplora, records the confirmation with its SPV proof, exports .ots and verifies it', async () => {
    const { path, wallet } = await home('esplora');
    const expected = await (async () => {
      const ledger = await Ledger.open(join(path, 'ledger'), { registry: defaultRegistry('regtest') });
      try {
        return (await proposalCommitment(ledger, proposalId, PAST + 1_000)).commitment;
      } finally {
        await ledger.close();
      }
    })();

    // Dry run: signed, printed, nothing broadcast or recorded.
    const coin = `${'ab'.repeat(32)}:0:100000`;
    const dryCommit = (...extra: string[]) =>
      agora([
        'anchor',
        'commit',
        proposalId,
        '--home',
        path,
        '--dry-run',
        '--utxo',
        coin,
        '--fee-rate',
        '2',
        '--chain',
        'regtest',
        ...extra,
        '--json',
      ]);
    // Paid from a descriptor's wallet instead of the agent key's.
    const byDescriptor = await dryCommit('--descriptor', `tr(${'11'.repeat(32)})`);
    expect(JSON.parse(byDescriptor.stdout).wallet).toBe(
      anchorWallet(new Uint8Array(32).fill(0x11), 'regtest', 'p2tr').address,
    );
    const dry = await dryCommit();
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(dry.stdout);
    expect(summary).toMatchObject({
      proposal: proposalId,
      commitment: expected,
      broadcast: false,
      wallet: wallet.address,
    });
    const tx = bitcoinjs.Transaction.fromHex(summary.hex);
    expect(tx.outs.some((o) => toHex(o.script) === `6a2441475231${expected}`)).toBe(true);
    expect(
      JSON.parse((await agora(['ledger', 'stats', '--home', path, '--json'])).stdout).types[
        'anchor.committed'
      ],
    ).toBeUndefined();

    const chain = new RegtestChain();
    const server = await startEsploraServer(chain);
    const esplora = ['--backend', 'esplora', '--esplora-url', server.url, '--chain', 'regtest'];
    try {
      chain.fund(wallet.address, 50_000n);
      chain.mine(1);
      const committed = await agora(['anchor', 'commit', proposalId, '--home', path, ...esplora, '--json']);
      expect(committed).toMatchObject({ code: 0, stderr: '' });
      const { txid } = JSON.parse(committed.stdout);
      expect(chain.mempool.has(txid)).toBe(true);

      const pending = await agora([
        'anchor',
        'status',
        proposalId,
        '--home',
        path,
        ...esplora,
        '--confirmations',
        '3',
      ]);
      expect(pending.stdout).toContain(`committed in ${txid}; not confirmed`);
      // Blocks arrive while `--wait` polls.
      const miner = setInterval(() => chain.mine(1), 300);
      const anchored = JSON.parse(
        (
          await agora([
            'anchor',
            'status',
            proposalId,
            '--home',
            path,
            ...esplora,
            '--confirmations',
            '3',
            '--wait',
            '20',
            '--json',
          ])
        ).stdout,
      );
      clearInterval(miner);
      expect(anchored).toMatchObject({ state: 'anchored', commitment: expected });
      expect(anchored.confirmations).toBeGreaterThanOrEqual(3);
      const shown = JSON.parse(
        (await agora(['proposal', 'show', proposalId, '--home', path, '--json'])).stdout,
      );
      expect(shown.state).toBe('anchored');

      const ots = join(dir, 'anchor.ots');
      const proof = join(dir, 'anchor.json');
      expect(
        (await agora(['anchor', 'export-ots', proposalId, '--home', path, '--out', ots, '--proof', proof]))
          .code,
      ).toBe(0);
      const { headers, height } = JSON.parse(await readFile(proof, 'utf8'));
      expect(
        verifyOts(new Uint8Array(await readFile(ots)), Buffer.from(expected, 'hex'), headers, {
          chain: 'regtest',
        }),
      ).toMatchObject({
        height,
      });
      const verified = await agora(['anchor', 'verify', proof, '--chain', 'regtest']);
      expect(verified).toMatchObject({ code: 0, stderr: '' });
      expect(verified.stdout).toContain(`in transaction ${txid}, block ${height}`);
      // Regtest headers are not Bitcoin's; a changed branch does not lead to the block.
      const mainnet = await agora(['anchor', 'verify', proof]);
      expect(mainnet.code).toBe(1);
      expect(mainnet.stderr).toContain('[INVALID_PROOF]');
      const tampered = JSON.parse(await readFile(proof, 'utf8'));
      tampered.branch[0].sibling = `${tampered.branch[0].sibling.slice(0, -1)}${tampered.branch[0].sibling.endsWith('0') ? '1' : '0'}`;
      await writeFile(proof, JSON.stringify(tampered));
      expect((await agora(['anchor', 'verify', proof, '--chain', 'regtest'])).stderr).toContain(
        '[INVALID_PROOF]',
      );
    } finally {
      await server.close();
    }
  });

  it('commits through bitcoind, and gives typed errors: no backend, unknown proposal, no coins, a refused fee', async () => {
    const { path, wallet } = await home('bitcoind');
    const chain = new RegtestChain();
    const server = await startBitcoindServer(chain, { user: 'agora', password: 'pw' });
    const rpc = [
      '--backend',
      'bitcoind',
      '--rpc-url',
      server.url,
      '--rpc-user',
      'agora',
      '--rpc-password',
      'pw',
      '--chain',
      'regtest',
    ];
    try {
      const empty = await agora(['anchor', 'commit', proposalId, '--home', path, ...rpc]);
      expect(empty.code).toBe(1);
      expect(empty.stderr).toContain('[INSUFFICIENT_BALANCE]');
      chain.fund(wallet.address, 30_000n);
      chain.minRelayFee = 50;
      const cheap = await agora(['anchor', 'commit', proposalId, '--home', path, ...rpc, '--fee-rate', '1']);
      expect(cheap.code).toBe(1);
      expect(cheap.stderr).toContain('[TX_REJECTED]');
      expect(cheap.stderr).toContain('min relay fee not met');
      chain.minRelayFee = 1;
      const committed = await agora(['anchor', 'commit', proposalId, '--home', path, ...rpc, '--json']);
      expect(committed.code).toBe(0);
      expect(chain.mempool.has(JSON.parse(committed.stdout).txid)).toBe(true);
    } finally {
      await server.close();
    }
    expect((await agora(['anchor', 'commit', proposalId, '--home', path])).code).toBe(2);
    const unknown = await agora(['anchor', 'status', 'cd'.repeat(32), '--home', path]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[NOT_FOUND]');
  });
});
