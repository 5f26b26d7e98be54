import type { CatalogBundle, CatalogProduct, CatalogVariant, PublicCatalog } from './api-types';
import { type Cart, quantityOf } from './cart';
import { h, hidden, replaceChildrenKeepingFocus, setUnavailable } from './dom';
import { describeBundle } from './messages';
import { createSizePicker, type SizePicker } from './size-picker';
import {
  type AvailabilityOf,
  type CatalogIndex,
  hasSizes,
  lineLimit,
  priceLabel,
  stockCap,
  unitsOfProduct,
} from './variants';

/** The product images' intrinsic size (the sample images are square): the box is reserved before they load. */
const IMAGE_SIZE = 480;

/** What the cards show besides the catalog: the cart and what is known of the stock now. */
export interface ProductListView {
  readonly cart: Cart;
  readonly index: CatalogIndex;
  readonly availability: AvailabilityOf;
}

/** The shop's side of the page: the deals on offer and a card per product with its sizes and Add button. */
export interface ProductList {
  readonly deals: HTMLElement;
  readonly list: HTMLUListElement;
  /** Draws the catalog's deals and products. */
  show(catalog: PublicCatalog): void;
  /** Says the products could not be loaded (the alert with "Try again" is the cart's). */
  showLoadError(): void;
  /** Redraws each card's stock, price, count in the cart and whether Add can add. */
  update(view: ProductListView): void;
  /** Brings the customer to a product's sizes (a hint's "Choose a size of …"); `false` if it has none to choose. */
  chooseSize(productSku: string): boolean;
}

export interface ProductListOptions {
  /** Add was pressed for this SKU (a chosen size, or a product without sizes). */
  readonly onAdd: (sku: string) => void;
  /** Says a sentence in the page's polite live region. */
  readonly announce: (text: string) => void;
}

/** One card's parts, redrawn in place (a re-render must not lose the chosen size or the focus). */
interface Card {
  readonly product: CatalogProduct;
  readonly picker: SizePicker | null;
  readonly image: HTMLImageElement | null;
  readonly price: HTMLElement;
  readonly note: HTMLElement;
  readonly add: HTMLButtonElement;
  readonly inCart: HTMLElement;
  /** Add was pressed before a size was chosen: the note asks for one until a size is. */
  prompting: boolean;
}

export function createProductList(options: ProductListOptions): ProductList {
  // Hidden until there are deals to show: an empty box that fills later would push the products down.
  const deals = h('section', { class: 'deals', 'aria-labelledby': 'deals-title', hidden: true });
  const list = h('ul', { class: 'products', 'aria-busy': 'true' });
  let cards = new Map<string, Card>();
  let view: ProductListView | null = null;

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
    cards = new Map();
    replaceChildrenKeepingFocus(
      list,
      catalog.products.map((product) => productCard(product, bundles, catalog.currency)),
    );
    if (view) update(view);
  }

  function productCard(
    product: CatalogProduct,
    bundles: ReadonlyMap<string, CatalogBundle>,
    currency: string,
  ) {
    const titleId = `product-${product.sku}`;
    const noteId = `stock-${product.sku}`;
    const add = h(
      'button',
      {
        type: 'button',
        class: 'add-button',
        'data-focus-key': `add-${product.sku}`,
        'aria-describedby': noteId,
      },
      'Add',
      hidden(` ${product.name}`),
      ' to cart',
    );
    const picker = hasSizes(product)
      ? createSizePicker(product, {
          onChange: () => {
            card.prompting = false;
            if (view) drawCard(card, view);
          },
        })
      : null;
    const src = product.images[0] ?? product.variants[0]?.images[0];
    // Named after the product's heading, which comes first for a screen reader (the picture is moved
    // above it by CSS); width and height reserve its box, so nothing shifts when it loads.
    const image = src
      ? h('img', {
          class: 'product-image',
          src,
          alt: product.name,
          width: IMAGE_SIZE,
          height: IMAGE_SIZE,
          loading: 'lazy',
          decoding: 'async',
        })
      : null;
    const card: Card = {
      product,
      picker,
      image,
      price: h('p', { class: 'price' }),
      note: h('p', { class: 'stock-note', id: noteId }),
      add,
      inCart: h('span', { class: 'in-cart' }),
      prompting: false,
    };
    cards.set(product.sku, card);
    add.addEventListener('click', () => pressAdd(card));
    const productBundles = product.bundleIds.flatMap((id) => bundles.get(id) ?? []);
    return h(
      'li',
      { class: 'product', 'data-sku': product.sku, 'aria-labelledby': titleId },
      h('h3', { id: titleId }, product.name),
      image ?? h('div', { class: 'product-image', 'aria-hidden': 'true' }),
      card.price,
      product.description ? h('p', { class: 'description' }, product.description) : null,
      productBundles.length > 0
        ? h(
            'ul',
            { class: 'badges', 'aria-label': `Deals with ${product.name}` },
            productBundles.map((bundle) => h('li', { title: describeBundle(bundle, currency) }, bundle.name)),
          )
        : null,
      picker?.element,
      card.note,
      h('div', { class: 'product-actions' }, add, card.inCart),
    );
  }

  /** The variant Add would add: the chosen size, or the product itself when it has no sizes. */
  function variantOf(card: Card): CatalogVariant | null {
    return card.picker ? card.picker.chosen() : (card.product.variants[0] ?? null);
  }

  function pressAdd(card: Card) {
    const variant = variantOf(card);
    if (variant) {
      options.onAdd(variant.sku);
      return;
    }
    card.prompting = true;
    if (view) drawCard(card, view);
    if (card.picker?.focus()) options.announce(`Choose a size of ${card.product.name} first.`);
    else options.announce(`${card.product.name} is sold out.`);
  }

  function drawCard(card: Card, current: ProductListView) {
    const { product, picker } = card;
    const { cart, index, availability } = current;
    picker?.update(availability);
    const variant = variantOf(card);
    card.price.textContent = priceLabel(product, picker ? variant : (product.variants[0] ?? null));
    const src = variant?.images[0] ?? product.images[0];
    if (card.image && src && card.image.getAttribute('src') !== src) card.image.src = src;

    const allSoldOut = product.variants.every((v) => stockCap(availability(v.sku)) === 0);
    const status = variant ? availability(variant.sku) : null;
    let note = '';
    let tone: string = status?.status ?? '';
    if (variant) note = status?.message ?? '';
    else if (allSoldOut) [note, tone] = ['Sold out', 'sold_out'];
    else if (card.prompting) [note, tone] = ['Choose a size first.', 'prompt'];
    card.note.textContent = note;
    card.note.dataset.status = tone;

    const units = unitsOfProduct(cart, product.sku, index);
    card.inCart.textContent = units > 0 ? `${units} in cart` : '';
    // Unavailable, not disabled: the button keeps the focus of the keyboard user who pressed it, and
    // a further press says why nothing is added.
    const full = variant
      ? quantityOf(cart, variant.sku) >= lineLimit(cart, variant.sku, index, availability).max
      : allSoldOut || units >= product.maxQuantity;
    setUnavailable(card.add, full);
  }

  function update(next: ProductListView) {
    view = next;
    for (const card of cards.values()) drawCard(card, next);
  }

  function showLoadError() {
    list.setAttribute('aria-busy', 'false');
    replaceChildrenKeepingFocus(
      list,
      h('li', { class: 'load-error', 'data-testid': 'catalog-error' }, 'The products could not be loaded.'),
    );
  }

  function chooseSize(productSku: string): boolean {
    const card = cards.get(productSku);
    if (!card?.picker) return false;
    card.prompting = true;
    if (view) drawCard(card, view);
    return card.picker.focus();
  }

  return { deals, list, show, showLoadError, update, chooseSize };
}
