import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSelectedStage, readStageSelection } from '../infra/lib/stage-location';
import { buildStorefront, DEMO_BRANDING, type StorefrontBranding } from '../local/storefront';

const USAGE = `Usage: npm run storefront:build -- [--stage prod] [--api-base https://api.example.com/prod] [--out dist/storefront]

Writes the demo storefront as static files (index.html, app.js, app.js.map, app.css) for hosting
anywhere. --api-base is where the API is (API Gateway's ApiUrl); empty = the page's own origin.
--stage names the shop on the page with the stage file's shop.name and shop.tagline (another folder
of stage files: --stages-dir or STAGES_DIR); without it the page says "Demo shop".
Serve index.html at /, /checkout/success and /checkout/cancel, add the site's origin to the API's
ALLOWED_ORIGINS, and point CHECKOUT_SUCCESS_URL / CHECKOUT_CANCEL_URL at those two pages.`;

/** `npm run storefront:build`: the storefront as static files, for a host other than the local stack. */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'api-base': { type: 'string', default: '' },
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
  let branding: StorefrontBranding = DEMO_BRANDING;
  if (values.stage) {
    const projectRoot = resolve(import.meta.dirname, '..');
    const selection = readStageSelection(projectRoot, {
      argv: values['stages-dir'] ? [`--stages-dir=${values['stages-dir']}`] : [],
      env: process.env,
    });
    branding = loadSelectedStage(projectRoot, values.stage, selection).shop;
  }
  const out = resolve(values.out);
  const assets = await buildStorefront({ minify: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'index.html'), assets.html(apiBase, branding));
  for (const [path, file] of assets.files) writeFileSync(join(out, path.slice(1)), file.body);
  console.log(`Storefront of ${branding.name} written to ${out} (API: ${apiBase || 'same origin'}).`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`storefront:build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
