import { describe, expect, it } from 'vitest';
import { generateAgentKey, wasmSchnorr } from '../../src/identity/index.js';
import { isKnownSignature, remembering, rememberSignature } from '../../src/identity/known-signatures.js';

describe('known signatures', () => {
  it('a remembering backend knows what it signed, under the key of the secret it signed with', () => {
    const key = generateAgentKey();
    const backend = remembering(wasmSchnorr);
    const message = crypto.getRandomValues(new Uint8Array(32));
    const signature = backend.sign(message, key.secretKey);
    expect(isKnownSignature(signature, message, key.publicKey)).toBe(true);
    expect(isKnownSignature(signature, message, generateAgentKey().publicKey)).toBe(false);
  });

  it('remembers a signature it verified valid, never one it refused', () => {
    const key = generateAgentKey();
    const backend = remembering(wasmSchnorr);
    const message = crypto.getRandomValues(new Uint8Array(32));
    const signature = wasmSchnorr.sign(message, key.secretKey);
    expect(isKnownSignature(signature, message, key.publicKey)).toBe(false);
    expect(backend.verify(signature, message, key.publicKey)).toBe(true);
    expect(isKnownSignature(signature, message, key.publicKey)).toBe(true);
    const other = crypto.getRandomValues(new Uint8Array(32));
    expect(backend.verify(signature, other, key.publicKey)).toBe(false);
    expect(isKnownSignature(signature, other, key.publicKey)).toBe(false);
  });

  it('ignores malformed sizes', () => {
    const short = new Uint8Array(31);
    rememberSignature(new Uint8Array(64), short, new Uint8Array(32));
    expect(isKnownSignature(new Uint8Array(64), short, new Uint8Array(32))).toBe(false);
  });

  it('derives the key again when a secret buffer changed after its first use', () => {
    const first = generateAgentKey();
    const second = generateAgentKey();
    const backend = remembering(wasmSchnorr);
    const secret = Uint8Array.from(first.secretKey);
    const message = crypto.getRandomValues(new Uint8Array(32));
    backend.sign(message, secret);
    secret.set(second.secretKey);
    const signature = backend.sign(message, secret);
    expect(isKnownSignature(signature, message, second.publicKey)).toBe(true);
    expect(isKnownSignature(signature, message, first.publicKey)).toBe(false);
  });
});
