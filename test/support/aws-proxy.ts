import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';

/** What the proxy does to one request instead of (or on top of) passing it on. */
export type Fault =
  /** Answers this status and AWS error code without passing the request on. */
  | { readonly kind: 'error'; readonly status: number; readonly code: string }
  /** Closes the connection without an answer, the request never passed on. */
  | { readonly kind: 'reset' }
  /** Holds the request and never answers (the client's timeout must end it). */
  | { readonly kind: 'hang' }
  /** Passes the request on, then closes the connection: the work is done, the answer lost. */
  | { readonly kind: 'lose-answer' }
  /** Refuses the request as signed at the wrong time, its `Date` header `offsetMs` from ours. */
  | { readonly kind: 'skewed-clock'; readonly offsetMs: number };

export interface ProxiedRequest {
  /** `X-Amz-Target`'s operation, e.g. `PutItem`; for a REST request, `METHOD path`. */
  readonly operation: string;
  /** Milliseconds since the proxy started. */
  readonly at: number;
  /** Whether the request's SigV4 signature is what AWS's own signer computes for it. */
  readonly signatureValid: boolean;
  /** The request's signing time (`X-Amz-Date`). */
  readonly signedAt: Date;
  readonly fault: Fault['kind'] | null;
}

export interface AwsProxy {
  readonly endpoint: string;
  /** Every request received, in order. */
  readonly requests: ProxiedRequest[];
  /** Applies `fault` to the next `times` requests (of `operation`, if given). */
  inject(fault: Fault, options?: { readonly times?: number; readonly operation?: string }): void;
  /**
   * From now on, a share `rate` of requests (beyond queued faults) meets a fault drawn from what a
   * busy DynamoDB and network do: throttling, 500, 503, a reset connection, a lost answer.
   */
  chaos(rate: number, random: () => number): void;
  /** Faults still waiting for a request. */
  pending(): number;
  clearFaults(): void;
  close(): Promise<void>;
}

const CHAOS_FAULTS: readonly Fault[] = [
  { kind: 'error', status: 400, code: 'ProvisionedThroughputExceededException' },
  { kind: 'error', status: 400, code: 'ThrottlingException' },
  { kind: 'error', status: 500, code: 'InternalServerError' },
  { kind: 'error', status: 503, code: 'ServiceUnavailable' },
  { kind: 'reset' },
  { kind: 'lose-answer' },
];

/** The signer's hash, on Node's crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** `20260101T120000Z` as a date. */
function parseAmzDate(amzDate: string): Date {
  return new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A proxy in front of an AWS JSON endpoint (the run's DynamoDB Local, or `answer` for a service
 * with no local engine) that checks each request's signature with the official SDK's signer
 * (`@smithy/signature-v4`: DynamoDB Local accepts any signature) and injects network and service
 * faults on request: AWS's behaviour under trouble, for the client's retries and timeouts.
 */
export async function startAwsProxy(options: {
  /** Where requests go when no fault stops them. */
  readonly target?: string;
  /** Answers requests itself instead (a service with no local engine). */
  readonly answer?: (operation: string, body: Record<string, unknown>) => Record<string, unknown>;
  readonly secretAccessKey: string;
  readonly service: string;
}): Promise<AwsProxy> {
  const started = performance.now();
  const requests: ProxiedRequest[] = [];
  const queue: { fault: Fault; times: number; operation: string | undefined }[] = [];
  const sockets = new Set<Socket>();

  async function verify(req: IncomingMessage, body: string): Promise<boolean> {
    const authorization = String(req.headers.authorization ?? '');
    const match =
      /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=(\w+)/.exec(
        authorization,
      );
    if (!match) return false;
    const [, accessKeyId, , region, service, signedHeaders] = match;
    if (service !== options.service) return false;
    const headers: Record<string, string> = {};
    for (const name of String(signedHeaders).split(';')) headers[name] = String(req.headers[name] ?? '');
    const signingDate = parseAmzDate(headers['x-amz-date'] ?? '');
    const signer = new SignatureV4({
      service: String(service),
      region: String(region),
      credentials: {
        accessKeyId: String(accessKeyId),
        secretAccessKey: options.secretAccessKey,
        ...(headers['x-amz-security-token'] ? { sessionToken: headers['x-amz-security-token'] } : {}),
      },
      sha256: Sha256,
      applyChecksum: false,
    });
    const { 'x-amz-date': _date, 'x-amz-security-token': _token, ...toSign } = headers;
    const signed = await signer.sign(
      {
        method: req.method ?? 'POST',
        protocol: 'http:',
        hostname: String(req.headers.host).split(':')[0] ?? '',
        path: req.url ?? '/',
        query: {},
        headers: toSign,
        body,
      },
      { signingDate },
    );
    return signed.headers.authorization === authorization;
  }

  let chaos: { rate: number; random: () => number } | null = null;

  function takeFault(operation: string): Fault | null {
    const index = queue.findIndex((f) => f.operation === undefined || f.operation === operation);
    const entry = queue[index];
    if (!entry) {
      if (!chaos || chaos.random() >= chaos.rate) return null;
      return CHAOS_FAULTS[Math.floor(chaos.random() * CHAOS_FAULTS.length)] ?? null;
    }
    entry.times -= 1;
    if (entry.times === 0) queue.splice(index, 1);
    return entry.fault;
  }

  function forward(req: IncomingMessage, body: string, res: ServerResponse, loseAnswer: boolean): void {
    const target = new URL(String(options.target));
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          if (loseAnswer) {
            res.socket?.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    upstream.end(body);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = req.headers['x-amz-target'];
      const operation = target ? (String(target).split('.').pop() ?? '') : `${req.method} ${req.url}`;
      const signatureValid = await verify(req, body);
      const signedAt = parseAmzDate(String(req.headers['x-amz-date'] ?? ''));
      const fault = signatureValid ? takeFault(operation) : null;
      requests.push({
        operation,
        at: performance.now() - started,
        signatureValid,
        signedAt,
        fault: fault?.kind ?? null,
      });
      const json = (
        status: number,
        payload: Record<string, unknown>,
        headers: Record<string, string> = {},
      ) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (!signatureValid) {
        json(403, {
          __type: 'com.amazon.coral.service#InvalidSignatureException',
          message: 'signature mismatch',
        });
        return;
      }
      switch (fault?.kind) {
        case 'error':
          json(fault.status, {
            __type: `com.amazonaws.dynamodb.v20120810#${fault.code}`,
            message: 'injected',
          });
          return;
        case 'reset':
          req.socket.destroy();
          return;
        case 'hang':
          return;
        case 'skewed-clock':
          json(
            400,
            { __type: 'com.amazon.coral.service#InvalidSignatureException', message: 'Signature expired' },
            { date: new Date(Date.now() + fault.offsetMs).toUTCString() },
          );
          return;
        default:
          if (options.answer)
            json(200, options.answer(operation, JSON.parse(body) as Record<string, unknown>));
          else forward(req, body, res, fault?.kind === 'lose-answer');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    inject(fault, injectOptions = {}) {
      queue.push({ fault, times: injectOptions.times ?? 1, operation: injectOptions.operation });
    },
    chaos: (rate, random) => {
      chaos = rate > 0 ? { rate, random } : null;
    },
    pending: () => queue.reduce((sum, f) => sum + f.times, 0),
    clearFaults: () => {
      queue.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * SES v2 as the tests meet it: SES has no local engine, so a proxy checks each request's signature
 * with AWS's signer and answers `SendEmail` as the API reference documents it, keeping what was sent.
 */
export async function startSesStandIn(): Promise<{
  readonly proxy: AwsProxy;
  /** The `SendEmail` bodies received, in order. */
  readonly sent: Record<string, any>[];
  /** What a sender needs to reach it. */
  readonly access: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
}> {
  const secretAccessKey = 'ses-stand-in-secret';
  const sent: Record<string, any>[] = [];
  const proxy = await startAwsProxy({
    service: 'ses',
    secretAccessKey,
    answer: (operation, body) => {
      if (operation !== 'POST /v2/email/outbound-emails') throw new Error(`unexpected SES call ${operation}`);
      sent.push(body);
      return { MessageId: `m-${sent.length}` };
    },
  });
  return {
    proxy,
    sent,
    access: {
      endpoint: proxy.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDSES', secretAccessKey },
    },
  };
}
