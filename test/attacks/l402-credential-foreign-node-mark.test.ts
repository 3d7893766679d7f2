// Issue 18 fifth review: a provider selling to identified payers names its node in its 401 with an invoice
// (`Agora-Node-Invoice`), and the client records the invoice's payee as given the agent id, for good. Nothing ties
// that invoice to the server answering: any origin can show another node's invoice (every gating provider hands one
// out in each challenge, an identified-only one in each 401). The payer then sends its id to that origin, and the
// history marks the other node `named`: from then on the payer is refused (`WOULD_LINK`) every anonymous purchase at
// that node, before proving, in every later epoch. A zero-cost, permanent denial of anonymous gating at any node,
// chosen by a third party (the privacy side of the same trust, the id given under an unseen origin, is listed in
// docs/security.md as known).
// Fixed: a node named by an invoice nobody paid is checked (a node shown a pseudonym gets no id) but not marked; only
// the origin is. A node is marked `named` only once the payer pays its invoice with Agora-Payer. A credential
// challenge still marks its payee `anonymous` before proving: the proof is bound to that node key, and an origin
// showing another node's credential challenge costs that node the payer's identified purchases (Agora-Payer is not
// sent there), not its anonymous ones.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { l402Fetch, parseChallenge } from '../../src/l402/index.js';
import { driftingOperator } from '../l402/credential-fixture.js';

describe("a third party's node invoice does not take a node's anonymous gating from the payer", () => {
  it('still proves at a gating node after another origin showed that node invoice in its 401', async () => {
    const { clock, payerNode, older, holder, proved, gating } = await driftingOperator();
    const victim = gating('weather', older.root);
    const victimFetch = async (input: string | URL | Request, init?: RequestInit) =>
      victim.handle(new Request(input, init), async () => new Response('ok'));
    // The attacker reads an invoice of the victim's node from the victim's own challenge (free: nothing is paid).
    const challenge = await victimFetch('http://weather.test/forecast');
    const { invoice } = parseChallenge(challenge.headers.get('www-authenticate') as string);
    // The agent's identified purchases share its history with its anonymous ones, as docs/anonymous-credentials.md asks.
    const sent: (string | null)[] = [];
    await l402Fetch(
      'http://evil.test/anything',
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        identity: generateAgentKey(),
        history: holder.history,
        clock,
        fetch: async (input, init) => {
          sent.push(new Request(input, init).headers.get('agora-payer'));
          return new Response('identified payers only', {
            status: 401,
            headers: { 'agora-node-invoice': invoice },
          });
        },
      },
    );
    // The id went to evil.test (its own origin, never shown a pseudonym): the known privacy side, not measured here.
    expect(sent.length).toBe(2);
    const later = await l402Fetch(
      'http://weather.test/forecast',
      {},
      { lightning: payerNode, maxPriceMsat: 10_000, credential: holder, clock, fetch: victimFetch },
    ).catch((error: unknown) => error);
    // The attack's measure: the payer refuses the victim node before proving, as if it had given it its agent id.
    expect(later).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
  });
});
