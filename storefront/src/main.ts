import { createApiClient } from './api';
import { h } from './dom';
import { parseShopConfig, type ShopConfig } from './shop-config';
import { startShopPage } from './shop-page';
import { startSuccessPage } from './success-page';

/**
 * The storefront's entry point. The API base comes from `<meta name="cart-api-base">`: empty means
 * this page's own origin; a storefront hosted elsewhere names the API's origin there (and that
 * origin must be on the API's `ALLOWED_ORIGINS`). The shop's own texts come from the page's
 * `<meta name="shop-config">` (filled from `shop.json` when the page was built).
 */
function main() {
  const root = document.getElementById('app');
  if (!root) return;
  const shop = readShopConfig();
  const baseUrl = document.querySelector<HTMLMetaElement>('meta[name="cart-api-base"]')?.content.trim() ?? '';
  const api = createApiClient({ baseUrl });
  const store = window.localStorage;
  const path = window.location.pathname.replace(/\/+$/, '');
  if (path.endsWith('/checkout/success')) {
    if (shop) document.title = `Order received — ${shop.name}`;
    // This page has no cart to skip to.
    document.querySelector('.skip-link')?.remove();
    startSuccessPage({
      root,
      api,
      store,
      sessionId: new URLSearchParams(window.location.search).get('session_id'),
      contact: shop?.contact ?? null,
    });
    return;
  }
  const cancelled = path.endsWith('/checkout/cancel');
  if (cancelled && shop) document.title = `Checkout cancelled — ${shop.name}`;
  startShopPage({ root, api, store, cancelled, navigate: (url) => window.location.assign(url) }).catch(
    (err: unknown) => {
      console.error(err);
      root.replaceChildren(
        h('p', { class: 'alert error' }, 'The shop could not start. Please reload the page.'),
      );
    },
  );
}

/**
 * The config the build wrote into the page. It was checked then; should the page have been edited
 * by hand since, the shop still works, with the page's own title and no contact line.
 */
function readShopConfig(): ShopConfig | null {
  try {
    const json = document.querySelector<HTMLMetaElement>('meta[name="shop-config"]')?.content ?? '';
    return parseShopConfig(JSON.parse(json), '<meta name="shop-config">');
  } catch (err: unknown) {
    console.error(err);
    return null;
  }
}

main();
