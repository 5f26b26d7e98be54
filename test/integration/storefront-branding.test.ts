import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../infra/lib/stage-config';
import { buildStorefront } from '../../local/storefront';
import { CONFIG_DIR } from '../infra/support/synth';

describe('storefront branding', () => {
  it('names the shop from its stage file, and a neutral demo shop by default', async () => {
    const assets = await buildStorefront();
    const demo = assets.html('');
    expect(demo).toContain('<title>Demo shop</title>');
    expect(demo).toContain('<meta name="shop-name" content="Demo shop">');
    expect(demo).not.toContain('{{');

    const { shop } = loadStageConfig(CONFIG_DIR, 'prod');
    const page = assets.html('https://api.example.com/prod', shop);
    expect(page).toContain(`<a class="brand" href="/">${shop.name}</a>`);
    expect(page).toContain(`<p class="demo-note">${shop.tagline}</p>`);
    expect(page).not.toContain('Demo shop');
  });

  it('escapes a name that would otherwise become markup', async () => {
    const page = (await buildStorefront()).html('', { name: 'Bits & <b>Bobs</b> "Co"' });
    expect(page).toContain('<title>Bits &amp; &lt;b>Bobs&lt;/b> &quot;Co&quot;</title>');
    expect(page).not.toContain('<b>Bobs');
  });
});
