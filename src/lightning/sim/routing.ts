/** A directed view of a channel for path finding: `from` may forward `to` through it. */
export interface Hop<C> {
  readonly channel: C;
  readonly to: string;
  /** What `from` can send through this channel now, msat. */
  readonly spendableMsat: number;
  /** `from`'s forwarding fee policy on this channel. */
  readonly feeBaseMsat: number;
  readonly feePpm: number;
  readonly cltvDelta: number;
}

/** One hop of a found route: the HTLC `amountMsat` sent over `channel` to `to`. */
export interface RouteHop<C> {
  readonly channel: C;
  readonly from: string;
  readonly to: string;
  readonly amountMsat: number;
}

/** A path through the simulated network, payer to payee, with the fees and CLTV deltas of its hops. */
export interface Route<C> {
  readonly hops: readonly RouteHop<C>[];
  /** Sum of the forwarding fees: what the payer sends minus what the payee receives. */
  readonly feeMsat: number;
  /** Blocks of CLTV the route adds on top of the payee's final delta. */
  readonly cltvDelta: number;
}

/** Forwarding fee a node charges to forward `amountMsat`, as BOLT 7 defines it (rounded down). */
export function forwardingFee(amountMsat: number, feeBaseMsat: number, feePpm: number): number {
  return feeBaseMsat + Math.floor((amountMsat * feePpm) / 1_000_000);
}

/** A binary min-heap keyed by a number. */
class Heap<T> {
  private readonly items: { key: number; value: T }[] = [];
  get size(): number {
    return this.items.length;
  }
  push(key: number, value: T): void {
    const items = this.items;
    items.push({ key, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as { key: number }).key <= key) break;
      [items[i], items[parent]] = [
        items[parent] as { key: number; value: T },
        items[i] as { key: number; value: T },
      ];
      i = parent;
    }
  }
  pop(): { key: number; value: T } | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && (items[l] as { key: number }).key < (items[m] as { key: number }).key) m = l;
        if (r < items.length && (items[r] as { key: number }).key < (items[m] as { key: number }).key) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m] as { key: number; value: T }, items[i] as { key: number; value: T }];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Cheapest route from `source` to `target` delivering `amountMsat`, or undefined. Searches backwards from the
 * target (as LND does) so each hop's amount includes the fees of the hops after it; a hop is usable only when
 * its sender can spend the amount it must forward. Ties go to fewer hops.
 *
 * `edgesInto(node)` lists, for every channel of `node`, the neighbour's side: hops from the neighbour to `node`.
 */
export function findRoute<C>(
  source: string,
  target: string,
  amountMsat: number,
  edgesInto: (node: string) => Iterable<Hop<C> & { from: string }>,
  options: { maxHops?: number; maxCltvDelta?: number } = {},
): Route<C> | undefined {
  const maxHops = options.maxHops ?? 20;
  const maxCltv = options.maxCltvDelta ?? 2016;
  // best[node] = what must arrive at `node` for the payment to reach the target from there.
  const best = new Map<string, { amount: number; hops: number; cltv: number; next?: { hop: RouteHop<C> } }>();
  best.set(target, { amount: amountMsat, hops: 0, cltv: 0 });
  const heap = new Heap<string>();
  heap.push(amountMsat, target);
  const done = new Set<string>();
  while (heap.size > 0) {
    const { value: node } = heap.pop() as { key: number; value: string };
    if (done.has(node)) continue;
    done.add(node);
    if (node === source) break;
    const here = best.get(node) as { amount: number; hops: number; cltv: number };
    if (here.hops >= maxHops) continue;
    for (const edge of edgesInto(node)) {
      const from = edge.from;
      if (done.has(from) || edge.spendableMsat < here.amount) continue;
      // The payer pays no fee to itself; every other sender charges its policy for forwarding `here.amount`.
      const fee = from === source ? 0 : forwardingFee(here.amount, edge.feeBaseMsat, edge.feePpm);
      const cltv = here.cltv + (from === source ? 0 : edge.cltvDelta);
      if (cltv > maxCltv) continue;
      const amount = here.amount + fee;
      const known = best.get(from);
      if (
        known === undefined ||
        amount < known.amount ||
        (amount === known.amount && here.hops + 1 < known.hops)
      ) {
        best.set(from, {
          amount,
          hops: here.hops + 1,
          cltv,
          next: { hop: { channel: edge.channel, from, to: node, amountMsat: here.amount } },
        });
        heap.push(amount, from);
      }
    }
  }
  const start = best.get(source);
  if (start === undefined || source === target) return undefined;
  const hops: RouteHop<C>[] = [];
  let cursor: string = source;
  while (cursor !== target) {
    const step = best.get(cursor)?.next;
    if (step === undefined) return undefined;
    hops.push(step.hop);
    cursor = step.hop.to;
  }
  return { hops, feeMsat: start.amount - amountMsat, cltvDelta: start.cltv };
}
