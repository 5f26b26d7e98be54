import { displayAddress, type ShopConfig } from '../storefront/src/shop-config';

/** The slots `storefront/index.html` has, each filled exactly once per page. */
const SLOTS = ['name', 'description', 'apiBase', 'shopConfigJson', 'notice', 'footer'] as const;
type Slot = (typeof SLOTS)[number];

/**
 * Fills the page template (`storefront/index.html`) for one shop and API: the title, the meta
 * description, the header and the footer as static HTML — there at first paint, without moving
 * anything when the script starts, and readable without JavaScript — and the same config as JSON
 * for what the script writes itself (page titles, the success page's contact line). Every text is
 * escaped; a template slot left unfilled, or a value without a slot, is an error, not a blank page.
 */
export function renderStorefrontPage(
  template: string,
  page: { readonly apiBase: string; readonly shop: ShopConfig },
): string {
  const { shop } = page;
  const values: Record<Slot, string> = {
    name: escapeText(shop.name),
    description: escapeAttribute(shop.description),
    apiBase: escapeAttribute(page.apiBase),
    shopConfigJson: escapeAttribute(JSON.stringify(shop)),
    notice: shop.notice ? `<p class="demo-note">${escapeText(shop.notice)}</p>` : '',
    footer: renderFooter(shop),
  };
  const used = new Set<string>();
  const html = template.replace(/\{\{(\w+)\}\}/g, (_, slot: string) => {
    if (!(SLOTS as readonly string[]).includes(slot)) {
      throw new Error(`storefront/index.html has an unknown slot {{${slot}}}`);
    }
    used.add(slot);
    return values[slot as Slot];
  });
  const unused = SLOTS.filter((slot) => !used.has(slot));
  if (unused.length > 0) throw new Error(`storefront/index.html lacks the slots ${unused.join(', ')}`);
  return html;
}

function renderFooter(shop: ShopConfig): string {
  const { email, url } = shop.contact;
  const contact = [
    email ? `<p><a href="mailto:${escapeAttribute(email)}">${escapeText(email)}</a></p>` : '',
    url ? `<p><a href="${escapeAttribute(url)}">${escapeText(displayAddress(url))}</a></p>` : '',
  ].join('');
  return `<footer class="site-footer">
<div class="footer-inner">
<div class="footer-part" data-part="shipping"><h2>Shipping</h2><p>${escapeText(shop.shipping)}</p></div>
<div class="footer-part" data-part="returns"><h2>Returns</h2><p>${escapeText(shop.returns)}</p></div>
<div class="footer-part" data-part="contact"><h2>Contact</h2>${contact}</div>
</div>
</footer>`;
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** For a double-quoted attribute. */
function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
