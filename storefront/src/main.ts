import { createApiClient } from './api';
import { h } from './dom';
import { startShopPage } from './shop-page';
import { startSuccessPage } from './success-page';

/**
 * The storefront's entry point. The API base comes from `<meta name="cart-api-base">`: empty means
 * this page's own origin; a storefront hosted elsewhere names the API's origin there (and that
 * origin must be on the API's `ALLOWED_ORIGINS`).
 */
function main() {
  const root = document.getElementById('app');
  if (!root) return;
  const baseUrl = document.querySelector<HTMLMetaElement>('meta[name="cart-api-base"]')?.content.trim() ?? '';
  const shopName = document.querySelector<HTMLMetaElement>('meta[name="shop-name"]')?.content.trim() ?? '';
  const api = createApiClient({ baseUrl });
  const store = window.localStorage;
  const path = window.location.pathname.replace(/\/+$/, '');
  if (path.endsWith('/checkout/success')) {
    document.title = `Order received — ${shopName}`;
    startSuccessPage({
      root,
      api,
      store,
      sessionId: new URLSearchParams(window.location.search).get('session_id'),
    });
    return;
  }
  const cancelled = path.endsWith('/checkout/cancel');
  if (cancelled) document.title = `Checkout cancelled — ${shopName}`;
  startShopPage({ root, api, store, cancelled, navigate: (url) => window.location.assign(url) }).catch(
    (err: unknown) => {
      console.error(err);
      root.replaceChildren(
        h('p', { class: 'alert error' }, 'The shop could not start. Please reload the page.'),
      );
    },
  );
}

main();
