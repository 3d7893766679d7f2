import { AgoraError, ErrorCode, isJsonObject, isLowerHex } from '../../src/core/index.js';
import { type AgentKey, signObject } from '../../src/identity/index.js';
import {
  agentRegisteredType,
  EventRegistry,
  type EventTypeDefinition,
  type LedgerEvent,
} from '../../src/ledger/index.js';

/** A signed test type that must name an earlier `agent.registered` event in `body.ref`. */
export const refType: EventTypeDefinition = {
  type: 'test.ref',
  auth: 'signature',
  async verify(event, context) {
    const ref = isJsonObject(event.body) ? event.body.ref : undefined;
    if (!isLowerHex(ref, 32))
      throw new AgoraError(ErrorCode.InvalidEvent, 'test.ref: ref must be an event id');
    const target = await context.get(ref);
    if (target === undefined) throw new AgoraError(ErrorCode.MissingReference, `test.ref: no ${ref} yet`);
    if (target.type !== 'agent.registered') {
      throw new AgoraError(ErrorCode.InvalidEvent, `test.ref: ${ref} is not a registration`);
    }
  },
  *indexes(event) {
    yield ['ref', (event.body as { ref: string }).ref];
  },
};

/** An anonymous test type: the "proof" must be `{ "ok": true }`; indexed by `body.batch`. */
export const anonType: EventTypeDefinition = {
  type: 'test.anon',
  auth: 'proof',
  verify(event) {
    if (!isJsonObject(event.proof) || event.proof.ok !== true) {
      throw new AgoraError(ErrorCode.InvalidEvent, 'test.anon: the proof does not hold');
    }
  },
  *indexes(event) {
    const batch = isJsonObject(event.body) ? event.body.batch : undefined;
    if (typeof batch === 'number') yield ['batch', String(batch)];
  },
};

export function testRegistry(): EventRegistry {
  return new EventRegistry([agentRegisteredType, refType, anonType]);
}

let counter = 0;

/** A signed `agent.registered` event with a made-up commitment (fast: no Poseidon). */
export function registration(key: AgentKey, created = 1_700_000_000 + counter++): LedgerEvent {
  return signObject(key, {
    v: 1,
    type: 'agent.registered',
    created,
    body: { zkCommitment: String(created), nodeKeys: [`02${'ab'.repeat(32)}`] },
  }) as LedgerEvent;
}

export function reference(key: AgentKey, ref: string, created = 1_700_000_000): LedgerEvent {
  return signObject(key, { v: 1, type: 'test.ref', created, body: { ref } }) as LedgerEvent;
}

export function anonymous(batch: number, index: number): LedgerEvent {
  return { v: 1, type: 'test.anon', created: 1_700_000_000, body: { batch, index }, proof: { ok: true } };
}
