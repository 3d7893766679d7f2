// Attack 6 of issue 16: unpaid requests left state forever. Every request without a token made an invoice and a
// stored root key that was never removed: 20,000 anonymous GETs left 20,000 stored keys. Root keys are now derived
// from the provider's secret and the token id (HMAC), so a challenge stores nothing; only revocations are kept.
// (Unpaid invoices are the Lightning backend's, which expires them; a stub backend stands in for it here.)
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/index.js';
import { L402Provider, LedgerRootKeyStore, type RequestLike } from '../../src/l402/index.js';
import { agentRegisteredType, EventRegistry, Ledger } from '../../src/ledger/index.js';
import type { LightningBackend } from '../../src/lightning/index.js';

/** A backend that invoices without keeping anything: the provider's own state is what is measured. */
function invoicingOnly(): LightningBackend {
  let next = 0;
  return {
    createInvoice: async () => {
      const paymentHash = toHex(new Uint8Array(32).fill(next++ % 256));
      return { paymentRequest: `lnbcrt10n1${paymentHash}`, paymentHash, expiresAt: 0 };
    },
    info: async () => ({
      nodeKey: `02${'11'.repeat(32)}`,
      alias: 'stub',
      network: 'regtest',
      blockHeight: 0,
    }),
  } as unknown as LightningBackend;
}

describe('attack: unpaid requests leave state forever (l402-unpaid-state)', () => {
  it('20,000 unauthenticated requests (the attack as reported) leave bounded state (root keys in the ledger store)', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([agentRegisteredType]),
    });
    try {
      const provider = new L402Provider({
        lightning: invoicingOnly(),
        rootKeys: new LedgerRootKeyStore(ledger),
        service: 'weather',
        price: () => 1_000,
      });
      const request: RequestLike = {
        url: 'http://weather.test/forecast',
        method: 'GET',
        headers: { get: () => null },
      };
      for (let i = 0; i < 20_000; i++) {
        const decision = await provider.authorize(request);
        if (decision.kind !== 'refused' || decision.response.status !== 402)
          throw new Error('expected a 402');
      }
      let stored = 0;
      for await (const _ of ledger.localStore('l402-root-keys').keys()) stored++;
      // The provider's secret, and nothing per request.
      expect(stored).toBeLessThanOrEqual(1);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
