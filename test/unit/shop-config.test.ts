import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_SHOP_CONFIG_PATH, loadShopConfig } from '../../local/storefront';
import { renderStorefrontPage } from '../../local/storefront-shell';
import { displayAddress, parseShopConfig, ShopConfigError } from '../../storefront/src/shop-config';

const TEMPLATE = readFileSync('storefront/index.html', 'utf8');

function makeShop(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Test shop',
    description: 'Things for testing.',
    shipping: 'Ships in a day.',
    returns: 'Returns within 30 days.',
    contact: { email: 'help@example.com', url: 'https://example.com/contact/' },
    ...overrides,
  };
}

function problemsOf(data: unknown): readonly string[] {
  try {
    parseShopConfig(data, 'test.json');
  } catch (err: unknown) {
    if (err instanceof ShopConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('shop config', () => {
  it('accepts the demo shop.json, which names no real shop', () => {
    const shop = loadShopConfig(DEMO_SHOP_CONFIG_PATH);
    expect(shop.name).toBe('Demo shop');
    expect(JSON.stringify(shop)).not.toMatch(/babesclub/i);
  });

  it('trims texts and keeps only the fields it knows', () => {
    const shop = parseShopConfig(makeShop({ name: '  Test shop ', $comment: 'a note for the owner' }));
    expect(shop).toEqual({
      name: 'Test shop',
      description: 'Things for testing.',
      shipping: 'Ships in a day.',
      returns: 'Returns within 30 days.',
      contact: { email: 'help@example.com', url: 'https://example.com/contact/' },
    });
  });

  it('names every problem at once, by field', () => {
    expect(
      problemsOf(
        makeShop({
          name: '',
          description: 'x'.repeat(161),
          returns: undefined,
          shiping: 'typo',
          contact: { email: 'not-an-address', url: 'javascript:alert(1)', phone: '123' },
        }),
      ),
    ).toEqual([
      'shiping: unknown field',
      'name: must be a non-empty string',
      'description: must be at most 160 characters',
      'returns: must be a non-empty string',
      'contact.phone: unknown field',
      'contact.email: must be an e-mail address',
      'contact.url: must be an http(s) address, e.g. https://example.com/contact',
    ]);
  });

  it('wants at least one way to reach the shop', () => {
    expect(problemsOf(makeShop({ contact: {} }))).toEqual([
      'contact: needs email, url or both (customers must be able to reach the shop)',
    ]);
    expect(parseShopConfig(makeShop({ contact: { url: 'https://example.com/help' } })).contact).toEqual({
      url: 'https://example.com/help',
    });
  });

  it('says which file failed', () => {
    expect(() => parseShopConfig([], 'shops/a.json')).toThrow('shops/a.json: must be a JSON object');
  });

  it('shows a contact page address without its scheme or trailing slash', () => {
    expect(displayAddress('https://example.com/contact/')).toBe('example.com/contact');
    expect(displayAddress('https://shop.example.com')).toBe('shop.example.com');
  });
});

describe('storefront page', () => {
  const shop = parseShopConfig(
    makeShop({
      name: 'Tom & Jo <Shop>',
      description: 'Say "hi" & <buy>',
      notice: 'Test payments only',
    }),
  );

  it('fills the title, description, header, footer and API base from the config, escaped', () => {
    const html = renderStorefrontPage(TEMPLATE, { apiBase: 'https://api.example.com/prod', shop });
    expect(html).toContain('<title>Tom &amp; Jo &lt;Shop&gt;</title>');
    expect(html).toContain('<meta name="description" content="Say &quot;hi&quot; &amp; &lt;buy>">');
    expect(html).toContain('<meta name="cart-api-base" content="https://api.example.com/prod">');
    expect(html).toContain('<a class="brand" href="/">Tom &amp; Jo &lt;Shop&gt;</a>');
    expect(html).toContain('<p class="demo-note">Test payments only</p>');
    expect(html).toContain('<h2>Shipping</h2><p>Ships in a day.</p>');
    expect(html).toContain('<h2>Returns</h2><p>Returns within 30 days.</p>');
    expect(html).toContain('<a href="mailto:help@example.com">help@example.com</a>');
    expect(html).toContain('<a href="https://example.com/contact/">example.com/contact</a>');
    expect(html).not.toMatch(/\{\{\w+\}\}/);
  });

  it('embeds the config as JSON the page script can read back', () => {
    const html = renderStorefrontPage(TEMPLATE, { apiBase: '', shop });
    const content = /<meta name="shop-config" content="([^"]*)">/.exec(html)?.[1] ?? '';
    const decoded = content
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&amp;/g, '&');
    expect(parseShopConfig(JSON.parse(decoded))).toEqual(shop);
  });

  it('leaves the notice out when there is none', () => {
    const plain = parseShopConfig(makeShop());
    expect(renderStorefrontPage(TEMPLATE, { apiBase: '', shop: plain })).not.toContain('demo-note');
  });

  it('refuses a template with a slot missing or unknown', () => {
    expect(() => renderStorefrontPage(TEMPLATE.replace('{{footer}}', ''), { apiBase: '', shop })).toThrow(
      'lacks the slots footer',
    );
    expect(() => renderStorefrontPage(`${TEMPLATE}{{price}}`, { apiBase: '', shop })).toThrow(
      'unknown slot {{price}}',
    );
  });
});
