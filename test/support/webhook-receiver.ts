import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One webhook request as received: the raw body (what signatures cover) and the signature header. */
export interface ReceivedWebhook {
  body: string;
  signature: string | null;
  statusCode: number;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Answer the next `count` requests with `statusCode` instead of 200. */
  failNext(count: number, statusCode?: number): void;
  close(): Promise<void>;
}

/**
 * A stand-in webhook endpoint for tests: records what arrives and answers 200, or an error status
 * for as many requests as {@link WebhookReceiver.failNext} says.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let failures: Array<number> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const statusCode = failures.shift() ?? 200;
      const signature = req.headers['stripe-signature'];
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: typeof signature === 'string' ? signature : null,
        statusCode,
      });
      res.writeHead(statusCode, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ received: statusCode < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/stripe/webhook`,
    received,
    failNext(count, statusCode = 500) {
      failures = [...failures, ...Array.from({ length: count }, () => statusCode)];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
