import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isAgoraError, toHex } from '../../src/core/index.js';
import {
  acceptedSnapshots,
  checkReputationSnapshot,
  createReputationSnapshot,
  createSnapshotSources,
  credentialHolder,
  credentialSnapshot,
  REPUTATION_SNAPSHOT,
} from '../../src/governance/index.js';
import { generateAgentKey, objectId, zkIdentity } from '../../src/identity/index.js';
import {
  CredentialBatcher,
  type CredentialHolder,
  decodeMacaroon,
  formatCredentialHeader,
  parseChallenge,
  parseCredentialCaveat,
  proveCredential,
} from '../../src/l402/index.js';
import { createAgentRegistration, EventSet, type LedgerEvent, signEvent } from '../../src/ledger/index.js';
import { decodeInvoice } from '../../src/lightning/index.js';
import { credentialMarket, zk } from '../l402/credential-fixture.js';
import { at, snapshotLedger } from './reputation-snapshot-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

const idOf = (event: LedgerEvent) => toHex(objectId(event as never));

describe('one pseudonym per provider, service and epoch', () => {
  // An agent whose registrations name two commitments holds no credential leaf (docs/anonymous-credentials.md).
  it('survives a ban when the payer registers a new ZK commitment and publishes a snapshot', async () => {
    const { prover } = await zk();
    const ledger = await snapshotLedger();
    try {
      const market = await credentialMarket();
      const payer = market.agents.high;
      const others = [generateAgentKey(), generateAgentKey()];
      const registrations = [
        await createAgentRegistration(payer.key, { clock: at(100) }),
        await createAgentRegistration(others[0] as never, { clock: at(110) }),
        await createAgentRegistration(others[1] as never, { clock: at(120) }),
      ];
      await ledger.appendBatch(registrations);
      const first = await createReputationSnapshot(ledger, payer.key, { asOf: 500, clock: at(600) });
      await ledger.appendBatch([...first.sources, first.event]);

      // The ban-evasion step: a new registration with the commitment of a fresh secret, then a new snapshot.
      const fresh = await zkIdentity(generateAgentKey());
      await ledger.append(
        signEvent(
          payer.key,
          'agent.registered',
          { zkCommitment: fresh.commitment.toString(), nodeKeys: [] },
          {
            clock: at(700),
          },
        ),
      );
      const second = await createReputationSnapshot(ledger, payer.key, { asOf: 800, clock: at(900) });
      await ledger.appendBatch([...second.sources, second.event]);
      const accepted = await acceptedSnapshots(ledger);
      expect(accepted.map((s) => s.id)).toEqual([idOf(second.event), idOf(first.event)]);
      const roots = accepted.map((s) => s.snapshot.root);

      const banned = new Set<string>();
      const gated = market.provider('gated', {
        credential: {
          minScore: 1_000_000,
          roots: () => roots,
          verifier: new CredentialBatcher((await zk()).verifier),
          banned: (p) => banned.has(p),
        },
      });

      // Three agents: the anonymity set is waived here (it has its own test).
      const old = await credentialHolder(
        prover,
        payer.key.id,
        (await zkIdentity(payer.key)).secret,
        [(accepted[1] as (typeof accepted)[number]).snapshot],
        { history: payer.holder.history, minAnonymity: 1 },
      );
      const rotated = await credentialHolder(
        prover,
        payer.key.id,
        fresh.secret,
        [(accepted[0] as (typeof accepted)[number]).snapshot],
        { history: payer.holder.history, minAnonymity: 1 },
      );

      const use = async (holder: CredentialHolder): Promise<Response | 'refused'> => {
        const challenge = await gated.handle(new Request('http://provider.test/forecast'));
        expect(challenge.status).toBe(402);
        const { tokens, invoice } = parseChallenge(challenge.headers.get('www-authenticate') as string);
        const macaroon = decodeMacaroon(tokens[0] as string);
        const caveat = macaroon.caveats.find((c) => c.startsWith('agora_anon_reputation=')) as string;
        const requirement = parseCredentialCaveat(caveat.slice(caveat.indexOf('=') + 1));
        let proved: Awaited<ReturnType<typeof proveCredential>>;
        try {
          proved = await proveCredential(
            holder,
            requirement,
            { provider: decodeInvoice(invoice).payee, service: 'weather' },
            macaroon.identifier,
          );
        } catch (error) {
          // No leaf to prove with: refused before paying.
          if (isAgoraError(error, ErrorCode.InvalidProof)) return 'refused';
          throw error;
        }
        const credential = formatCredentialHeader(proved);
        const { preimage } = await payer.node.payInvoice(invoice);
        return gated.handle(
          new Request('http://provider.test/forecast', {
            headers: { authorization: `L402 ${tokens[0]}:${preimage}`, 'agora-credential': credential },
          }),
        );
      };

      const before = await use(old);
      if (before === 'refused') throw new Error('the payer holds a leaf in the first snapshot');
      expect(before.status).toBe(200);
      const pseudonym = ((await before.json()) as { pseudonym: string }).pseudonym;
      banned.add(pseudonym);

      // Same payer, same provider, service and epoch, after its ban: it must not be served under a new pseudonym.
      const after = await use(rotated);
      const seen =
        after !== 'refused' && after.status === 200
          ? ((await after.json()) as { pseudonym: string }).pseudonym
          : undefined;
      expect(seen === undefined ? 'refused' : seen === pseudonym ? 'same' : 'new pseudonym').not.toBe(
        'new pseudonym',
      );
      expect(after === 'refused' ? 'refused' : after.status).not.toBe(200);
      // The rotated agent holds no leaf in the new snapshot, whatever its score.
      expect(accepted[0]?.snapshot.members.some((m) => m.agent === payer.key.id)).toBe(false);

      // Nor can a snapshot bring the new commitment back by leaving the old registration out: the first snapshot
      // listed it, so a later one that omits it is refused.
      const fresher = signEvent(
        payer.key,
        'agent.registered',
        { zkCommitment: fresh.commitment.toString(), nodeKeys: [] },
        { clock: at(950) },
      );
      await ledger.append(fresher);
      const kept = [...registrations.slice(1), fresher].map(idOf).sort();
      const keptEvents = await Promise.all(kept.map((id) => ledger.get(id)));
      const partial = await credentialSnapshot(new EventSet(keptEvents as never, ledger.registry), 1000);
      expect(partial.members.some((m) => m.commitment === fresh.commitment)).toBe(true);
      const sources = createSnapshotSources(payer.key, kept, { clock: at(1000) });
      const omitting = signEvent(
        payer.key,
        REPUTATION_SNAPSHOT,
        {
          asOf: 1000,
          root: partial.root.toString(),
          members: partial.members.length,
          events: kept.length,
          sources: sources.map(idOf),
        },
        { clock: at(1000) },
      );
      await ledger.appendBatch([...sources, omitting]);
      expect((await checkReputationSnapshot(ledger, idOf(omitting))).status).toBe('valid');
      expect((await acceptedSnapshots(ledger)).map((s) => s.id)).not.toContain(idOf(omitting));
    } finally {
      await ledger.close();
    }
  }, 180_000);
});
