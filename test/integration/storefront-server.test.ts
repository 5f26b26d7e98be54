import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStorefront, type StorefrontAssets, storefrontHandler } from '../../local/storefront';
import { type LittleServer, startLittleServer } from '../support/browser';

let assets: StorefrontAssets;
let site: LittleServer;
const API = 'https://api.example.com/prod';

beforeAll(async () => {
  assets = await buildStorefront();
  let canonical = '';
  site = await startLittleServer((req, res) =>
    storefrontHandler(assets, { apiBase: API, canonicalOrigin: canonical })(req, res),
  );
  canonical = site.origin;
});
afterAll(() => site.close());

/** A GET to the site with any Host header (fetch would not let us set it). */
function get(path: string, options: { host?: string; method?: string } = {}) {
  const { port } = new URL(site.origin);
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: options.method ?? 'GET',
          headers: { Host: options.host ?? `127.0.0.1:${port}` },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('storefront server', () => {
  it('serves the same page at the shop, success and cancel paths, naming the API and allowing only it', async () => {
    for (const path of ['/', '/checkout/success?session_id=cs_test_x', '/checkout/cancel']) {
      const page = await get(path);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain(`<meta name="cart-api-base" content="${API}">`);
      expect(page.headers['content-security-policy']).toContain(
        "connect-src 'self' https://api.example.com;",
      );
    }
  });

  it('serves the bundle, its source map and the styles, and nothing else', async () => {
    const script = await get('/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('cart-api-base');
    expect(script.body).toContain('sourceMappingURL=app.js.map');
    expect((await get('/app.js.map')).status).toBe(200);
    expect((await get('/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get('/index.html')).status).toBe(404);
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/', { method: 'POST' })).status).toBe(405);
  });

  it('serves the product images with their type and an hour of caching, and lets pages show https images', async () => {
    const tee = await get('/images/tee-classic-blk.svg');
    expect(tee.status).toBe(200);
    expect(tee.headers).toMatchObject({
      'content-type': 'image/svg+xml',
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
      // Opened on its own, the SVG is a document that may run nothing.
      'content-security-policy': "default-src 'none'",
    });
    expect(tee.body).toContain('<title>Classic Tee — Black</title>');
    expect((await get('/images/missing.svg')).status).toBe(404);
    expect((await get('/images/../styles.css')).status).toBe(404);
    expect((await get('/')).headers['content-security-policy']).toContain("img-src 'self' data: https:;");
  });

  it('sends a page asked for under another host name to the canonical origin, path and query kept', async () => {
    const { port } = new URL(site.origin);
    const moved = await get('/checkout/cancel?x=1', { host: `localhost:${port}` });
    expect(moved.status).toBe(307);
    expect(moved.headers.location).toBe(`${site.origin}/checkout/cancel?x=1`);
  });

  it('escapes the API base into the page', () => {
    expect(assets.html('https://x.example/"><script>')).toContain(
      'content="https://x.example/&quot;>&lt;script>"',
    );
  });
});
