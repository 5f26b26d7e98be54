import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a handler made, as it went over the wire. */
export interface RecordedCall {
  readonly service: 'table' | 'stripe';
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  /** DynamoDB's operation (`X-Amz-Target`), or `''` for Stripe. */
  readonly operation: string;
  readonly body: string;
  readonly startedMs: number;
  readonly endedMs: number;
}

export interface RecordingProxy {
  readonly url: string;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

/**
 * A pass-through HTTP proxy that records each request and when it was open: what a handler's
 * first request asks of DynamoDB or Stripe, call by call, so a floor can make the same calls.
 */
export async function startRecordingProxy(
  target: string,
  service: RecordedCall['service'],
): Promise<RecordingProxy> {
  const calls: RecordedCall[] = [];
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const startedMs = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => {
            calls.push({
              service,
              method: req.method ?? 'GET',
              path: req.url ?? '/',
              operation:
                String(req.headers['x-amz-target'] ?? '')
                  .split('.')
                  .pop() ?? '',
              body: body.toString('utf8'),
              startedMs,
              endedMs: performance.now(),
            });
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The calls as rounds of round trips: a call that starts while another is still open joins its
 * round (they ran together); one that starts after all before it ended begins the next round.
 */
export function roundsOf(calls: readonly RecordedCall[]): RecordedCall[][] {
  const rounds: RecordedCall[][] = [];
  let roundEnds = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.startedMs - b.startedMs)) {
    const current = rounds.at(-1);
    if (current && call.startedMs < roundEnds) {
      current.push(call);
      roundEnds = Math.max(roundEnds, call.endedMs);
    } else {
      rounds.push([call]);
      roundEnds = call.endedMs;
    }
  }
  return rounds;
}
