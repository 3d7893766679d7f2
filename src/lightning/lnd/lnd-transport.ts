import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { AgoraError, ErrorCode, isJsonObject, type JsonValue } from '../../core/index.js';

/** How to reach an LND node's REST gateway. */
export interface LndConnection {
  /** Base URL, e.g. `https://127.0.0.1:8080`. */
  url: string;
  /** The macaroon's bytes, or their hex (admin.macaroon, or one baked with the needed permissions). */
  macaroon: Uint8Array | string;
  /**
   * LND's tls.cert (PEM). The connection is pinned to it: the server must present exactly this certificate,
   * whatever host name is used.
   */
  tlsCertificate: string;
  /** Per-request timeout (default 30 s; streams get it until their headers arrive). */
  timeoutMs?: number;
  /** Extra attempts for requests that are safe to repeat when the connection fails (default 2). */
  retries?: number;
}

/** The body of a gRPC-gateway error (`rpcStatus`). */
export interface LndStatus {
  code: number;
  message: string;
}

/** An error LND answered with: the HTTP status and its rpcStatus body. */
export class LndHttpError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: LndStatus,
  ) {
    super(status.message);
  }
}

/** OpenSSL verification failures: the server is not the one pinned. */
const TLS_TRUST_FAILURES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/;
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

function unreachable(url: string, cause: unknown): AgoraError {
  const reason = (cause as Error).message || String(cause);
  return new AgoraError(ErrorCode.BackendUnreachable, `LND at ${url} is unreachable: ${reason}`, { cause });
}

function parseStatus(text: string, httpStatus: number): LndStatus {
  try {
    const body = JSON.parse(text) as unknown;
    if (isJsonObject(body)) {
      const inner = isJsonObject(body.error) ? body.error : body;
      if (typeof inner.message === 'string') return { code: Number(inner.code ?? 2), message: inner.message };
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return { code: 2, message: text.trim() || `HTTP ${httpStatus}` };
}

/** HTTPS to LND's REST gateway: macaroon header, certificate pinning, timeouts, retries, streamed JSON lines. */
export class LndTransport {
  private readonly base: URL;
  private readonly macaroonHex: string;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly retries: number;

  constructor(connection: LndConnection) {
    this.base = new URL(connection.url);
    this.macaroonHex =
      typeof connection.macaroon === 'string'
        ? connection.macaroon
        : Buffer.from(connection.macaroon).toString('hex');
    let pinned: string;
    try {
      pinned = new X509Certificate(connection.tlsCertificate).fingerprint256;
    } catch (cause) {
      throw new AgoraError(ErrorCode.InvalidArgument, 'tlsCertificate is not a PEM certificate', { cause });
    }
    // The pinned certificate is the only trust anchor, and the handshake fails unless the server presents exactly
    // it: checked before any byte of the request (and so the macaroon) is sent. Host names do not matter: LND's
    // certificate is self-signed and often reached through an address it does not name.
    this.agent = new Agent({
      keepAlive: true,
      ca: connection.tlsCertificate,
      rejectUnauthorized: true,
      checkServerIdentity: (_host, certificate) =>
        certificate.fingerprint256 === pinned
          ? undefined
          : new Error('the server presented another certificate than the pinned one'),
    });
    this.timeoutMs = connection.timeoutMs ?? 30_000;
    this.retries = connection.retries ?? 2;
  }

  private open(method: string, path: string, body: JsonValue | undefined): Promise<IncomingMessage> {
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method,
        agent: this.agent,
        headers: {
          'Grpc-Metadata-macaroon': this.macaroonHex,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        timeout: this.timeoutMs,
      });
      req.once('timeout', () =>
        req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      req.once('error', reject);
      req.once('response', (response) => {
        req.setTimeout(0);
        resolve(response);
      });
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async openWithRetries(
    method: string,
    path: string,
    body: JsonValue | undefined,
    retry: boolean,
  ): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.open(method, path, body);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (TLS_TRUST_FAILURES.test(code) || /pinned/.test((error as Error).message)) {
          throw new AgoraError(
            ErrorCode.Unauthorized,
            `LND at ${this.base.host} is not the pinned server: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
        }
        // A refused connection sent nothing, so even a payment may be retried; other failures only for safe calls.
        const safe = retry || code === 'ECONNREFUSED';
        if (!safe || !RETRYABLE.has(code) || attempt >= this.retries)
          throw unreachable(this.base.host, error);
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  private static async readAll(response: IncomingMessage): Promise<string> {
    let text = '';
    response.setEncoding('utf8');
    for await (const chunk of response) text += chunk;
    return text;
  }

  /** One request, one JSON answer. GETs (and calls marked idempotent) are retried on connection failures. */
  async call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: JsonValue,
    options: { idempotent?: boolean } = {},
  ): Promise<JsonValue> {
    const response = await this.openWithRetries(
      method,
      path,
      body,
      method === 'GET' || options.idempotent === true,
    );
    const text = await LndTransport.readAll(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw new LndHttpError(status, parseStatus(text, status));
    try {
      return JSON.parse(text) as JsonValue;
    } catch (cause) {
      throw new AgoraError(
        ErrorCode.BackendUnreachable,
        `LND sent a body that is not JSON: ${text.slice(0, 80)}`,
        { cause },
      );
    }
  }

  /**
   * A server-streaming call: gRPC-gateway sends one JSON object per line, `{"result": ...}` or `{"error": ...}`.
   * Yields each result; an error line becomes an {@link LndHttpError}.
   */
  async *stream(
    method: 'GET' | 'POST',
    path: string,
    body?: JsonValue,
    signal?: AbortSignal,
  ): AsyncGenerator<JsonValue> {
    const response = await this.openWithRetries(method, path, body, method === 'GET');
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw new LndHttpError(status, parseStatus(await LndTransport.readAll(response), status));
    }
    const onAbort = () => response.destroy();
    signal?.addEventListener('abort', onAbort);
    let buffered = '';
    response.setEncoding('utf8');
    try {
      for await (const chunk of response) {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
          if (line === '') continue;
          let message: JsonValue;
          try {
            message = JSON.parse(line) as JsonValue;
          } catch (cause) {
            throw new AgoraError(
              ErrorCode.BackendUnreachable,
              `LND streamed a line that is not JSON: ${line.slice(0, 80)}`,
              { cause },
            );
          }
          if (isJsonObject(message) && message.error !== undefined)
            throw new LndHttpError(500, parseStatus(line, 500));
          yield isJsonObject(message) && message.result !== undefined ? message.result : message;
        }
      }
    } catch (error) {
      if (signal?.aborted) return;
      if (error instanceof AgoraError || error instanceof LndHttpError) throw error;
      throw unreachable(this.base.host, error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      response.destroy();
    }
  }
}
