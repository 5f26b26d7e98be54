import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describeError, type Telemetry } from '../app/telemetry';
import { corsHeaders, preflightHeaders } from './cors';
import { HttpError, httpErrors } from './http-error';
import { toHttpError } from './map-error';
import { clientIpOf, headerOf } from './request';

/** What a route's logic sees of a request. */
export interface RouteRequest {
  readonly event: APIGatewayProxyEvent;
  /** API Gateway's request id (also in every log line and error body). */
  readonly requestId: string;
  readonly clientIp: string;
  /** Epoch milliseconds at which the request arrived. */
  readonly receivedAt: number;
}

/** What a route's logic answers. The body is sent as JSON; a string is sent as it is. */
export interface RouteResult {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type ApiHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export interface RouteOptions {
  /** Route name for logs (e.g. `cart-quote`). */
  readonly name: string;
  /** Methods the route serves; `OPTIONS` is answered here for browser routes. */
  readonly methods: readonly string[];
  /** The CORS allowlist of a browser route; `null` for a server-to-server route such as the webhook. */
  readonly allowedOrigins: ReadonlySet<string> | null;
  readonly telemetry: Telemetry;
  readonly now?: () => number;
  /**
   * If the route's logic has not answered by then, answer 503 `processing_timeout` anyway (the
   * logic's own steps are idempotent; whatever it leaves undone, a retry completes).
   */
  readonly deadlineMs?: number;
  /** Called when the deadline answered instead of the logic (e.g. to count the failure). */
  readonly onDeadline?: () => void;
  handle(request: RouteRequest): Promise<RouteResult>;
}

const BASE_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

/**
 * The API Gateway edge every route shares: preflight and CORS, origin allowlist, error contract,
 * one access log line per request and the request's metrics. Route logic only parses and answers.
 */
export function createRoute(options: RouteOptions): ApiHandler {
  const { telemetry, allowedOrigins } = options;
  const now = options.now ?? Date.now;
  return async (event, context) => {
    const receivedAt = now();
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'local';
    const origin = headerOf(event, 'origin');
    const cors = allowedOrigins ? corsHeaders(origin, allowedOrigins) : {};
    telemetry.log.appendKeys({ requestId, route: options.name });
    let result: APIGatewayProxyResult;
    try {
      if (allowedOrigins && event.httpMethod === 'OPTIONS') {
        result = {
          statusCode: 204,
          headers: preflightHeaders(event, allowedOrigins, options.methods),
          body: '',
        };
      } else {
        if (!options.methods.includes(event.httpMethod)) throw httpErrors.methodNotAllowed(options.methods);
        if (allowedOrigins && origin !== undefined && !allowedOrigins.has(origin))
          throw httpErrors.originNotAllowed();
        const work = options.handle({ event, requestId, clientIp: clientIpOf(event), receivedAt });
        const answer = options.deadlineMs
          ? await withDeadline(work, options.deadlineMs, options.onDeadline)
          : await work;
        result = {
          statusCode: answer.statusCode,
          headers: { ...BASE_HEADERS, ...cors, ...answer.headers },
          body: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body),
        };
      }
    } catch (err: unknown) {
      const error = toHttpError(err);
      if (error.statusCode >= 500) {
        telemetry.log.error('request failed', { error: describeError(error.options.cause ?? error) });
      }
      result = {
        statusCode: error.statusCode,
        headers: { ...BASE_HEADERS, ...cors, ...error.options.headers },
        body: JSON.stringify(error.toBody(requestId)),
      };
    }
    telemetry.log.info('request', {
      method: event.httpMethod,
      status: result.statusCode,
      durationMs: now() - receivedAt,
    });
    telemetry.log.removeKeys(['requestId', 'route']);
    telemetry.metrics.flush();
    return result;
  };
}

/**
 * Builds a Lambda handler whose dependencies load once per cold start (secrets, clients). A failed
 * load is not cached, so the next invocation tries again instead of failing until a redeploy.
 */
export function lazyHandler(build: () => Promise<ApiHandler>): ApiHandler {
  const ready = once(build);
  return async (event, context) => (await ready())(event, context);
}

/** Builds on first use and keeps the result; a failed build is not kept, so the next use retries. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () => {
    ready ??= build().catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return ready;
  };
}

async function withDeadline<T>(work: Promise<T>, ms: number, onDeadline?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onDeadline?.();
      reject(new HttpError(503, 'processing_timeout', 'Processing took too long; retry later.'));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // A late failure of abandoned work must not become an unhandled rejection.
    work.catch(() => undefined);
  }
}
