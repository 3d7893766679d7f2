import { sha256 } from '@noble/hashes/sha2.js';
import * as bitcoinjs from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import {
  anchorPayload,
  anchorWallet,
  buildAnchorTransaction,
  bumpAnchorFee,
  commitmentOfScript,
  opReturnScript,
} from '../../src/anchor/index.js';
import { ErrorCode, fromBase64, toHex, utf8 } from '../../src/core/index.js';
import { thrownAgoraError } from '../helpers.js';

const secretKey = sha256(utf8('agora402 anchor test wallet'));
const commitment = sha256(utf8('a closed proposal'));
const coin = (n: number, amountSat: bigint) => ({
  txid: toHex(sha256(utf8(`coin ${n}`))),
  vout: n,
  amountSat,
});

describe('anchor transactions', () => {
  it('parse with bitcoinjs-lib: one AGR1 OP_RETURN, change to the wallet, fee at the rate asked, replaceable', () => {
    const wallet = anchorWallet(secretKey, 'regtest');
    expect(wallet.address.startsWith('bcrt1q')).toBe(true);
    const utxos = [coin(0, 30_000n), coin(1, 70_000n)];
    const built = buildAnchorTransaction({ secretKey, chain: 'regtest', utxos, commitment, feeRate: 7 });

    const tx = bitcoinjs.Transaction.fromHex(built.hex);
    expect(tx.getId()).toBe(built.txid);
    const opReturns = tx.outs.filter((out) => out.script[0] === bitcoinjs.opcodes.OP_RETURN);
    expect(opReturns).toHaveLength(1);
    expect(toHex((opReturns[0] as { script: Uint8Array }).script)).toBe(
      toHex(opReturnScript(anchorPayload(commitment))),
    );
    expect(Number((opReturns[0] as { value: bigint | number }).value)).toBe(0);
    const decoded = bitcoinjs.script.decompile((opReturns[0] as { script: Uint8Array }).script) as (
      | number
      | Uint8Array
    )[];
    expect(toHex(decoded[1] as Uint8Array)).toBe(`41475231${toHex(commitment)}`);

    // Every sat is accounted for: inputs = outputs + fee; change goes back to the wallet.
    const spent = built.inputs.reduce((sum, input) => sum + input.amountSat, 0n);
    const paid = tx.outs.reduce((sum, out) => sum + BigInt(out.value), 0n);
    expect(spent - paid).toBe(built.feeSat);
    const change = tx.outs.find((out) => out.script[0] !== bitcoinjs.opcodes.OP_RETURN);
    expect(bitcoinjs.address.fromOutputScript(change?.script as Uint8Array, bitcoinjs.networks.regtest)).toBe(
      wallet.address,
    );
    expect(BigInt(change?.value as bigint)).toBe(built.changeSat);
    // The fee pays the rate on the real virtual size (signatures may be a byte shorter than estimated).
    expect(tx.virtualSize()).toBe(built.vsize);
    expect(built.feeSat).toBeGreaterThanOrEqual(BigInt(7 * built.vsize));
    expect(built.feeSat).toBeLessThanOrEqual(BigInt(7 * (built.vsize + 2)));
    for (const input of tx.ins) {
      expect(input.sequence).toBe(0xfffffffd);
      expect(input.witness).toHaveLength(2);
    }

    // The unsigned PSBT carries the same outputs for an external signer.
    const psbt = bitcoinjs.Psbt.fromBase64(Buffer.from(fromBase64(built.psbt)).toString('base64'));
    expect(psbt.txOutputs.map((o) => toHex(o.script))).toEqual(tx.outs.map((o) => toHex(o.script)));
    expect(
      psbt.data.inputs.every(
        (input) => input.partialSig === undefined && input.finalScriptWitness === undefined,
      ),
    ).toBe(true);
  });

  it('bumps the fee by replacing with the same coins, builds key-path taproot, and refuses what cannot be paid', () => {
    const utxos = [coin(2, 50_000n)];
    const first = buildAnchorTransaction({ secretKey, utxos, commitment, feeRate: 2 });
    const bumped = bumpAnchorFee(first, { secretKey, commitment, feeRate: 10 });
    expect(bumped.inputs).toEqual(first.inputs);
    expect(bumped.feeSat).toBeGreaterThan(first.feeSat);
    expect(bumped.txid).not.toBe(first.txid);
    thrownAgoraError(
      () => bumpAnchorFee(first, { secretKey, commitment, feeRate: 2 }),
      ErrorCode.InvalidArgument,
    );

    const taproot = buildAnchorTransaction({ secretKey, kind: 'p2tr', utxos, commitment, feeRate: 3 });
    const tx = bitcoinjs.Transaction.fromHex(taproot.hex);
    expect(tx.ins[0]?.witness).toHaveLength(1);
    expect(tx.outs.some((out) => commitmentOfScript(out.script) !== undefined)).toBe(true);
    expect(anchorWallet(secretKey, 'bitcoin', 'p2tr').address.startsWith('bc1p')).toBe(true);

    thrownAgoraError(
      () => buildAnchorTransaction({ secretKey, utxos: [coin(3, 300n)], commitment, feeRate: 5 }),
      ErrorCode.InsufficientBalance,
    );
    thrownAgoraError(
      () => buildAnchorTransaction({ secretKey, utxos, commitment, feeRate: 0 }),
      ErrorCode.InvalidArgument,
    );
    thrownAgoraError(() => opReturnScript(new Uint8Array(81)), ErrorCode.InvalidArgument);
    expect(opReturnScript(new Uint8Array(80))).toHaveLength(83);
  });
});
