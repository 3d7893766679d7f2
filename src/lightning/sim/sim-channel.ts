import type { SimNode } from './sim-node.js';

/** A node's forwarding policy on one channel. */
export interface ChannelPolicy {
  feeBaseMsat: number;
  feePpm: number;
  cltvDelta: number;
}

/** LND's defaults: 1 sat base fee, 1 ppm, 80 blocks. */
export const DEFAULT_POLICY: ChannelPolicy = { feeBaseMsat: 1000, feePpm: 1, cltvDelta: 80 };

/** A channel between two simulated nodes; each side has its own spendable balance and HTLCs in flight. */
export class SimChannel {
  readonly id: string;
  readonly capacityMsat: number;
  readonly nodes: readonly [SimNode, SimNode];
  /** Spendable msat of each side (excluding HTLCs in flight). */
  readonly balanceMsat: [number, number];
  /** Msat each side has offered in HTLCs not yet settled or failed. */
  readonly inFlightMsat: [number, number] = [0, 0];
  readonly policies: [ChannelPolicy, ChannelPolicy];

  constructor(
    id: string,
    a: SimNode,
    b: SimNode,
    capacityMsat: number,
    pushMsat: number,
    policies: [ChannelPolicy, ChannelPolicy],
  ) {
    this.id = id;
    this.nodes = [a, b];
    this.capacityMsat = capacityMsat;
    this.balanceMsat = [capacityMsat - pushMsat, pushMsat];
    this.policies = policies;
  }

  /** 0 or 1: which side `node` is on. */
  side(node: SimNode): 0 | 1 {
    if (this.nodes[0] === node) return 0;
    if (this.nodes[1] === node) return 1;
    throw new Error(`node ${node.alias} is not on channel ${this.id}`);
  }

  other(node: SimNode): SimNode {
    return this.nodes[1 - this.side(node)] as SimNode;
  }

  /** What `node` can send through this channel now. */
  spendable(node: SimNode): number {
    return this.balanceMsat[this.side(node)];
  }

  /** Usable for routing: both ends online. */
  get active(): boolean {
    return this.nodes[0].online && this.nodes[1].online;
  }

  /** Offers an HTLC from `from`: its balance moves into flight. */
  lock(from: SimNode, amountMsat: number): void {
    const side = this.side(from);
    if (this.balanceMsat[side] < amountMsat)
      throw new Error(`channel ${this.id} cannot carry ${amountMsat} msat`);
    this.balanceMsat[side] -= amountMsat;
    this.inFlightMsat[side] += amountMsat;
  }

  /** Settles an HTLC offered by `from`: the amount lands on the other side. */
  settle(from: SimNode, amountMsat: number): void {
    const side = this.side(from);
    this.inFlightMsat[side] -= amountMsat;
    this.balanceMsat[side === 0 ? 1 : 0] += amountMsat;
  }

  /** Fails an HTLC offered by `from`: the amount returns to it. */
  fail(from: SimNode, amountMsat: number): void {
    const side = this.side(from);
    this.inFlightMsat[side] -= amountMsat;
    this.balanceMsat[side] += amountMsat;
  }
}
