import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../infra/lib/stage-config';
import { buildStorefront, loadShopConfig, withStageBranding } from '../../local/storefront';
import { CONFIG_DIR } from '../infra/support/synth';

describe('storefront branding', () => {
  it('names the shop from its stage file on top of the shop texts, and a neutral demo shop by default', async () => {
    const demo = (await buildStorefront()).html('');
    expect(demo).toContain('<title>Demo shop</title>');
    expect(demo).not.toMatch(/\{\{\w+\}\}/);

    const { shop: branding } = loadStageConfig(CONFIG_DIR, 'prod');
    const shop = withStageBranding(loadShopConfig(), branding);
    const page = (await buildStorefront({ shop })).html('https://api.example.com/prod');
    expect(page).toContain(`<a class="brand" href="/">${branding.name}</a>`);
    expect(page).toContain(`<p class="demo-note">${branding.tagline}</p>`);
    expect(page).not.toContain('<title>Demo shop</title>');
    // The footer stays the shop config's.
    expect(page).toContain(loadShopConfig().returns);
  });

  it('escapes a name that would otherwise become markup', async () => {
    const shop = withStageBranding(loadShopConfig(), { name: 'Bits & <b>Bobs</b> "Co"' });
    const page = (await buildStorefront({ shop })).html('');
    expect(page).toContain('Bits &amp; &lt;b>Bobs&lt;/b>');
    expect(page).not.toContain('<b>Bobs');
  });
});
