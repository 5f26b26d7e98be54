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

/** One request of a run: what differs from the run's defaults. */
export interface LoadRequest {
  /** Path and query, resolved against the run's `url`. */
  readonly path?: string;
  readonly method?: string;
  readonly body?: string | undefined;
  readonly headers?: Record<string, string>;
}

/** One answer, for runs that check what came back (the reliability suite). */
export interface LoadAnswer {
  readonly index: number;
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Sends `requests` HTTP requests to loopback, `concurrency` at a time, over keep-alive connections,
 * and measures each one from write to last byte. `body` (or `request`) shapes each request by its
 * index; `onAnswer` sees every answer (its body is only read when `onAnswer` is given).
 */
export async function runLoad(options: {
  readonly url: string;
  readonly method?: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly body?: (index: number) => string | undefined;
  readonly request?: (index: number) => LoadRequest;
  readonly headers?: Record<string, string>;
  readonly onAnswer?: (answer: LoadAnswer) => void;
}): Promise<LoadResult> {
  const base = new URL(options.url);
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < options.requests) {
      const index = next;
      next += 1;
      const spec = options.request?.(index) ?? {};
      const body = spec.body ?? options.body?.(index);
      const target = spec.path ? new URL(spec.path, base) : base;
      const t0 = process.hrtime.bigint();
      const answer = await send(
        target,
        spec.method ?? options.method ?? 'POST',
        body,
        { ...options.headers, ...spec.headers },
        options.onAnswer !== undefined,
      );
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      options.onAnswer?.({ index, ...answer });
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
  keepBody: boolean,
): Promise<Omit<LoadAnswer, 'index'>> {
  return new Promise((resolve, reject) => {
    const hasType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
    const req = request(
      url,
      {
        method,
        agent: keepAlive,
        headers: {
          ...(body !== undefined && !hasType ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
          ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        if (keepBody) res.on('data', (chunk: Buffer) => chunks.push(chunk));
        else res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
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

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Formats a load result as a table row. */
export function formatLoad(label: string, r: LoadResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  return `${label.padEnd(40)} c=${String(r.concurrency).padEnd(3)} p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms  ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  [${statuses}]`;
}
