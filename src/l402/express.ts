import type { IncomingMessage, ServerResponse } from 'node:http';
import { attachReceipt, requestLike, writeFetchResponse } from './node-http.js';
import type { L402Provider, PaidRequest } from './provider.js';

/** The parts of Express's request and response the middleware uses (Express itself is not a dependency). */
/** The part of an Express request the middleware reads (a `node:http` request and Express's `originalUrl`). */
export type ExpressRequest = IncomingMessage & { originalUrl?: string };
/** The part of an Express response the middleware uses (a `node:http` response and Express's `locals`). */
export type ExpressResponse = ServerResponse & { locals: Record<string, unknown> };

/**
 * Express middleware selling the routes after it through `provider`: unpaid or refused requests get the 402/401/403
 * answer; paid ones continue with `res.locals.l402` (a {@link PaidRequest}) and leave with their receipt.
 */
export function l402Express(
  provider: L402Provider,
): (req: ExpressRequest, res: ExpressResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    const request = requestLike(req);
    const view =
      req.originalUrl === undefined
        ? request
        : { ...request, url: `http://${req.headers.host ?? 'localhost'}${req.originalUrl}` };
    provider.authorize(view).then(async (decision) => {
      if (decision.kind === 'refused') return writeFetchResponse(decision.response, res);
      attachReceipt(decision, res);
      res.locals.l402 = decision.paid satisfies PaidRequest;
      next();
    }, next);
  };
}
