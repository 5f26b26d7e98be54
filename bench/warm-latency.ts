import { BenchShop, startBenchStack } from './fixtures';
import { formatLoad, type LoadRequest, runLoad } from './http-load';

interface RouteRun {
  readonly label: string;
  readonly requests: number;
  /** Prepares what `requests` requests need (not timed) and returns how to make request `i`. */
  prepare(requests: number): Promise<(index: number) => LoadRequest>;
}

/**
 * Warm latency of every route through the local stack (DynamoDB Local + the Stripe emulator, the same
 * handler code as Lambda behind the local HTTP → proxy-event adapter), at concurrency 1 and 10.
 * Each request does its route's real work: new sessions for fresh quotes, webhook events that
 * fulfil a paid session, success-page views of fulfilled sessions.
 */
export async function runWarmLatencyBench(): Promise<string> {
  const stack = await startBenchStack();
  try {
    const shop = new BenchShop(stack, 7_000);
    const browser = shop.browserHeaders;
    const runs: RouteRun[] = [
      {
        label: 'POST /checkout/create-session (new)',
        requests: 200,
        prepare: async (n) => {
          const quotes = await sequence(n, () => shop.quote());
          return (i) => ({
            path: '/checkout/create-session',
            body: JSON.stringify({ items: quotes[i]?.items, quoteSignature: quotes[i]?.quoteSignature }),
            headers: browser,
          });
        },
      },
      {
        label: 'POST /checkout/create-session (again)',
        requests: 500,
        prepare: async () => {
          const quotes = await sequence(20, () => shop.quote());
          for (const quote of quotes) await shop.checkout(quote);
          return (i) => {
            const quote = quotes[i % quotes.length];
            return {
              path: '/checkout/create-session',
              body: JSON.stringify({ items: quote?.items, quoteSignature: quote?.quoteSignature }),
              headers: browser,
            };
          };
        },
      },
      {
        label: 'POST /stripe/webhook (fulfils)',
        requests: 200,
        prepare: async (n) => {
          const paid = await sequence(n, () => shop.paidSession());
          return (i) => ({ path: '/stripe/webhook', ...paid[i]?.event });
        },
      },
      {
        label: 'POST /stripe/webhook (duplicate)',
        requests: 1_000,
        prepare: async () => {
          const paid = await sequence(20, () => shop.paidSession());
          for (const p of paid) await shop.deliver(p.event);
          return (i) => ({ path: '/stripe/webhook', ...paid[i % paid.length]?.event });
        },
      },
      {
        label: 'GET /checkout/session-status',
        requests: 1_000,
        prepare: async () => {
          const paid = await sequence(20, () => shop.paidSession());
          for (const p of paid) await shop.deliver(p.event);
          return (i) => ({
            method: 'GET',
            path: `/checkout/session-status?session_id=${paid[i % paid.length]?.sessionId}`,
            headers: { Origin: shop.origin },
          });
        },
      },
      {
        label: 'GET /catalog',
        requests: 2_000,
        prepare: async () => () => ({ method: 'GET', path: '/catalog', headers: { Origin: shop.origin } }),
      },
    ];
    const lines = [
      'Through the local stack (HTTP on loopback → the Lambda handlers → DynamoDB Local / the Stripe emulator):',
    ];
    for (const run of runs) {
      for (const concurrency of [1, 10]) {
        const request = await run.prepare(run.requests);
        const result = await runLoad({ url: stack.url, requests: run.requests, concurrency, request });
        lines.push(formatLoad(`  ${run.label}`, result));
      }
    }
    return lines.join('\n');
  } finally {
    await stack.close();
  }
}

async function sequence<T>(count: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += 1) out.push(await make());
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  runWarmLatencyBench().then((report) => console.log(report));
}
