import type { CatalogBundle, CatalogProduct, PublicCatalog } from './api-types';
import { type Cart, quantityOf } from './cart';
import { h, hidden, replaceChildrenKeepingFocus, setUnavailable } from './dom';
import { describeBundle, formatMoney } from './messages';

/** The shop's side of the page: the deals on offer and a card per product with its Add button. */
export interface ProductList {
  readonly deals: HTMLElement;
  readonly list: HTMLUListElement;
  /** Draws the catalog's deals and products. */
  show(catalog: PublicCatalog): void;
  /** Says the products could not be loaded (the alert with "Try again" is the cart's). */
  showLoadError(): void;
  /** Marks each card with how many are in the cart, and whether the most we sell is reached. */
  markCart(cart: Cart, products: ReadonlyMap<string, CatalogProduct>): void;
}

/** The product list; `onAdd` is called with a product's SKU when its Add button is pressed. */
export function createProductList(options: { readonly onAdd: (sku: string) => void }): ProductList {
  // Hidden until there are deals to show: an empty box that fills later would push the products down.
  const deals = h('section', { class: 'deals', 'aria-labelledby': 'deals-title', hidden: true });
  const list = h('ul', { class: 'products', 'aria-busy': 'true' });

  function show(catalog: PublicCatalog) {
    const bundles = new Map<string, CatalogBundle>(catalog.bundles.map((b) => [b.id, b]));
    deals.hidden = catalog.bundles.length === 0;
    replaceChildrenKeepingFocus(
      deals,
      h('h2', { id: 'deals-title' }, 'Deals'),
      h(
        'ul',
        { class: 'deal-list' },
        catalog.bundles.map((bundle) =>
          h(
            'li',
            { 'data-bundle-id': bundle.id },
            h('strong', {}, bundle.name),
            // A bundle without a description is named for what it does ("Any 3 stickers for $10").
            bundle.description ? ` — ${bundle.description}` : null,
          ),
        ),
      ),
    );
    list.setAttribute('aria-busy', 'false');
    replaceChildrenKeepingFocus(
      list,
      catalog.products.map((product) => productCard(product, bundles, catalog.currency)),
    );
  }

  function productCard(
    product: CatalogProduct,
    bundles: ReadonlyMap<string, CatalogBundle>,
    currency: string,
  ) {
    const titleId = `product-${product.sku}`;
    const addButton = h(
      'button',
      { type: 'button', class: 'add-button', 'data-focus-key': `add-${product.sku}` },
      'Add',
      hidden(` ${product.name}`),
      ' to cart',
    );
    addButton.addEventListener('click', () => options.onAdd(product.sku));
    const productBundles = product.bundleIds.flatMap((id) => bundles.get(id) ?? []);
    return h(
      'li',
      { class: 'product', 'data-sku': product.sku, 'aria-labelledby': titleId },
      h('h3', { id: titleId }, product.name),
      h('p', { class: 'price' }, formatMoney(product.unitAmount, product.currency)),
      product.description ? h('p', { class: 'description' }, product.description) : null,
      productBundles.length > 0
        ? h(
            'ul',
            { class: 'badges', 'aria-label': `Deals with ${product.name}` },
            productBundles.map((bundle) => h('li', { title: describeBundle(bundle, currency) }, bundle.name)),
          )
        : null,
      h('div', { class: 'product-actions' }, addButton, h('span', { class: 'in-cart' })),
    );
  }

  function showLoadError() {
    list.setAttribute('aria-busy', 'false');
    replaceChildrenKeepingFocus(
      list,
      h('li', { class: 'load-error', 'data-testid': 'catalog-error' }, 'The products could not be loaded.'),
    );
  }

  function markCart(cart: Cart, products: ReadonlyMap<string, CatalogProduct>) {
    for (const item of list.querySelectorAll<HTMLElement>('li.product')) {
      const sku = item.dataset.sku ?? '';
      const count = quantityOf(cart, sku);
      const label = item.querySelector('.in-cart');
      if (label) label.textContent = count > 0 ? `${count} in cart` : '';
      const button = item.querySelector<HTMLButtonElement>('.add-button');
      // At the most we sell the button stays focusable; pressing it says why nothing was added.
      if (button)
        setUnavailable(button, count >= (products.get(sku)?.maxQuantity ?? Number.POSITIVE_INFINITY));
    }
  }

  return { deals, list, show, showLoadError, markCart };
}
