import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCommandStage } from '../infra/lib/stage-location';
import {
  buildStorefront,
  DEMO_SHOP_CONFIG_PATH,
  loadShopConfig,
  withStageBranding,
} from '../local/storefront';

const USAGE = `Usage: npm run storefront:build -- [--api-base https://api.example.com/prod] [--shop shop.json] [--stage prod] [--out dist/storefront]

Writes the demo storefront as static files (index.html, app.js, app.js.map, app.css, and the product
images under images/) for hosting anywhere. --api-base is where the API is (API Gateway's ApiUrl); empty = the page's own origin.
--shop is the shop's texts (name, description, shipping, returns, contact; docs/storefront.md),
storefront/shop.json by default. --stage puts the stage file's shop.name and shop.tagline on top, so
the page names the shop as its backend does (another folder of stage files: --stages-dir or STAGES_DIR). Serve index.html at /, /checkout/success and /checkout/cancel, add the site's origin to the API's
ALLOWED_ORIGINS, and point CHECKOUT_SUCCESS_URL / CHECKOUT_CANCEL_URL at those two pages.`;

/** `npm run storefront:build`: the storefront as static files, for a host other than the local stack. */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'api-base': { type: 'string', default: '' },
      shop: { type: 'string', default: DEMO_SHOP_CONFIG_PATH },
      stage: { type: 'string' },
      'stages-dir': { type: 'string' },
      out: { type: 'string', default: join('dist', 'storefront') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const apiBase = values['api-base'].replace(/\/+$/, '');
  if (apiBase && !/^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(apiBase)) {
    console.error(
      `storefront:build: --api-base must be an http(s) URL without query or fragment: ${apiBase}`,
    );
    return 2;
  }
  const out = resolve(values.out);
  let shop = loadShopConfig(resolve(values.shop));
  if (values.stage) {
    const projectRoot = resolve(import.meta.dirname, '..');
    shop = withStageBranding(shop, loadCommandStage(projectRoot, values.stage, values['stages-dir']).shop);
  }
  const assets = await buildStorefront({ minify: true, shop });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'index.html'), assets.html(apiBase));
  for (const [path, file] of assets.files) {
    const target = join(out, path.slice(1));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
  console.log(`Storefront of ${shop.name} written to ${out} (API: ${apiBase || 'same origin'}).`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`storefront:build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
