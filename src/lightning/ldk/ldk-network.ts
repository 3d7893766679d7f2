import type * as Ldk from 'lightningdevkit';
import type { BitcoinNetwork } from '../../core/index.js';
import { AgoraError, type Clock, ErrorCode, systemClock } from '../../core/index.js';
import { type RandomSource, seededRandom, systemRandom } from '../sim/random-source.js';
import { LdkNode } from './ldk-node.js';
import { loadLdk } from './ldk-runtime.js';
import { LocalChain } from './local-chain.js';

/** How a network of embedded LDK nodes is set up. */
export interface LdkNetworkOptions {
  clock?: Clock;
  /** Makes node seeds reproducible. */
  seed?: string;
}

/**
 * Several LDK nodes in one process: a {@link LocalChain} they all follow, an in-memory transport between their
 * peer managers, and an event pump (what LDK's background processor does in Rust: deliver messages, handle events,
 * forward HTLCs, tick timers).
 */
export class LdkNetwork {
  readonly clock: Clock;
  readonly chain: LocalChain;
  readonly network: BitcoinNetwork = 'regtest';
  /** @internal */ readonly ldkNetwork: Ldk.Network;
  private readonly ldk: typeof Ldk;
  private readonly random: RandomSource;
  private readonly nodes: LdkNode[] = [];
  private readonly inbox: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout;
  private socketIds = 1n;
  private pumping = false;

  private constructor(ldk: typeof Ldk, options: LdkNetworkOptions) {
    this.ldk = ldk;
    this.clock = options.clock ?? systemClock;
    this.chain = new LocalChain({ clock: this.clock });
    this.ldkNetwork = ldk.Network.LDKNetwork_Regtest;
    this.random = options.seed === undefined ? systemRandom : seededRandom(options.seed);
    this.timer = setInterval(() => this.pump(), 5);
    this.timer.unref();
  }

  /** Loads LDK (once per process) and makes an empty network. */
  static async create(options: LdkNetworkOptions = {}): Promise<LdkNetwork> {
    return new LdkNetwork(await loadLdk(), options);
  }

  createNode(alias = `ldk${this.nodes.length}`): LdkNode {
    const node = new LdkNode(this, this.ldk, alias, this.random.bytes(32));
    this.nodes.push(node);
    this.chain.subscribe(node);
    return node;
  }

  /** Connects two nodes' peer managers through an in-memory pipe. */
  async connect(a: LdkNode, b: LdkNode): Promise<void> {
    const ldk = this.ldk;
    const ids = [this.socketIds++, this.socketIds++] as const;
    const descriptors: Ldk.SocketDescriptor[] = [];
    const pipe = (index: 0 | 1, receiver: LdkNode) =>
      ldk.SocketDescriptor.new_impl({
        send_data: (data: Uint8Array) => {
          const copy = Uint8Array.from(data);
          this.inbox.push(() => {
            receiver.peerManager.read_event(descriptors[1 - index] as Ldk.SocketDescriptor, copy);
            receiver.peerManager.process_events();
          });
          return data.length;
        },
        disconnect_socket: () => {},
        eq: (other: Ldk.SocketDescriptor) => other.hash() === ids[index],
        hash: () => ids[index],
      });
    descriptors.push(pipe(0, b), pipe(1, a));
    const [toB, toA] = descriptors as [Ldk.SocketDescriptor, Ldk.SocketDescriptor];
    const none = ldk.Option_SocketAddressZ.constructor_none();
    if (!b.peerManager.new_inbound_connection(toA, none).is_ok())
      throw new AgoraError(ErrorCode.BackendUnreachable, 'LDK refused the inbound connection');
    const hello = a.peerManager.new_outbound_connection(Buffer.from(b.nodeKey, 'hex'), toB, none);
    if (!(hello instanceof ldk.Result_CVec_u8ZPeerHandleErrorZ_OK))
      throw new AgoraError(ErrorCode.BackendUnreachable, 'LDK refused the outbound connection');
    this.inbox.push(() => {
      b.peerManager.read_event(toA, hello.res);
      b.peerManager.process_events();
    });
    await this.settle();
  }

  /**
   * Opens a channel funded by `a` (its funding transaction is mined at once) and waits until it is usable.
   * `pushSat` starts on `b`'s side.
   */
  async openChannel(
    a: LdkNode,
    b: LdkNode,
    options: { capacitySat: number; pushSat?: number },
  ): Promise<void> {
    const created = a.channelManager.create_channel(
      Buffer.from(b.nodeKey, 'hex'),
      BigInt(options.capacitySat),
      BigInt((options.pushSat ?? 0) * 1000),
      BigInt(Date.now()),
      null,
      null,
    );
    if (!created.is_ok()) throw new AgoraError(ErrorCode.InvalidArgument, 'LDK refused to open the channel');
    await this.settle();
    await this.mineBlocks(1);
    for (let i = 0; i < 200; i++) {
      const usable = a.channelManager
        .list_channels()
        .some(
          (c) =>
            c.get_is_usable() &&
            Buffer.from(c.get_counterparty().get_node_id()).toString('hex') === b.nodeKey,
        );
      if (usable) return;
      await this.settle();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new AgoraError(ErrorCode.BackendUnreachable, 'the channel never became usable');
  }

  /** Mines blocks one at a time, letting the nodes react between blocks (as they would on a real chain). */
  async mineBlocks(count = 1): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.chain.mine(1);
      await this.settle();
    }
  }

  /** Expires unpaid invoices on every node. */
  sweep(): void {
    for (const node of this.nodes) node.expireOpenInvoices();
  }

  /** One round: deliver queued messages and handle every node's events. True if anything happened. */
  private pump(): boolean {
    if (this.pumping) return false;
    this.pumping = true;
    try {
      let progress = false;
      for (let round = 0; round < 100; round++) {
        let moved = false;
        while (this.inbox.length > 0) {
          (this.inbox.shift() as () => void)();
          moved = true;
        }
        for (const node of this.nodes) if (node.processEvents()) moved = true;
        if (!moved && this.inbox.length === 0) break;
        progress = true;
      }
      return progress;
    } finally {
      this.pumping = false;
    }
  }

  /** Pumps until nothing moves (a few quiet rounds in a row). */
  async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < 3) {
      quiet = this.pump() ? 0 : quiet + 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Stops the pump. */
  close(): void {
    clearInterval(this.timer);
  }
}
