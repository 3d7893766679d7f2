import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  Ledger,
} from '../../src/ledger/index.js';
import { rejectedAgoraError } from '../helpers.js';

const registry = () => new EventRegistry([agentRegisteredType]);

describe('ledger store formats', () => {
  it('upgrades a format-1 store on open: the indexes a newer format added are written for every stored event', async () => {
    const db = new MemoryLevel<string, string>();
    const key = generateAgentKey();
    const ledger = await Ledger.fromLevel(db, { registry: registry() });
    await ledger.append(await createAgentRegistration(key));
    await ledger.close();
    // Make it what format 1 wrote: no `agent` index, format '1'.
    await db.open();
    const index = db.sublevel<string, string>('index', { valueEncoding: 'utf8' });
    const meta = db.sublevel<string, string>('meta', { valueEncoding: 'utf8' });
    for await (const key of index.keys({ gte: 'agent\x00', lt: 'agent\x00\uffff' })) await index.del(key);
    await meta.put('format', '1');
    await db.close();

    const old = await Ledger.fromLevel(db, { registry: registry() });
    const found = [];
    for await (const stored of old.byIndex('agent', key.id)) found.push(stored.event.type);
    expect(found).toEqual(['agent.registered']);
    await old.close();
    await db.open();
    const reopened = db.sublevel<string, string>('meta', { valueEncoding: 'utf8' });
    expect(await reopened.get('format')).toBe('3');
    await reopened.put('format', '9');
    await db.close();
    await rejectedAgoraError(Ledger.fromLevel(db, { registry: registry() }), ErrorCode.StoreUnavailable);
  });
});
