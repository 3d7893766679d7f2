import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { NETWORK, p2tr, p2wpkh, selectUTXO, TEST_NETWORK } from '@scure/btc-signer';
import { AgoraError, type BitcoinNetwork, ErrorCode, fromHex, toBase64, toHex } from '../core/index.js';
import { anchorPayload, opReturnScript } from './commitment.js';

/** How the anchoring wallet's coins are locked. */
export type WalletKind = 'p2wpkh' | 'p2tr';

const NETWORKS: Record<BitcoinNetwork, typeof NETWORK> = {
  bitcoin: NETWORK,
  testnet: TEST_NETWORK,
  signet: TEST_NETWORK,
  regtest: { ...TEST_NETWORK, bech32: 'bcrt' },
};

/** A single-key wallet that pays for anchors. */
export interface AnchorWallet {
  readonly kind: WalletKind;
  readonly chain: BitcoinNetwork;
  readonly address: string;
  /** Its output script, hex. */
  readonly script: string;
}

/** The wallet of a 32-byte secret key: P2WPKH (default) or key-path P2TR. */
export function anchorWallet(
  secretKey: Uint8Array,
  chain: BitcoinNetwork = 'bitcoin',
  kind: WalletKind = 'p2wpkh',
) {
  const payment = walletPayment(secretKey, chain, kind);
  return {
    kind,
    chain,
    address: payment.address as string,
    script: toHex(payment.script),
  } satisfies AnchorWallet;
}

function walletPayment(secretKey: Uint8Array, chain: BitcoinNetwork, kind: WalletKind) {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32)
    throw new AgoraError(ErrorCode.InvalidKey, 'a wallet key is 32 bytes');
  const network = NETWORKS[chain];
  return kind === 'p2tr'
    ? p2tr(schnorr.getPublicKey(secretKey), undefined, network)
    : p2wpkh(secp256k1.getPublicKey(secretKey, true), network);
}

/** A coin the wallet can spend. */
export interface Utxo {
  /** Display order. */
  readonly txid: string;
  readonly vout: number;
  readonly amountSat: bigint;
}

/** What an anchor transaction is built from: the wallet key, its coins, the commitment and the fee rate. */
export interface AnchorTransactionRequest {
  readonly secretKey: Uint8Array;
  readonly chain?: BitcoinNetwork;
  readonly kind?: WalletKind;
  readonly utxos: readonly Utxo[];
  /** The 32-byte commitment put in the OP_RETURN output. */
  readonly commitment: Uint8Array;
  /** Sats per virtual byte, a whole number. */
  readonly feeRate: number;
  /** Where change goes; default the wallet's own address. */
  readonly changeAddress?: string;
  /** Signal replaceability (BIP 125) so the fee can be bumped; default true. */
  readonly rbf?: boolean;
}

/** A built anchor transaction. */
export interface AnchorTransaction {
  readonly txid: string;
  /** Signed, ready to broadcast. */
  readonly hex: string;
  /** The unsigned PSBT (base64) for an external signer. */
  readonly psbt: string;
  readonly feeSat: bigint;
  /** Change returned to the wallet (0 when none was worth an output). */
  readonly changeSat: bigint;
  readonly vsize: number;
  /** The coins spent. */
  readonly inputs: readonly Utxo[];
}

/** BIP 125: a sequence below 0xfffffffe signals replaceability. */
const RBF_SEQUENCE = 0xfffffffd;

/**
 * Builds and signs an anchor transaction: coins selected from `utxos` (@scure/btc-signer's default strategy), an
 * `AGR1` OP_RETURN output with the commitment, change back to the wallet, fee at `feeRate` sat/vB, replaceable by
 * default. `INSUFFICIENT_BALANCE` when the coins cannot pay.
 */
export function buildAnchorTransaction(request: AnchorTransactionRequest): AnchorTransaction {
  const chain = request.chain ?? 'bitcoin';
  const kind = request.kind ?? 'p2wpkh';
  if (!Number.isSafeInteger(request.feeRate) || request.feeRate < 1)
    throw new AgoraError(ErrorCode.InvalidArgument, 'the fee rate is a whole number of sat/vB, at least 1');
  const payment = walletPayment(request.secretKey, chain, kind);
  const script = opReturnScript(anchorPayload(request.commitment));
  const rbf = request.rbf ?? true;
  const inputs = request.utxos.map((utxo) => {
    if (
      !/^[0-9a-f]{64}$/.test(utxo.txid) ||
      !Number.isSafeInteger(utxo.vout) ||
      utxo.vout < 0 ||
      utxo.amountSat <= 0n
    )
      throw new AgoraError(ErrorCode.InvalidArgument, 'a coin is {txid: 32-byte hex, vout, amountSat > 0}');
    return {
      ...payment,
      txid: fromHex(utxo.txid),
      index: utxo.vout,
      witnessUtxo: { script: payment.script, amount: utxo.amountSat },
      sequence: rbf ? RBF_SEQUENCE : 0xffffffff,
    };
  });
  const selected = selectUTXO(inputs, [{ script, amount: 0n }], 'default', {
    changeAddress: request.changeAddress ?? (payment.address as string),
    feePerByte: BigInt(request.feeRate),
    network: NETWORKS[chain],
    createTx: true,
    allowUnknownOutputs: true,
  });
  if (selected?.tx === undefined)
    throw new AgoraError(
      ErrorCode.InsufficientBalance,
      'the coins given cannot pay for the anchor and its fee',
    );
  const tx = selected.tx;
  const psbt = toBase64(tx.toPSBT());
  tx.sign(request.secretKey);
  tx.finalize();
  const spent = selected.inputs.map((input) => ({
    txid: toHex(input.txid as Uint8Array),
    vout: input.index as number,
    amountSat: (input.witnessUtxo as { amount: bigint }).amount,
  }));
  const changeSat = selected.change
    ? (selected.outputs.find(
        (o) => 'address' in o && o.address === (request.changeAddress ?? payment.address),
      )?.amount ?? 0n)
    : 0n;
  return { txid: tx.id, hex: tx.hex, psbt, feeSat: tx.fee, changeSat, vsize: tx.vsize, inputs: spent };
}

/**
 * Replaces an unconfirmed anchor (BIP 125) with one paying `feeRate`: the same coins and commitment, so the two
 * conflict and only one can confirm. The new fee must be higher; `INVALID_ARGUMENT` otherwise.
 */
export function bumpAnchorFee(
  previous: AnchorTransaction,
  request: Omit<AnchorTransactionRequest, 'utxos'>,
): AnchorTransaction {
  const replacement = buildAnchorTransaction({ ...request, utxos: previous.inputs, rbf: true });
  if (replacement.feeSat <= previous.feeSat)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      'a replacement must pay a higher fee than the transaction it replaces',
    );
  return replacement;
}
