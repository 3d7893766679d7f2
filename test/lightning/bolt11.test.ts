import { readFileSync } from 'node:fs';
import { bech32 } from '@scure/base';
import bolt11 from 'bolt11';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, fromHex, isAgoraError, toHex } from '../../src/core/index.js';
import { decodeInvoice, encodeInvoice, type InvoiceField, isExpired } from '../../src/lightning/bolt11.js';
import { thrownAgoraError } from '../helpers.js';

interface Vector {
  title: string;
  invoice: string;
  expected: string | Record<string, unknown>;
}
const spec = JSON.parse(
  readFileSync(new URL('../vectors/bolt11/bolt11_spec_examples.json', import.meta.url), 'utf8'),
) as { common: Record<string, string>; vectors: Vector[] };
const specKey = fromHex(spec.common.signing_private_key as string);
const valid = spec.vectors.filter((v) => typeof v.expected !== 'string');
const invalid = spec.vectors.filter((v) => typeof v.expected === 'string');

describe('BOLT 11 specification examples', () => {
  it.each(valid)('decodes "$title"', ({ invoice, expected }) => {
    const decoded = decodeInvoice(invoice);
    const e = expected as Record<string, unknown>;
    expect(decoded.payee).toBe(
      (e.payee ?? e.payee_if_S_normalized_before_recovery ?? spec.common.payee_node_id) as string,
    );
    if (e.amount_msat !== undefined) expect(decoded.amountMsat ?? null).toBe(e.amount_msat);
    if (e.payment_hash !== undefined) expect(decoded.paymentHash).toBe(e.payment_hash);
    if (e.payment_secret !== undefined) expect(decoded.paymentSecret).toBe(e.payment_secret);
    if (e.description !== undefined) expect(decoded.description).toBe(e.description);
    if (e.description_hash !== undefined) expect(decoded.descriptionHash).toBe(e.description_hash);
    if (e.timestamp !== undefined) expect(decoded.timestamp).toBe(e.timestamp);
    if (e.expiry_seconds !== undefined) expect(decoded.expirySeconds).toBe(e.expiry_seconds);
    if (e.min_final_cltv_expiry !== undefined)
      expect(decoded.minFinalCltvExpiry).toBe(e.min_final_cltv_expiry);
    if (e.features_bits !== undefined) {
      for (const bit of e.features_bits as number[]) expect(decoded.features).toContain(bit);
    }
    if (e.metadata_hex !== undefined) expect(decoded.metadata).toBe(e.metadata_hex);
    if (e.network !== undefined)
      expect({ bc: 'bitcoin', tb: 'testnet' }[e.network as string]).toBe(decoded.network);
  });

  it.each(valid.filter((v) => !/ignored|high-S/.test(v.title)))(
    're-encodes "$title" byte for byte with the specification key',
    ({ invoice }) => {
      const d = decodeInvoice(invoice);
      const again = encodeInvoice(
        { network: d.network, amountMsat: d.amountMsat, timestamp: d.timestamp, fields: [...d.fields] },
        specKey,
      );
      expect(again).toBe(invoice.toLowerCase());
    },
  );

  it('normalizes a high-S signature before recovery, recovering the same payee as the low-S original', () => {
    const highS = valid.find((v) => v.title.includes('high-S')) as Vector;
    const d = decodeInvoice(highS.invoice);
    const signedLowS = encodeInvoice(
      { network: d.network, timestamp: d.timestamp, fields: [...d.fields] },
      specKey,
    );
    expect(signedLowS).toBe((valid[0] as Vector).invoice);
  });

  it.each(invalid)('rejects "$title" with INVALID_INVOICE', ({ invoice }) => {
    thrownAgoraError(() => decodeInvoice(invoice), ErrorCode.InvalidInvoice);
  });
});

describe('invoices made here', () => {
  const nodeKey = fromHex('11'.repeat(32));
  const fields: InvoiceField[] = [
    { tag: 'p', paymentHash: 'ab'.repeat(32) },
    { tag: 's', paymentSecret: 'cd'.repeat(32) },
    { tag: 'd', description: 'agora402 test' },
    { tag: 'x', expirySeconds: 600 },
    { tag: 'c', minFinalCltvExpiry: 40 },
    { tag: '9', features: [8, 14] },
  ];

  it('decode with the independent npm bolt11 decoder, on every network', () => {
    for (const network of ['bitcoin', 'testnet', 'regtest'] as const) {
      for (const amountMsat of [1, 1000, 21_000, 123_456_789, 250_000_000_000]) {
        const invoice = encodeInvoice({ network, amountMsat, timestamp: 1_700_000_000, fields }, nodeKey);
        const theirs = bolt11.decode(
          invoice,
          network === 'regtest'
            ? { bech32: 'bcrt', pubKeyHash: 111, scriptHash: 196, validWitnessVersions: [0, 1] }
            : undefined,
        );
        const ours = decodeInvoice(invoice, { network });
        expect(theirs.millisatoshis).toBe(String(amountMsat));
        expect(theirs.payeeNodeKey).toBe(ours.payee);
        expect(theirs.tagsObject.payment_hash).toBe(ours.paymentHash);
        expect(theirs.tagsObject.payment_secret).toBe(ours.paymentSecret);
        expect(theirs.tagsObject.description).toBe('agora402 test');
        expect(theirs.tagsObject.expire_time).toBe(600);
        expect(theirs.tagsObject.min_final_cltv_expiry).toBe(40);
        expect(ours.amountMsat).toBe(amountMsat);
      }
    }
  });

  it('round-trip route hints, fallback addresses and metadata', () => {
    const extra: InvoiceField[] = [
      ...fields,
      {
        tag: 'r',
        routeHint: [
          {
            nodeKey: `02${'22'.repeat(32)}`,
            shortChannelId: '800000x12x1',
            feeBaseMsat: 1000,
            feeProportionalMillionths: 100,
            cltvExpiryDelta: 40,
          },
        ],
      },
      { tag: 'f', fallbackVersion: 0, fallback: '33'.repeat(20) },
      { tag: 'm', metadata: '01fafaf0' },
    ];
    const d = decodeInvoice(encodeInvoice({ network: 'bitcoin', timestamp: 1, fields: extra }, nodeKey));
    expect(d.fields).toEqual(extra);
    expect(d.routeHints).toEqual([(extra[6] as { routeHint: unknown }).routeHint]);
  });

  it('reject route hints whose node key is not a point on the curve', () => {
    const badHint: InvoiceField = {
      tag: 'r',
      routeHint: [
        {
          nodeKey: `02${'00'.repeat(32)}`,
          shortChannelId: '1x2x3',
          feeBaseMsat: 1,
          feeProportionalMillionths: 1,
          cltvExpiryDelta: 40,
        },
      ],
    };
    const invoice = encodeInvoice(
      { network: 'bitcoin', timestamp: 1, fields: [...fields, badHint] },
      nodeKey,
    );
    thrownAgoraError(() => decodeInvoice(invoice), ErrorCode.InvalidInvoice);
  });

  it('reject the wrong network, zero amounts and missing p or s', () => {
    const invoice = encodeInvoice({ network: 'regtest', amountMsat: 1000, timestamp: 1, fields }, nodeKey);
    thrownAgoraError(() => decodeInvoice(invoice, { network: 'bitcoin' }), ErrorCode.WrongNetwork);
    thrownAgoraError(
      () => encodeInvoice({ network: 'bitcoin', amountMsat: 0, timestamp: 1, fields }, nodeKey),
      ErrorCode.InvalidArgument,
    );
    thrownAgoraError(
      () => decodeInvoice('lnbc0p1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcy'),
      ErrorCode.InvalidInvoice,
    );
    thrownAgoraError(
      () => encodeInvoice({ network: 'bitcoin', timestamp: 1, fields: fields.slice(1) }, nodeKey),
      ErrorCode.InvalidArgument,
    );
  });

  it('signed with `remember`, decode as a full decode would, and a changed copy is decoded in full', () => {
    const secret = fromHex('22'.repeat(32));
    const invoice = encodeInvoice(
      { network: 'regtest', amountMsat: 5_000, timestamp: 1_700_000_123, fields },
      secret,
      { remember: true },
    );
    const theirs = bolt11.decode(invoice, {
      bech32: 'bcrt',
      pubKeyHash: 111,
      scriptHash: 196,
      validWitnessVersions: [0, 1],
    });
    const ours = decodeInvoice(invoice);
    expect(ours.payee).toBe(theirs.payeeNodeKey);
    expect(ours.paymentHash).toBe('ab'.repeat(32));
    // The same data under another signature (the last signature word changed, checksum made again): the payee is
    // recovered from it, never taken from the remembered invoice.
    const { prefix, words } = bech32.decode(invoice as `${string}1${string}`, false);
    const changed = [...words];
    changed[changed.length - 2] = ((changed[changed.length - 2] as number) + 1) % 32;
    const forged = bech32.encode(prefix, changed, false);
    const decoded = (() => {
      try {
        return decodeInvoice(forged).payee;
      } catch (error) {
        return isAgoraError(error, ErrorCode.InvalidInvoice) ? 'refused' : 'other error';
      }
    })();
    expect(decoded).not.toBe(theirs.payeeNodeKey);
    expect(decoded).not.toBe('other error');
    // A secret buffer changed since it signed is derived again: the payee is the new key's.
    secret.fill(0x33);
    const again = encodeInvoice(
      { network: 'regtest', amountMsat: 5_000, timestamp: 1_700_000_124, fields },
      secret,
      { remember: true },
    );
    expect(decodeInvoice(again).payee).toBe(
      bolt11.decode(again, { bech32: 'bcrt', pubKeyHash: 111, scriptHash: 196, validWitnessVersions: [0, 1] })
        .payeeNodeKey,
    );
  });

  it('report expiry relative to a given time', () => {
    const d = decodeInvoice(encodeInvoice({ network: 'bitcoin', timestamp: 1000, fields }, nodeKey));
    expect(d.expiresAt).toBe(1600);
    expect(isExpired(d, 1599)).toBe(false);
    expect(isExpired(d, 1600)).toBe(true);
  });
});

describe('the invoice decoder on garbage', () => {
  const sample = encodeInvoice(
    {
      network: 'bitcoin',
      amountMsat: 5000,
      timestamp: 1_700_000_000,
      fields: [
        { tag: 'p', paymentHash: '00'.repeat(32) },
        { tag: 's', paymentSecret: '11'.repeat(32) },
      ],
    },
    fromHex('22'.repeat(32)),
  );
  const onlyTyped = (text: string) => {
    try {
      decodeInvoice(text);
    } catch (error) {
      expect(isAgoraError(error), String(error)).toBe(true);
      expect([ErrorCode.InvalidInvoice, ErrorCode.WrongNetwork]).toContain((error as { code: string }).code);
    }
  };

  it('gives only typed errors on random strings', () => {
    fc.assert(fc.property(fc.string(), onlyTyped), { numRuns: 2000 });
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'qpzry9x8gf2tvdw0s3jn54khce6mua7l1lnbc') }),
        onlyTyped,
      ),
      { numRuns: 2000 },
    );
  });

  it('gives only typed errors, or a different payee, on mutated invoices', () => {
    const original = decodeInvoice(sample);
    fc.assert(
      fc.property(
        fc.nat(sample.length - 1),
        fc.constantFrom(...'qpzry9x8gf2tvdw0s3jn54khce6mua7l'),
        (at, char) => {
          const mutated = sample.slice(0, at) + char + sample.slice(at + 1);
          if (mutated === sample) return;
          try {
            // bech32 detects every single-character change, so nothing mutated decodes.
            decodeInvoice(mutated);
            expect.unreachable(`decoded a mutated invoice at ${at}`);
          } catch (error) {
            expect(isAgoraError(error, ErrorCode.InvalidInvoice)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
    expect(original.payee).toBe(toHex(fromHex(original.payee)));
  });
});
