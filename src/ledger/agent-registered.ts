import { AgoraError, type Clock, ErrorCode, fromHex, isDecimal, isJsonObject } from '../core/index.js';
import { type AgentKey, BN254_SCALAR_FIELD, zkIdentity } from '../identity/index.js';
import { type LedgerEvent, signEvent } from './event.js';
import type { EventTypeDefinition } from './registry.js';

/** Body of `agent.registered`: what an agent publishes about itself. */
export interface AgentRegistration {
  /** Poseidon commitment of the agent's ZK secret, decimal. */
  zkCommitment: string;
  /** Compressed secp256k1 keys (33 bytes, hex) of the Lightning nodes the agent is paid through. */
  nodeKeys: string[];
  /** Optional human-readable name; not unique, not trusted. */
  name?: string;
}

const MAX_NODE_KEYS = 16;
const NODE_KEY = /^0[23][0-9a-f]{64}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here.
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `agent.registered: ${message}`);
}

function checkRegistration(body: unknown): asserts body is AgentRegistration {
  if (!isJsonObject(body)) invalid('body must be an object');
  for (const field of Object.keys(body)) {
    if (field !== 'zkCommitment' && field !== 'nodeKeys' && field !== 'name')
      invalid(`unknown field ${field}`);
  }
  const { zkCommitment, nodeKeys, name } = body;
  if (!isDecimal(zkCommitment) || BigInt(zkCommitment) >= BN254_SCALAR_FIELD) {
    invalid('zkCommitment must be a decimal element of the BN254 scalar field');
  }
  if (!Array.isArray(nodeKeys) || nodeKeys.length > MAX_NODE_KEYS) {
    invalid(`nodeKeys must be a list of at most ${MAX_NODE_KEYS} keys`);
  }
  for (const nodeKey of nodeKeys) {
    if (typeof nodeKey !== 'string' || !NODE_KEY.test(nodeKey))
      invalid('a node key is 33 bytes of compressed hex');
  }
  if (new Set(nodeKeys).size !== nodeKeys.length) invalid('nodeKeys has duplicates');
  if (
    name !== undefined &&
    (typeof name !== 'string' || name.length === 0 || name.length > 64 || CONTROL.test(name))
  ) {
    invalid('name must be 1 to 64 printable characters');
  }
}

/** Bytes of an `agent.registered` record: event id, author, created (see {@link decodeRegistrationRecord}). */
export const REGISTRATION_RECORD_SIZE = 72;

/**
 * `agent.registered`: an agent announces its ZK commitment and Lightning node keys. An agent may register again
 * to update them; readers take the registration in force ({@link registrationInForce}).
 */
export const agentRegisteredType: EventTypeDefinition = {
  type: 'agent.registered',
  auth: 'signature',
  verify(event) {
    checkRegistration(event.body);
  },
  *indexes(event) {
    // An agent's registrations, apart from everything else it signed (a provider signs a receipt per sale).
    yield ['agent', event.author as string];
    for (const nodeKey of (event.body as unknown as AgentRegistration).nodeKeys) yield ['nodeKey', nodeKey];
  },
  // id 32 | author 32 | created 8 (big-endian): what readers of every registration (reputation's seeds) need.
  record: {
    size: REGISTRATION_RECORD_SIZE,
    encode(event, id) {
      const out = new Uint8Array(REGISTRATION_RECORD_SIZE);
      out.set(id, 0);
      out.set(fromHex(event.author as string), 32);
      new DataView(out.buffer).setBigUint64(64, BigInt(event.created));
      return out;
    },
  },
};

/** Reads the registration record at `offset` of `bytes` (views into `bytes`). */
export function decodeRegistrationRecord(
  bytes: Uint8Array,
  offset = 0,
): { id: Uint8Array; author: Uint8Array; created: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    id: bytes.subarray(offset, offset + 32),
    author: bytes.subarray(offset + 32, offset + 64),
    created: Number(view.getBigUint64(offset + 64)),
  };
}

/** Builds and signs the `agent.registered` event of `key`, with the ZK commitment derived from it. */
export async function createAgentRegistration(
  key: AgentKey,
  options: { nodeKeys?: string[]; name?: string; clock?: Clock } = {},
): Promise<LedgerEvent> {
  const { commitment } = await zkIdentity(key);
  const body: AgentRegistration = { zkCommitment: commitment.toString(), nodeKeys: options.nodeKeys ?? [] };
  if (options.name !== undefined) body.name = options.name;
  checkRegistration(body);
  return signEvent(key, 'agent.registered', { ...body }, options);
}

/** A registration as the rules below read it: its event id, time and body. */
export interface RegistrationRecord {
  readonly id: string;
  readonly created: number;
  readonly body: AgentRegistration;
}

/**
 * The one rule for "an agent's registration in force at `at`": its latest registration created at or before `at`,
 * the same second going to the lowest event id. It depends on the set of registrations only, never on the order
 * they arrived in; snapshots (commitments) and the reputation of receipts use it.
 */
export function registrationInForce<R extends RegistrationRecord>(
  registrations: Iterable<R>,
  at: number,
): R | undefined {
  let found: R | undefined;
  for (const registration of registrations) {
    if (registration.created > at) continue;
    if (
      found === undefined ||
      registration.created > found.created ||
      (registration.created === found.created && registration.id < found.id)
    )
      found = registration;
  }
  return found;
}
