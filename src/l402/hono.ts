import type { L402Provider, PaidRequest } from './provider.js';

/** The parts of Hono's context the middleware uses (Hono itself is not a dependency). */
export interface HonoContext {
  req: { raw: Request };
  res: Response;
  set(key: 'l402', value: PaidRequest): void;
}

/**
 * Hono middleware selling the routes after it through `provider`: unpaid or refused requests get the 402/401/403
 * answer; paid ones continue with `c.get('l402')` (a {@link PaidRequest}) and leave with their receipt.
 */
export function l402Hono(
  provider: L402Provider,
): (c: HonoContext, next: () => Promise<void>) => Promise<Response | undefined> {
  return async (c, next) => {
    const decision = await provider.authorize(c.req.raw);
    if (decision.kind === 'refused') return decision.response;
    c.set('l402', decision.paid);
    await next();
    const receipt = decision.receiptFor(c.res.status);
    if (receipt !== undefined) {
      const headers = new Headers(c.res.headers);
      headers.set('agora-receipt', receipt);
      c.res = new Response(c.res.body, { status: c.res.status, statusText: c.res.statusText, headers });
    }
    return undefined;
  };
}
