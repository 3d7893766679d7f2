import { Counter, Gauge, Registry } from 'prom-client';
import type { SimulationHooks } from './simulation.js';

/**
 * Prometheus metrics of a running simulation (for Grafana): the round, payments, sats, garbage served, and each
 * provider's price, sales and reputation. `hooks` feed them; `registry.metrics()` is the text exposition.
 */
export class SimulationMetrics {
  readonly registry = new Registry();
  private readonly round = new Gauge({
    name: 'agora_sim_round',
    help: 'Market rounds done',
    registers: [this.registry],
  });
  private readonly payments = new Counter({
    name: 'agora_sim_payments_total',
    help: 'Paid L402 requests',
    registers: [this.registry],
  });
  private readonly failed = new Counter({
    name: 'agora_sim_failed_purchases_total',
    help: 'Purchases that did not complete',
    registers: [this.registry],
  });
  private readonly sats = new Counter({
    name: 'agora_sim_sats_moved_total',
    help: 'Sats paid to providers',
    registers: [this.registry],
  });
  private readonly garbage = new Counter({
    name: 'agora_sim_garbage_served_total',
    help: 'Paid requests answered with garbage',
    registers: [this.registry],
  });
  private readonly price = new Gauge({
    name: 'agora_sim_provider_price_msat',
    help: "A provider's current price",
    labelNames: ['provider', 'kind'],
    registers: [this.registry],
  });
  private readonly sales = new Gauge({
    name: 'agora_sim_provider_sales',
    help: "A provider's sales so far",
    labelNames: ['provider', 'kind'],
    registers: [this.registry],
  });
  private readonly reputation = new Gauge({
    name: 'agora_sim_provider_reputation_ppb',
    help: "A provider's EigenTrust score, ppb of all trust",
    labelNames: ['provider', 'kind'],
    registers: [this.registry],
  });
  private readonly phase = new Gauge({
    name: 'agora_sim_phase_progress',
    help: 'Progress of each phase, 0 to 1',
    labelNames: ['phase'],
    registers: [this.registry],
  });
  private last = { payments: 0, failed: 0, sats: 0, garbage: 0 };

  /** Hooks for `simulate`, chained after `inner` (a progress bar, say). */
  hooks(inner: SimulationHooks = {}): SimulationHooks {
    return {
      onProgress: (phase, done, total) => {
        this.phase.set({ phase }, total === 0 ? 1 : done / total);
        inner.onProgress?.(phase, done, total);
      },
      onRound: (snapshot) => {
        this.round.set(snapshot.round);
        this.payments.inc(snapshot.payments - this.last.payments);
        this.failed.inc(snapshot.failedPurchases - this.last.failed);
        this.sats.inc(snapshot.satsMoved - this.last.sats);
        this.garbage.inc(snapshot.garbageServed - this.last.garbage);
        this.last = {
          payments: snapshot.payments,
          failed: snapshot.failedPurchases,
          sats: snapshot.satsMoved,
          garbage: snapshot.garbageServed,
        };
        for (const p of snapshot.providers) {
          const labels = { provider: p.name, kind: p.malicious ? 'malicious' : 'honest' };
          this.price.set(labels, p.priceMsat);
          this.sales.set(labels, p.sales);
          this.reputation.set(labels, p.reputation);
        }
        inner.onRound?.(snapshot);
      },
    };
  }
}
