// Issue 18, review r18m, low (a lockout the agent makes itself, not one an operator can force), fixed. Since b523cf0
// a `TokenCache` serves one credential history or none, fixed by its first call (`TokenCache.serve`), compared by
// object: a call given another `CredentialHistory` (a second one opened on the agent's own file, say: it reads and
// writes the same document, under its lock) or none is refused `INVALID_ARGUMENT` before it sends anything, for as
// long as the cache lives, with nothing that unbinds it. The refusal is right (the cache's tokens were recorded in the
// first history's object, and a call given none would record nothing), but its message said only what was wrong,
// not what the agent does next: give every fetch using the cache the very object it was first given (one history
// per agent, opened once), or use a `TokenCache` of its own for the other calls.
// Steps: a cache bound to history A (`serve`, as `l402Fetch`'s first call does); a fetch given B (another object
// over its own store), then one given none: both refused, nothing sent, and each message names the remedy. A cache
// bound to none, then a fetch given A: refused, its message names the remedy too (it did already).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { CredentialHistory, type L402FetchOptions, l402Fetch, TokenCache } from '../../src/l402/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { rejectedAgoraError } from '../helpers.js';

const setup = () => {
  const network = new SimNetwork();
  const lightning = network.createNode('payer');
  const sent: string[] = [];
  const tokens = new TokenCache();
  const options = (history?: CredentialHistory): L402FetchOptions => ({
    lightning,
    maxPriceMsat: 10_000,
    tokens,
    ...(history === undefined ? {} : { history }),
    fetch: async (input) => {
      sent.push(String(input));
      return new Response('free');
    },
  });
  return { sent, tokens, options };
};

describe('a token cache refusing a history tells the agent what to do', () => {
  it('a cache bound to one history object: another object, or none, is refused, naming the remedy', async () => {
    const { sent, tokens, options } = setup();
    const first = CredentialHistory.inMemory();
    const response = await l402Fetch('https://one.test/free', {}, options(first));
    expect(response.status).toBe(200);
    expect(sent).toHaveLength(1);
    for (const other of [CredentialHistory.inMemory(), undefined]) {
      const refused = await rejectedAgoraError(
        l402Fetch('https://one.test/free', {}, options(other)),
        ErrorCode.InvalidArgument,
      );
      expect(refused.message).toMatch(
        other === undefined ? /must be given that history/ : /same CredentialHistory object/,
      );
      expect(refused.message).toMatch(/TokenCache of its own/);
    }
    expect(sent).toHaveLength(1);
    // The first history's object itself still serves.
    expect(() => tokens.serve(first)).not.toThrow();
  });

  it('a cache bound to none: a fetch given a history is refused, naming the remedy', async () => {
    const { sent, options } = setup();
    await l402Fetch('https://one.test/free', {}, options());
    const refused = await rejectedAgoraError(
      l402Fetch('https://one.test/free', {}, options(CredentialHistory.inMemory())),
      ErrorCode.InvalidArgument,
    );
    expect(refused.message).toMatch(/TokenCache of its own/);
    expect(sent).toHaveLength(1);
  });
});
