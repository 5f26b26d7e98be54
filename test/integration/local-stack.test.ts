import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../local/stack';
import { createRecordingTelemetry } from '../support/telemetry';

const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const cart = { items: [{ sku: 'TEE-LOGO-PNK', quantity: 2 }] };

async function postQuote(url: string, origin: string) {
  return fetch(`${url}/cart/quote`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify(cart),
  });
}

describe('local stack over HTTP', () => {
  it('serves health, catalog and quotes, and keeps its data for the next start', async () => {
    const env = { PORT: '0' };
    const first = await startLocalStack({ port: 0, dataDir, env, telemetry: createRecordingTelemetry() });
    let signature: string;
    try {
      const health = await fetch(`${first.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const catalog = await fetch(`${first.url}/catalog`);
      expect(catalog.status).toBe(200);
      expect(((await catalog.json()) as { products: unknown[] }).products.length).toBeGreaterThan(10);

      const origin = new URL(first.url).origin;
      const preflight = await fetch(`${first.url}/cart/quote`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);

      const quote = await postQuote(first.url, origin);
      expect(quote.status).toBe(200);
      expect(quote.headers.get('x-quote-cache')).toBe('miss');
      const body = (await quote.json()) as { quoteSignature: string; quote: { total: number } };
      expect(body.quote.total).toBe(Math.round(2 * 3400 * 0.9));
      signature = body.quoteSignature;

      const missing = await fetch(`${first.url}/nope`);
      expect(missing.status).toBe(404);
    } finally {
      await first.close();
    }

    const second = await startLocalStack({ port: 0, dataDir, env, telemetry: createRecordingTelemetry() });
    try {
      const again = await postQuote(second.url, new URL(second.url).origin);
      expect(again.headers.get('x-quote-cache')).toBe('hit');
      expect(((await again.json()) as { quoteSignature: string }).quoteSignature).toBe(signature);
    } finally {
      await second.close();
    }
  });
});
