import type {
  Agent,
  AgentOptions,
  ClientRequest,
  IncomingHttpHeaders,
  IncomingMessage,
  RequestOptions,
} from 'node:http';
import { type AwsCredentials, signRequest } from './signature-v4';

/**
 * A small client of AWS's JSON protocols, for the functions' first request: it loads in a few
 * milliseconds where the official SDK takes tens (docs/decisions.md #181). Two protocols: AWS JSON
 * (DynamoDB, Secrets Manager: a signed `POST /` naming the operation in `X-Amz-Target`) and
 * REST-JSON (SES v2: a method and path with a JSON body). It keeps what the SDK's standard mode
 * does for reliability: per-attempt timeouts, retries of throttling and transient failures with
 * capped, jittered exponential backoff, a retry quota, and clock-skew correction.
 */

export interface AwsJsonClientOptions {
  /** The signing name, e.g. `dynamodb`, `ses`. */
  readonly service: string;
  /** The endpoint's first label when it differs from the signing name (SES v2: `email`). */
  readonly endpointPrefix?: string;
  /** The AWS JSON protocol's `X-Amz-Target` prefix (e.g. `DynamoDB_20120810`) and version. */
  readonly json?: { readonly targetPrefix: string; readonly version: '1.0' | '1.1' };
  /** A compatible endpoint (DynamoDB Local); AWS's regional endpoint when unset. */
  readonly endpoint?: string | undefined;
  /** Defaults to `AWS_REGION`. */
  readonly region?: string | undefined;
  /** Defaults to the environment's (`AWS_ACCESS_KEY_ID`, …: what Lambda gives a function). */
  readonly credentials?: AwsCredentials | (() => Promise<AwsCredentials>) | undefined;
  /** Establishing a connection may take this long. */
  readonly connectTimeoutMs?: number;
  /** One attempt, connection to the last byte of the answer, may take this long. */
  readonly requestTimeoutMs?: number;
  /** Attempts per call, the first included. */
  readonly maxAttempts?: number;
  /** The backoff's base for transient failures (throttling uses {@link THROTTLING_BASE_DELAY_MS}). */
  readonly retryBaseDelayMs?: number;
  /** Told of each retry before its wait (logs, tests). */
  readonly onRetry?: ((retry: RetryNotice) => void) | undefined;
}

export interface RetryNotice {
  readonly operation: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly failure: 'throttling' | 'transient';
  /** The wait before the next attempt. */
  readonly delayMs: number;
  /** The cap the wait was drawn under: `min(base × 2^(attempt − 1), 20 s)`. */
  readonly capMs: number;
  readonly error: unknown;
}

export interface AwsJsonClient {
  /** AWS JSON: calls `operation` with `input` (already in the service's JSON form); its JSON answer. */
  call(operation: string, input: object): Promise<Record<string, unknown>>;
  /** REST-JSON: sends `input` as the JSON body of `method path`; the JSON answer. */
  rest(method: string, path: string, input: object): Promise<Record<string, unknown>>;
  /** Closes idle kept-alive connections (tests, scripts; a Lambda never needs it). */
  close(): void;
}

/** An error answer of the service, e.g. `ConditionalCheckFailedException`. */
export class AwsServiceError extends Error {
  constructor(
    /** The error's code, without its namespace (`ConditionalCheckFailedException`). */
    readonly code: string,
    readonly statusCode: number,
    message: string,
    /** The parsed error answer, for fields such as DynamoDB's `CancellationReasons`. */
    readonly body: Readonly<Record<string, unknown>>,
  ) {
    super(message || code);
    this.name = code;
  }
}

/** An attempt that did not connect or answer in time; retried like the SDK's `TimeoutError`. */
export class AwsTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

// The SDK's standard retry mode (@smithy/core retry, "retries 2026" configuration): error classes,
// backoff `random × min(base × 2^retry, 20 s)` with a 1 s base for throttling, and a retry quota of
// 500 tokens per client that a retry spends (14, or 5 after throttling) and a success refunds.
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const CLOCK_SKEW_CODES = new Set([
  'AccessDeniedException',
  'AuthFailure',
  'InvalidSignatureException',
  'RequestExpired',
  'RequestInTheFuture',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
]);
export const THROTTLING_BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 20_000;
const QUOTA = 500;
const TRANSIENT_RETRY_COST = 14;
const THROTTLING_RETRY_COST = 5;
const SUCCESS_REFUND = 1;
/** A server clock this far from ours means ours is off: later requests are signed at the server's time. */
const SKEW_MS = 5 * 60_000;

type Failure = 'throttling' | 'transient' | 'final';

/** What the client needs of `node:http` or `node:https`. */
interface HttpModule {
  request(options: RequestOptions, callback: (res: IncomingMessage) => void): ClientRequest;
  readonly Agent: new (options: AgentOptions) => Agent;
}

export function createAwsJsonClient(options: AwsJsonClientOptions): AwsJsonClient {
  const region = options.region ?? process.env.AWS_REGION;
  if (!region) throw new Error(`no region for ${options.service}: set AWS_REGION`);
  const prefix = options.endpointPrefix ?? options.service;
  const url = new URL(options.endpoint ?? `https://${prefix}.${region}.${dnsSuffix(region)}`);
  const secure = url.protocol === 'https:';
  const target = {
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : undefined,
    host: url.host,
    /** The endpoint's own path (a prefix for REST paths). */
    path: url.pathname === '/' ? '' : url.pathname,
  };
  const connectTimeoutMs = options.connectTimeoutMs ?? 1_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 2_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const baseDelayMs = options.retryBaseDelayMs ?? 50;
  const credentialsOf = credentialSource(options.credentials);
  let http: HttpModule | undefined;
  let agent: Agent | undefined;
  let clockOffsetMs = 0;
  let quota = QUOTA;

  function transmit(
    method: string,
    path: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<RawAnswer> {
    // Taken on the first call, and never as an ES module: that would make Node build its namespace,
    // reading `http.WebSocket`, whose getter loads the whole `fetch` implementation (15–30 ms).
    http ??= secure ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
    agent ??= new http.Agent({ keepAlive: true, maxSockets: 50 });
    const request: RequestOptions = {
      method,
      hostname: target.hostname,
      port: target.port,
      path,
      headers,
      agent,
    };
    return exchange(http, request, body, { connectTimeoutMs, requestTimeoutMs });
  }

  async function attempt(request: Outgoing): Promise<RawAnswer> {
    const path = `${target.path}${request.path}`;
    const headers = signRequest(
      {
        method: request.method,
        host: target.host,
        path,
        headers: {
          ...request.headers,
          'content-length': String(Buffer.byteLength(request.body)),
        },
        body: request.body,
        service: options.service,
        region: region as string,
        date: new Date(Date.now() + clockOffsetMs),
      },
      await credentialsOf(),
    );
    return transmit(request.method, path, request.body, headers);
  }

  /** Sends a request, retrying as the SDK's standard mode does; its JSON answer. */
  async function send(request: Outgoing): Promise<Record<string, unknown>> {
    let retries = 0;
    let lastRetryCost = 0;
    for (;;) {
      let error: unknown;
      let failure: Failure;
      try {
        const answer = await attempt(request);
        const skewCorrected = correctClock(answer.headers.date);
        if (answer.statusCode < 300) {
          quota = Math.min(QUOTA, quota + (lastRetryCost || SUCCESS_REFUND));
          return answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : {};
        }
        const serviceError = toServiceError(answer);
        error = serviceError;
        failure = classifyAnswer(serviceError, skewCorrected);
      } catch (err: unknown) {
        error = err;
        failure = classifyThrown(err);
      }
      if (failure === 'final' || retries + 1 >= maxAttempts) throw error;
      const cost = failure === 'throttling' ? THROTTLING_RETRY_COST : TRANSIENT_RETRY_COST;
      if (quota < cost) throw error;
      quota -= cost;
      lastRetryCost = cost;
      const base = failure === 'throttling' ? THROTTLING_BASE_DELAY_MS : baseDelayMs;
      const capMs = Math.min(base * 2 ** retries, MAX_DELAY_MS);
      const delayMs = Math.floor(Math.random() * capMs);
      options.onRetry?.({
        operation: request.operation,
        attempt: retries + 1,
        failure,
        delayMs,
        capMs,
        error,
      });
      await sleep(delayMs);
      retries += 1;
    }
  }

  return {
    call(operation, input) {
      const { json } = options;
      if (!json) throw new Error(`${options.service} is not configured for the AWS JSON protocol`);
      return send({
        operation,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': `application/x-amz-json-${json.version}`,
          'x-amz-target': `${json.targetPrefix}.${operation}`,
        },
        body: JSON.stringify(input),
      });
    },
    rest(method, path, input) {
      return send({
        operation: `${method} ${path}`,
        method,
        path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
    },
    close() {
      agent?.destroy();
      agent = undefined;
    },
  };

  /** Follows the server's clock when ours is off by minutes; whether it just did. */
  function correctClock(date: string | undefined): boolean {
    const serverTime = date ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(serverTime) || Math.abs(serverTime - (Date.now() + clockOffsetMs)) < SKEW_MS) {
      return false;
    }
    clockOffsetMs = serverTime - Date.now();
    return true;
  }
}

interface Outgoing {
  /** For retry notices: the operation, or `METHOD path`. */
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

interface RawAnswer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP exchange within the connection and attempt timeouts. */
function exchange(
  http: HttpModule,
  options: RequestOptions,
  body: string,
  timeouts: { readonly connectTimeoutMs: number; readonly requestTimeoutMs: number },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let connectTimer: NodeJS.Timeout | undefined;
    const fail = (err: Error) => {
      clearTimeout(attemptTimer);
      clearTimeout(connectTimer);
      reject(err);
    };
    const req: ClientRequest = http.request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(attemptTimer);
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const attemptTimer = setTimeout(
      () => req.destroy(new AwsTimeoutError(`no answer within ${timeouts.requestTimeoutMs} ms`)),
      timeouts.requestTimeoutMs,
    );
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () => req.destroy(new AwsTimeoutError(`no connection within ${timeouts.connectTimeoutMs} ms`)),
        timeouts.connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', fail);
    req.end(body);
  });
}

function toServiceError(answer: RawAnswer): AwsServiceError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = answer.body ? JSON.parse(answer.body) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): the status code tells what happened.
  }
  const header = answer.headers['x-amzn-errortype'];
  const rawCode = typeof body.__type === 'string' ? body.__type : typeof header === 'string' ? header : '';
  const code = rawCode.split(',')[0]?.split(':')[0]?.split('#').pop() || `HTTP${answer.statusCode}`;
  const message =
    typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : '';
  return new AwsServiceError(code, answer.statusCode, message, body);
}

function classifyAnswer(error: AwsServiceError, skewCorrected: boolean): Failure {
  if (error.statusCode === 429 || THROTTLING_CODES.has(error.code)) return 'throttling';
  if (TRANSIENT_CODES.has(error.code) || TRANSIENT_STATUS.has(error.statusCode)) return 'transient';
  if (skewCorrected && CLOCK_SKEW_CODES.has(error.code)) return 'transient';
  return 'final';
}

function classifyThrown(err: unknown): Failure {
  if (err instanceof AwsTimeoutError) return 'transient';
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code) ? 'transient' : 'final';
}

function credentialSource(
  given: AwsJsonClientOptions['credentials'],
): () => AwsCredentials | Promise<AwsCredentials> {
  if (typeof given === 'function') return given;
  if (given) return () => given;
  return () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are unset');
    }
    return { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN };
  };
}

function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
