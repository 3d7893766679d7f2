import {
  AgoraError,
  ErrorCode,
  type ErrorDetails,
  isAgoraError,
  isJsonObject,
  readBoundedBody,
} from '../core/index.js';
import type { SignedObject } from '../identity/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import type { StakeCustodianApi, StakeOffer } from './custodian.js';

// A custodian over HTTP: `GET /v1/stake/custodian` -> {id}; `POST /v1/stake/offer` {offer} (the staker's signed
// `stake.offer`) -> StakeOffer; `POST /v1/stake/accept` {statement} -> {lock}; `POST /v1/stake/claim` {claim} (a
// payee's signed share claim) -> {paid}. Errors are {error: {code, message}} with an HTTP status.

const PREFIX = '/v1/stake';
const MAX_BODY = 64 * 1024;

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.NotFound]: 404,
  [ErrorCode.InvalidState]: 409,
  [ErrorCode.AlreadyExists]: 409,
  [ErrorCode.LimitReached]: 429,
  [ErrorCode.PaymentFailed]: 402,
  [ErrorCode.BackendUnreachable]: 502,
  [ErrorCode.BodyTooLarge]: 413,
};

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

async function readJson(request: Request): Promise<unknown> {
  // Bounded before reading: the size is checked while the body streams in, never after buffering all of it.
  const text = new TextDecoder().decode(await readBoundedBody(request, MAX_BODY));
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidJson, 'the request body is not JSON', { cause });
  }
}

/**
 * Serves a custodian to stakers over HTTP as a fetch-style handler (`Request` -> `Response`), for `node:http` through
 * `writeFetchResponse`, Hono, or any server that speaks fetch.
 */
export function stakeCustodianHandler(custodian: StakeCustodianApi): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = new URL(request.url).pathname;
    try {
      if (request.method === 'GET' && path === `${PREFIX}/custodian`) return json(200, { id: custodian.id });
      if (request.method === 'POST' && path === `${PREFIX}/offer`) {
        const body = await readJson(request);
        if (!isJsonObject(body) || !isJsonObject(body.offer))
          throw new AgoraError(ErrorCode.InvalidArgument, 'an offer request is {offer}');
        return json(200, await custodian.offer(body.offer as unknown as SignedObject));
      }
      if (request.method === 'POST' && path === `${PREFIX}/accept`) {
        const body = await readJson(request);
        if (!isJsonObject(body) || !isJsonObject(body.statement))
          throw new AgoraError(ErrorCode.InvalidArgument, 'an accept request is {statement}');
        return json(200, { lock: await custodian.accept(body.statement as unknown as SignedObject) });
      }
      if (request.method === 'POST' && path === `${PREFIX}/claim`) {
        const body = await readJson(request);
        if (!isJsonObject(body) || !isJsonObject(body.claim))
          throw new AgoraError(ErrorCode.InvalidArgument, 'a claim request is {claim}');
        return json(200, { paid: await custodian.payShare(body.claim as unknown as SignedObject) });
      }
      return json(404, { error: { code: ErrorCode.NotFound, message: `no ${request.method} ${path} here` } });
    } catch (error) {
      if (!isAgoraError(error)) throw error;
      return json(STATUS[error.code] ?? 400, { error: { code: error.code, message: error.message } });
    }
  };
}

/** A custodian reached over HTTP at `url` (its base, e.g. `http://127.0.0.1:8402`). */
export class StakeCustodianClient implements StakeCustodianApi {
  private constructor(
    private readonly url: string,
    readonly id: string,
    private readonly timeoutMs: number,
  ) {}

  /** Connects and learns the custodian's agent id. */
  static async connect(url: string, options: { timeoutMs?: number } = {}): Promise<StakeCustodianClient> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const { id } = (await call(url, 'GET', '/custodian', undefined, timeoutMs)) as { id?: unknown };
    if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id))
      throw new AgoraError(ErrorCode.BackendUnreachable, `${url} does not answer as a stake custodian`);
    return new StakeCustodianClient(url, id, timeoutMs);
  }

  async offer(offer: SignedObject): Promise<StakeOffer> {
    return (await call(this.url, 'POST', '/offer', { offer }, this.timeoutMs)) as StakeOffer;
  }

  async accept(statement: SignedObject): Promise<LedgerEvent> {
    const { lock } = (await call(this.url, 'POST', '/accept', { statement }, this.timeoutMs)) as {
      lock: LedgerEvent;
    };
    return lock;
  }

  async payShare(claim: SignedObject): Promise<LedgerEvent> {
    const { paid } = (await call(this.url, 'POST', '/claim', { claim }, this.timeoutMs)) as {
      paid: LedgerEvent;
    };
    return paid;
  }
}

async function call(
  url: string,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}${PREFIX}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw new AgoraError(ErrorCode.BackendUnreachable, `cannot reach the custodian at ${url}`, { cause });
  }
  let value: unknown;
  try {
    value = await response.json();
  } catch (cause) {
    throw new AgoraError(
      ErrorCode.BackendUnreachable,
      `the custodian at ${url} answered ${response.status} without JSON`,
      {
        cause,
      },
    );
  }
  if (response.ok) return value;
  const error = isJsonObject(value) && isJsonObject(value.error) ? value.error : {};
  const code = Object.values(ErrorCode).includes(error.code as never)
    ? (error.code as ErrorCode)
    : ErrorCode.BackendUnreachable;
  const details: ErrorDetails = { status: response.status };
  throw new AgoraError(
    code,
    `custodian: ${typeof error.message === 'string' ? error.message : response.statusText}`,
    {
      details,
    },
  );
}
