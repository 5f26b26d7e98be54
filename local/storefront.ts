import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const STOREFRONT_DIR = fileURLToPath(new URL('../storefront/', import.meta.url));

/** The storefront's page paths: the shop, and the two pages Stripe Checkout returns to. */
export const STOREFRONT_PAGES = ['/', '/checkout/success', '/checkout/cancel'] as const;

export interface StorefrontAsset {
  readonly contentType: string;
  readonly body: Uint8Array;
}

/** How the page names the shop: the stage file's `shop.name` and `shop.tagline`. */
export interface StorefrontBranding {
  readonly name: string;
  readonly tagline?: string | undefined;
}

/** The local stack's (and the tests') shop: no real shop's name. */
export const DEMO_BRANDING: StorefrontBranding = {
  name: 'Demo shop',
  tagline: 'Demo storefront of the cart & checkout API · sample products · test payments only',
};

export interface StorefrontAssets {
  /** The page (every storefront path serves it; the script picks the view by path). */
  html(apiBase: string, branding?: StorefrontBranding): string;
  /** Scripts and styles by URL path: `/app.js`, `/app.js.map`, `/app.css`. */
  readonly files: ReadonlyMap<string, StorefrontAsset>;
}

/**
 * Bundles the storefront (`storefront/src/main.ts`) with esbuild into memory. Done when the local
 * stack starts (tens of milliseconds), so `npm start` on a fresh clone needs no build step and
 * never serves a stale bundle. Unminified by default, so the demo reads well in devtools.
 */
export async function buildStorefront(
  options: { readonly minify?: boolean } = {},
): Promise<StorefrontAssets> {
  const result = await build({
    minify: options.minify ?? false,
    entryPoints: [join(STOREFRONT_DIR, 'src', 'main.ts')],
    outfile: join(STOREFRONT_DIR, 'app.js'),
    tsconfig: join(STOREFRONT_DIR, 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    sourcemap: 'linked',
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const files = new Map<string, StorefrontAsset>();
  for (const output of result.outputFiles) {
    const name = basename(output.path);
    files.set(`/${name}`, {
      contentType: name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8',
      body: output.contents,
    });
  }
  files.set('/app.css', {
    contentType: 'text/css; charset=utf-8',
    body: readFileSync(join(STOREFRONT_DIR, 'styles.css')),
  });
  const page = readFileSync(join(STOREFRONT_DIR, 'index.html'), 'utf8');
  return {
    files,
    html: (apiBase, branding = DEMO_BRANDING) =>
      page
        .replace(
          '<meta name="cart-api-base" content="">',
          `<meta name="cart-api-base" content="${escapeAttribute(apiBase)}">`,
        )
        .replaceAll('{{shopName}}', escapeAttribute(branding.name))
        .replaceAll('{{tagline}}', escapeAttribute(branding.tagline ?? '')),
  };
}

/**
 * A Node request handler serving the storefront for an API at `apiBase` (`''` = the same origin):
 * used by the local stack at `/`, and by tests that host the page on another origin.
 *
 * With `canonicalOrigin`, a page asked for under another host name (`localhost` for `127.0.0.1`)
 * redirects there first: the cart lives in the origin's local storage, and Checkout returns to one
 * configured URL, so the shop, success and cancel pages must share one origin.
 */
export function storefrontHandler(
  assets: StorefrontAssets,
  options: { readonly apiBase: string; readonly canonicalOrigin?: string },
) {
  const apiOrigin = options.apiBase ? new URL(options.apiBase).origin : '';
  const html = assets.html(options.apiBase);
  const pageHeaders = {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Content-Security-Policy': [
      "default-src 'self'",
      `connect-src 'self'${apiOrigin ? ` ${apiOrigin}` : ''}`,
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Method not allowed');
      return;
    }
    const file = assets.files.get(path);
    if (file) {
      res.writeHead(200, {
        'Content-Type': file.contentType,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : file.body);
      return;
    }
    if ((STOREFRONT_PAGES as readonly string[]).includes(path)) {
      const canonical = options.canonicalOrigin;
      if (canonical && `http://${req.headers.host ?? ''}` !== canonical) {
        res.writeHead(307, { Location: `${canonical}${req.url ?? '/'}`, 'Cache-Control': 'no-store' });
        res.end();
        return;
      }
      res.writeHead(200, pageHeaders);
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not found');
  };
}

/** Safe in a double-quoted attribute value, and in text (no `<` can open a tag). */
function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
