import { startLocalStack } from '../local/stack';
import { formatLoad, runLoad } from './http-load';

const SKUS = [
  'TEE-CLASSIC-BLK-M',
  'TEE-LOGO-PNK-M',
  'STICKER-HEART',
  'CAP-DAD-BLK',
  'TOTE-CANVAS',
  'HOODIE-ZIP-GRY-M',
];

/**
 * `POST /cart/quote` through the local stack (DynamoDB Local + the same handler code as Lambda): warm
 * latency at concurrency 1 and 10, for fresh quotes (each cart new: price, sign, write) and cache hits.
 */
export async function runQuoteLatencyBench(): Promise<string> {
  const stack = await startLocalStack({
    port: 0,
    stripePort: 0,
    dynamoPort: 0,
    dataDir: null,
    env: {
      RATE_LIMIT_QUOTE_PER_HOUR: '1000000',
      RATE_LIMIT_QUOTE_PER_DAY: '10000000',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
  });
  try {
    const url = `${stack.url}/cart/quote`;
    let cartCounter = 0;
    // Distinct carts: quantities walk through combinations so every request prices a new cart.
    const freshCart = () => {
      cartCounter += 1;
      let n = cartCounter;
      const items = SKUS.map((sku) => {
        const quantity = (n % 5) + 1;
        n = Math.floor(n / 5);
        return { sku, quantity };
      });
      return JSON.stringify({ items });
    };
    const sameCart = JSON.stringify({
      items: [
        { sku: 'TEE-CLASSIC-BLK-M', quantity: 2 },
        { sku: 'STICKER-HEART', quantity: 3 },
      ],
    });
    await runLoad({ url, requests: 300, concurrency: 4, body: freshCart }); // warm-up
    const lines: string[] = ['POST /cart/quote through the local stack (DynamoDB Local on loopback):'];
    for (const concurrency of [1, 10]) {
      lines.push(
        formatLoad(
          '  new cart (price, sign, write)',
          await runLoad({ url, requests: 2000, concurrency, body: freshCart }),
        ),
      );
      lines.push(
        formatLoad(
          '  same cart (cache hit)',
          await runLoad({ url, requests: 2000, concurrency, body: () => sameCart }),
        ),
      );
    }
    return lines.join('\n');
  } finally {
    await stack.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runQuoteLatencyBench().then((report) => console.log(report));
}
