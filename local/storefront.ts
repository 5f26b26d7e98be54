import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseShopConfig, type ShopConfig, ShopConfigError } from '../storefront/src/shop-config';
import { renderStorefrontPage } from './storefront-shell';

const STOREFRONT_DIR = fileURLToPath(new URL('../storefront/', import.meta.url));
/** The demo shop's texts, used unless a build names another shop. */
export const DEMO_SHOP_CONFIG_PATH = join(STOREFRONT_DIR, 'shop.json');

/** The storefront's page paths: the shop, and the two pages Stripe Checkout returns to. */
export const STOREFRONT_PAGES = ['/', '/checkout/success', '/checkout/cancel'] as const;

export interface StorefrontAsset {
  readonly contentType: string;
  readonly body: Uint8Array;
  /** `Cache-Control`: the scripts and styles are revalidated each time; the images cached a while. */
  readonly cacheControl: string;
}

export interface StorefrontAssets {
  /** The page (every storefront path serves it; the script picks the view by path). */
  html(apiBase: string): string;
  /** Scripts, styles and product images by URL path: `/app.js`, `/app.js.map`, `/app.css`, `/images/…`. */
  readonly files: ReadonlyMap<string, StorefrontAsset>;
}

/** Where the shop's product images are: served at `/images/<file>`, as the catalog names them. */
export const STOREFRONT_IMAGES_DIR = join(STOREFRONT_DIR, 'images');

/** The picture formats served from `storefront/images/`, by extension. */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
};

/**
 * An hour: a replaced picture shows within the hour, and a shopper paging through the shop fetches
 * each picture once (the names carry no content hash, so they are not cached for good).
 */
const IMAGE_CACHE_CONTROL = 'public, max-age=3600';
/** Revalidated on every load: the demo never serves a stale script against a newer API. */
const CODE_CACHE_CONTROL = 'no-cache';

/** The product images of `storefront/images/` by URL path (`/images/tee-classic-blk.svg`). */
export function readStorefrontImages(dir: string = STOREFRONT_IMAGES_DIR): Map<string, StorefrontAsset> {
  const images = new Map<string, StorefrontAsset>();
  for (const name of readdirSync(dir).sort()) {
    const contentType = IMAGE_TYPES[extname(name).toLowerCase()];
    if (!contentType) continue;
    images.set(`/images/${name}`, {
      contentType,
      body: readFileSync(join(dir, name)),
      cacheControl: IMAGE_CACHE_CONTROL,
    });
  }
  return images;
}

/**
 * Reads and checks a shop config file (`storefront/shop.json` by default). Fails with every problem
 * named, so a build never ships a page with a missing footer or a broken contact link.
 */
export function loadShopConfig(path: string = DEMO_SHOP_CONFIG_PATH): ShopConfig {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err: unknown) {
    throw new ShopConfigError(path, [
      `cannot be read as JSON (${err instanceof Error ? err.message : String(err)})`,
    ]);
  }
  return parseShopConfig(data, path);
}

/** How the stage file names the shop (`shop.name`, `shop.tagline`). */
export interface StageBranding {
  readonly name: string;
  readonly tagline?: string | undefined;
}

/**
 * The shop's texts with the stage file's name and tagline on top (the tagline is the line under the
 * name), so a page built for a stage names the shop as its backend does; the footer stays the shop
 * config's.
 */
export function withStageBranding(shop: ShopConfig, branding: StageBranding): ShopConfig {
  const { notice: _notice, ...rest } = shop;
  const notice = branding.tagline ?? shop.notice;
  return { ...rest, name: branding.name, ...(notice ? { notice } : {}) };
}

/**
 * Bundles the storefront (`storefront/src/main.ts`) with esbuild into memory and fills the page for
 * `shop` (the demo's `storefront/shop.json` unless given). Done when the local stack starts (tens of
 * milliseconds), so `npm start` on a fresh clone needs no build step and never serves a stale
 * bundle. Unminified by default, so the demo reads well in devtools.
 */
export async function buildStorefront(
  options: { readonly minify?: boolean; readonly shop?: ShopConfig } = {},
): Promise<StorefrontAssets> {
  const shop = options.shop ?? loadShopConfig();
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
      cacheControl: CODE_CACHE_CONTROL,
    });
  }
  files.set('/app.css', {
    contentType: 'text/css; charset=utf-8',
    body: readFileSync(join(STOREFRONT_DIR, 'styles.css')),
    cacheControl: CODE_CACHE_CONTROL,
  });
  for (const [path, image] of readStorefrontImages()) files.set(path, image);
  const page = readFileSync(join(STOREFRONT_DIR, 'index.html'), 'utf8');
  return {
    files,
    html: (apiBase) => renderStorefrontPage(page, { apiBase, shop }),
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
      // Product images are paths on this site or https URLs (a shop's CDN) in the catalog.
      "img-src 'self' data: https:",
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
        'Content-Length': String(file.body.byteLength),
        'Cache-Control': file.cacheControl,
        'X-Content-Type-Options': 'nosniff',
        // An SVG opened on its own is a document: it may load and run nothing.
        ...(file.contentType === 'image/svg+xml' ? { 'Content-Security-Policy': "default-src 'none'" } : {}),
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
