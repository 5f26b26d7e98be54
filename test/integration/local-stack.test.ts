import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../local/stack';
import { createRecordingTelemetry } from '../support/telemetry';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const ports = { port: 0, stripePort: 0, dynamoPort: 0 };

interface CatalogWithImages {
  readonly products: readonly {
    readonly images: readonly string[];
    readonly variants?: readonly { readonly images?: readonly string[] }[];
  }[];
}

/** The shop's own catalog from disk (imports of it are aliased to the tests' catalog). */
function readShopCatalog(): CatalogWithImages {
  return JSON.parse(readFileSync(join('catalog', 'catalog.json'), 'utf8')) as CatalogWithImages;
}

/** The image paths on the shop's own site (`/images/…`) a catalog names, products and variants. */
function imagePathsOf(catalog: CatalogWithImages): string[] {
  return catalog.products
    .flatMap((p) => [...p.images, ...(p.variants ?? []).flatMap((v) => v.images ?? [])])
    .filter((image) => image.startsWith('/'));
}
const cart = { items: [{ sku: 'TEE-LOGO-PNK-M', quantity: 2 }] };

async function postJson(url: string, body: unknown, origin: string) {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: origin },
    body: JSON.stringify(body),
  });
}

async function stockCommand(args: string[]) {
  return run('npx', ['tsx', 'scripts/stock.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    cwd: process.cwd(),
  }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

async function orders(args: string[]) {
  const { stdout } = await run('npx', ['tsx', 'scripts/orders.ts', ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    cwd: process.cwd(),
  });
  return stdout;
}

describe('local stack over HTTP', () => {
  it('serves health, catalog and quotes, and keeps its data for the next start', async () => {
    const env = { NOTIFIER: 'log' };
    const first = await startLocalStack({ ...ports, dataDir, env, telemetry: createRecordingTelemetry() });
    let signature: string;
    try {
      const health = await fetch(`${first.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const catalog = await fetch(`${first.url}/catalog`);
      expect(catalog.status).toBe(200);
      const served = (await catalog.json()) as CatalogWithImages;
      expect(served.products.length).toBeGreaterThan(10);

      // Every picture the catalogs name on the shop's site — the tests' catalog, as served, and the
      // shop's own catalog/catalog.json — is served by the stack, as an image a browser caches.
      const paths = new Set([...imagePathsOf(served), ...imagePathsOf(readShopCatalog())]);
      expect(paths.size).toBeGreaterThanOrEqual(18);
      for (const path of paths) {
        const image = await fetch(`${first.url}${path}`);
        expect({ path, status: image.status }).toEqual({ path, status: 200 });
        expect(image.headers.get('content-type')).toBe('image/svg+xml');
        expect(image.headers.get('cache-control')).toBe('public, max-age=3600');
        const body = await image.text();
        expect(body.startsWith('<svg ')).toBe(true);
        expect(body.length).toBeLessThan(4096);
      }

      const origin = new URL(first.url).origin;
      const preflight = await fetch(`${first.url}/cart/quote`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);

      const quote = await postJson(`${first.url}/cart/quote`, cart, origin);
      expect(quote.status).toBe(200);
      expect(quote.headers.get('x-quote-cache')).toBe('miss');
      const body = (await quote.json()) as { quoteSignature: string; quote: { total: number } };
      expect(body.quote.total).toBe(Math.round(2 * 3400 * 0.9));
      signature = body.quoteSignature;

      expect((await fetch(`${first.url}/nope`)).status).toBe(404);
    } finally {
      await first.close();
    }

    const second = await startLocalStack({ ...ports, dataDir, env, telemetry: createRecordingTelemetry() });
    try {
      const again = await postJson(`${second.url}/cart/quote`, cart, new URL(second.url).origin);
      expect(again.headers.get('x-quote-cache')).toBe('hit');
      const cached = (await again.json()) as { quoteSignature: string; quote: { total: number } };
      expect(cached.quote.total).toBe(Math.round(2 * 3400 * 0.9));
      // The cached pricing came back under a signature of this request's own.
      expect(cached.quoteSignature).not.toBe(signature);
    } finally {
      await second.close();
    }
  });

  it('runs the whole flow: quote → checkout → pay on the emulator → order listed and in the outbox', async () => {
    let paidSessionId = '';
    const stack = await startLocalStack({
      ...ports,
      dataDir,
      env: {},
      telemetry: createRecordingTelemetry(),
    });
    try {
      const origin = new URL(stack.url).origin;
      const items = [
        { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
        { sku: 'SWEAT-JOGGER-GRY-M', quantity: 1 },
      ];
      const quoted = (await (await postJson(`${stack.url}/cart/quote`, { items }, origin)).json()) as {
        quoteSignature: string;
        quote: { total: number };
      };
      const checkout = await postJson(
        `${stack.url}/checkout/create-session`,
        { items, quoteSignature: quoted.quoteSignature, email: 'flow@example.com' },
        origin,
      );
      expect(checkout.status).toBe(201);
      const { checkoutUrl, sessionId } = (await checkout.json()) as {
        checkoutUrl: string;
        sessionId: string;
      };

      const page = await fetch(checkoutUrl);
      expect(await page.text()).toContain('Pay $110.00');
      const paid = await fetch(checkoutUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'action=pay&email=flow%40example.com',
        redirect: 'manual',
      });
      expect(paid.status).toBe(303);
      expect(paid.headers.get('location')).toBe(`${stack.url}/checkout/success?session_id=${sessionId}`);
      await stack.stripe?.waitForDeliveries();

      const status = await fetch(`${stack.url}/checkout/session-status?session_id=${sessionId}`, {
        headers: { Origin: origin },
      });
      expect(await status.json()).toEqual({
        status: 'complete',
        paymentStatus: 'paid',
        amountTotal: quoted.quote.total,
        currency: 'usd',
      });

      const listed = JSON.parse(await orders(['list', '--json'])) as {
        sessionId: string;
        amountTotal: number;
        customerEmail: string;
      }[];
      expect(listed.filter((o) => o.sessionId === sessionId)).toEqual([
        expect.objectContaining({ amountTotal: quoted.quote.total, customerEmail: 'flow@example.com' }),
      ]);
      expect(await orders(['list'])).toContain(sessionId);
      expect(JSON.parse(await orders(['show', sessionId]))).toMatchObject({
        session: { status: 'complete' },
      });

      // The hoodie's stock (seeded with 12 when the table was made) sold one, held none.
      const stockList = await stockCommand(['list', '--json']);
      const rows = JSON.parse(stockList.stdout) as { sku: string }[];
      expect(rows.find((r) => r.sku === 'HOODIE-LOGO-BLK-M')).toEqual(
        expect.objectContaining({ onHand: 11, held: 0, available: 11, sold: 1, status: 'in_stock' }),
      );
      expect((await stockCommand(['add', 'HOODIE-LOGO-BLK-M', '5'])).stdout).toContain(
        'HOODIE-LOGO-BLK-M: on hand 16, held 0, available 16',
      );
      const csv = join(dataDir, 'restock.csv');
      writeFileSync(csv, 'sku,onHand\nHOODIE-LOGO-BLK-S,4\nHOODIE-LOGO-BLK-L,0\n');
      expect((await stockCommand(['import', csv])).code).toBe(0);
      const table = (await stockCommand(['list'])).stdout;
      expect(table).toMatch(/HOODIE-LOGO-BLK-S .* 4 .* low_stock/);
      expect(table).toMatch(/HOODIE-LOGO-BLK-L .* sold_out/);
      // Bad input: nothing written, a clear message, exit code 2.
      const untracked = await stockCommand(['set', 'STICKER-HEART', '3']);
      expect(untracked).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('STICKER-HEART is not tracked'),
      });
      writeFileSync(csv, 'sku,onHand\nHOODIE-LOGO-BLK-S,9\nHOODIE-LOGO-BLK,3\nHOODIE-LOGO-BLK-M,-1\n');
      const refused = await stockCommand(['import', csv]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('line 3: HOODIE-LOGO-BLK is a product with sizes');
      expect(refused.stderr).toContain(
        'line 4: the quantity of HOODIE-LOGO-BLK-M must be a whole number from 0',
      );
      expect((await stockCommand(['list'])).stdout).toMatch(/HOODIE-LOGO-BLK-S .* 4 /);

      const outbox = readdirSync(join(dataDir, 'outbox')).filter((f) => f.includes(sessionId));
      expect(outbox.sort()).toEqual([expect.stringMatching(/\.json$/), expect.stringMatching(/\.txt$/)]);
      const text = readFileSync(
        join(dataDir, 'outbox', outbox.find((f) => f.endsWith('.txt')) ?? ''),
        'utf8',
      );
      expect(text).toContain('HOODIE-LOGO-BLK-M');
      expect(text).toContain('flow@example.com');
      paidSessionId = sessionId;
    } finally {
      await stack.close();
    }

    // With the stack stopped, the command opens the stack's data itself (a DynamoDB Local of its own).
    const listedAfterStop = JSON.parse(await orders(['list', '--json'])) as { sessionId: string }[];
    expect(listedAfterStop.map((o) => o.sessionId)).toContain(paidSessionId);
    // Each operator command is a process of its own (tsx): a few seconds each on a busy machine.
  }, 120_000);
});

describe('npm run orders without a stack', () => {
  it('says where it looked and how to point it at the data, instead of listing no orders', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-stack-'));
    try {
      const failed = await run('npx', ['tsx', 'scripts/orders.ts', 'list'], {
        env: { ...process.env, DATA_DIR: empty },
        cwd: process.cwd(),
      }).then(
        () => null,
        (err: { code?: number; stdout?: string; stderr?: string }) => err,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stdout).not.toContain('No paid orders');
      expect(failed?.stderr).toContain(`no local stack is running and there is no local data in ${empty}`);
      expect(failed?.stderr).toContain('set DATA_DIR');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
