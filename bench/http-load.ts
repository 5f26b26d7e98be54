import { Agent, request } from 'node:http';

/** Latency figures of a run, in milliseconds. */
export interface LoadResult {
  readonly requests: number;
  readonly concurrency: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly requestsPerSecond: number;
  /** Responses by status code. */
  readonly statuses: Readonly<Record<number, number>>;
}

/**
 * Sends `requests` HTTP requests to loopback, `concurrency` at a time, over keep-alive connections,
 * and measures each one from write to last byte.
 */
export async function runLoad(options: {
  readonly url: string;
  readonly method?: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly body: (index: number) => string | undefined;
  readonly headers?: Record<string, string>;
}): Promise<LoadResult> {
  const target = new URL(options.url);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < options.requests) {
      const index = next;
      next += 1;
      const body = options.body(index);
      const t0 = process.hrtime.bigint();
      const status = await send(target, options.method ?? 'POST', body, options.headers ?? {});
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    requests: options.requests,
    concurrency: options.concurrency,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? 0,
    requestsPerSecond: options.requests / elapsedSeconds,
    statuses,
  };
}

function send(
  url: URL,
  method: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: keepAlive,
        headers: {
          ...headers,
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/** The value below which `fraction` of the sorted values fall (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Formats a load result as a table row. */
export function formatLoad(label: string, r: LoadResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return `${label.padEnd(34)} c=${String(r.concurrency).padEnd(3)} p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  [${statuses}]`;
}
