import * as secp256k1 from 'tiny-secp256k1';
import type { BitcoinNetwork } from '../../core/index.js';
import { AgoraError, type Clock, ErrorCode, systemClock, toHex } from '../../core/index.js';
import { checkAmountMsat } from '../hashes.js';
import { type RandomSource, seededRandom, systemRandom } from './random-source.js';
import { findRoute, type Hop, type Route } from './routing.js';
import { type ChannelPolicy, DEFAULT_POLICY, SimChannel } from './sim-channel.js';
import { SimNode } from './sim-node.js';

/** How an in-memory network is set up. */
export interface SimNetworkOptions {
  /** Makes keys, preimages and secrets reproducible; without it they come from the CSPRNG. */
  seed?: string;
  clock?: Clock;
  network?: BitcoinNetwork;
  startHeight?: number;
  /** A held HTLC is canceled this many blocks before it expires (default 6). */
  holdCancelMarginBlocks?: number;
  /** Forwarding policy of new channels. */
  defaultPolicy?: Partial<ChannelPolicy>;
}

/**
 * An in-memory Lightning network of many nodes in one process: real node keys, real signed BOLT 11 invoices,
 * real preimages, channels with balances on both sides, source-routed multi-hop payments with fees and CLTV
 * deltas, and HTLCs locked in flight until settled or failed. Time comes from an injectable clock, blocks from
 * {@link mineBlocks}. Faults: {@link SimNode.setOnline}, {@link drainChannel}, {@link SimNode.setPaymentDelay}.
 */
export class SimNetwork {
  readonly clock: Clock;
  readonly network: BitcoinNetwork;
  readonly holdCancelMarginBlocks: number;
  readonly random: RandomSource;
  private height: number;
  private readonly defaultPolicy: ChannelPolicy;
  private readonly nodesByKey = new Map<string, SimNode>();
  private readonly channelsOf = new Map<SimNode, SimChannel[]>();
  private readonly allChannels: SimChannel[] = [];
  /** Per node, its transit channels as of the channel count `opened` (see `transitOf`). */
  private readonly transit = new Map<
    SimNode,
    { opened: number; channels: SimChannel[]; position: Map<SimChannel, number> }
  >();
  /** Hold invoices with an accepted HTLC, watched for their CLTV deadline. */
  readonly held = new Set<{ node: SimNode; paymentHash: string; deadline: number }>();

  constructor(options: SimNetworkOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.network = options.network ?? 'regtest';
    this.height = options.startHeight ?? 1000;
    this.holdCancelMarginBlocks = options.holdCancelMarginBlocks ?? 6;
    this.random = options.seed === undefined ? systemRandom : seededRandom(options.seed);
    this.defaultPolicy = { ...DEFAULT_POLICY, ...options.defaultPolicy };
  }

  get blockHeight(): number {
    return this.height;
  }

  get nodes(): SimNode[] {
    return [...this.nodesByKey.values()];
  }

  get channels(): readonly SimChannel[] {
    return this.allChannels;
  }

  /** Adds a node with a fresh key (from the seed, when there is one). */
  createNode(alias = `node${this.nodesByKey.size}`): SimNode {
    for (;;) {
      const secret = this.random.bytes(32);
      const publicKey = secp256k1.isPrivate(secret) ? secp256k1.pointFromScalar(secret, true) : null;
      if (publicKey === null) continue;
      const node = new SimNode(this, alias, secret, toHex(publicKey));
      this.nodesByKey.set(node.nodeKey, node);
      this.channelsOf.set(node, []);
      return node;
    }
  }

  /** The node with this 33-byte hex key, if it is on this network. */
  nodeByKey(nodeKey: string): SimNode | undefined {
    return this.nodesByKey.get(nodeKey);
  }

  /** Opens a channel funded by `a`; `pushMsat` starts on `b`'s side. */
  openChannel(
    a: SimNode,
    b: SimNode,
    options: {
      capacitySat: number;
      pushSat?: number;
      policyA?: Partial<ChannelPolicy>;
      policyB?: Partial<ChannelPolicy>;
    },
  ): SimChannel {
    if (a === b) throw new AgoraError(ErrorCode.InvalidArgument, 'a channel joins two different nodes');
    const capacityMsat = checkAmountMsat(options.capacitySat * 1000);
    const pushMsat = (options.pushSat ?? 0) * 1000;
    if (!(pushMsat >= 0 && pushMsat <= capacityMsat)) {
      throw new AgoraError(ErrorCode.InvalidArgument, 'push amount must lie between 0 and the capacity');
    }
    const id = `${this.height}x${this.allChannels.length}x0`;
    const channel = new SimChannel(id, a, b, capacityMsat, pushMsat, [
      { ...this.defaultPolicy, ...options.policyA },
      { ...this.defaultPolicy, ...options.policyB },
    ]);
    this.allChannels.push(channel);
    this.channelsOf.get(a)?.push(channel);
    this.channelsOf.get(b)?.push(channel);
    return channel;
  }

  /** Channels of `node`. */
  channelsOfNode(node: SimNode): readonly SimChannel[] {
    return this.channelsOf.get(node) ?? [];
  }

  /** Fault: moves everything `node` could send through `channel` to the other side. */
  drainChannel(channel: SimChannel, node: SimNode): void {
    const side = channel.side(node);
    channel.balanceMsat[side === 0 ? 1 : 0] += channel.balanceMsat[side];
    channel.balanceMsat[side] = 0;
  }

  /** Adds blocks; held HTLCs that reach their deadline are canceled back to their payers. */
  mineBlocks(count = 1): void {
    this.height += count;
    for (const entry of [...this.held]) {
      if (this.height >= entry.deadline) {
        this.held.delete(entry);
        entry.node.expireHold(entry.paymentHash);
      }
    }
  }

  /** Cancels unpaid invoices past their expiry on every node (also done lazily when an invoice is touched). */
  sweep(): void {
    for (const node of this.nodesByKey.values()) node.expireOpenInvoices();
  }

  /** Cheapest route from `payer` to `payee` for `amountMsat` over active channels, or undefined. */
  route(payer: SimNode, payee: SimNode, amountMsat: number): Route<SimChannel> | undefined {
    // A payer with one channel is a leaf, left out of its neighbour's transit channels: its channel is added back.
    const payerChannels = this.channelsOf.get(payer) ?? [];
    const payerLeaf = payerChannels.length === 1 ? payerChannels[0] : undefined;
    const edgesInto = (key: string): Iterable<Hop<SimChannel> & { from: string }> => {
      const node = this.nodesByKey.get(key) as SimNode;
      const { channels, position } = this.transitOf(node);
      let candidates = channels;
      if (payerLeaf !== undefined && payerLeaf.other(payer) === node) {
        // In the channel's own place among the node's channels: edges are tried in the same order as ever.
        const at = position.get(payerLeaf) as number;
        const after = channels.findIndex((channel) => (position.get(channel) as number) > at);
        candidates =
          after < 0
            ? [...channels, payerLeaf]
            : [...channels.slice(0, after), payerLeaf, ...channels.slice(after)];
      }
      const edges: (Hop<SimChannel> & { from: string })[] = [];
      for (const channel of candidates) {
        if (!channel.active) continue;
        const neighbour = channel.other(node);
        const side = channel.side(neighbour);
        const policy = channel.policies[side];
        edges.push({
          channel,
          from: neighbour.nodeKey,
          to: key,
          spendableMsat: channel.balanceMsat[side],
          feeBaseMsat: policy.feeBaseMsat,
          feePpm: policy.feePpm,
          cltvDelta: policy.cltvDelta,
        });
      }
      return edges;
    };
    return findRoute(payer.nodeKey, payee.nodeKey, amountMsat, edgesInto);
  }

  /**
   * The channels of `node` whose other end has another channel: the only ones a route can run through towards
   * `node`, since a neighbour with one channel leads nowhere but back (only a payer starts a route there). Kept per
   * node until a channel opens, so that a hub's search does not visit its thousands of agents on every payment.
   */
  private transitOf(node: SimNode): { channels: SimChannel[]; position: Map<SimChannel, number> } {
    const cached = this.transit.get(node);
    if (cached !== undefined && cached.opened === this.allChannels.length) return cached;
    const all = this.channelsOf.get(node) ?? [];
    const entry = {
      opened: this.allChannels.length,
      channels: all.filter((channel) => (this.channelsOf.get(channel.other(node))?.length ?? 0) > 1),
      position: new Map(all.map((channel, i) => [channel, i])),
    };
    this.transit.set(node, entry);
    return entry;
  }
}
