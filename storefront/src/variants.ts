import type {
  Availability,
  CartItem,
  CatalogProduct,
  CatalogVariant,
  ErrorDetail,
  QuoteHint,
} from './api-types';
import { addToCart, type Cart, quantityOf } from './cart';
import { formatMoney } from './messages';

/*
 * Sizes, stock and the cart, without a DOM. A cart names VARIANT SKUs (a product without sizes is its
 * own single variant); limits are per product (all sizes together) and per SKU (what is left).
 */

/** A SKU a cart may name, with its product. */
export interface Sellable {
  readonly sku: string;
  readonly product: CatalogProduct;
  readonly variant: CatalogVariant;
  /** As the API names quote lines: "Classic Tee — Black, M"; the product's name when it has no sizes. */
  readonly name: string;
}

/** The catalog looked up by product SKU and by the SKUs a cart may name. */
export interface CatalogIndex {
  readonly products: ReadonlyMap<string, CatalogProduct>;
  readonly sellables: ReadonlyMap<string, Sellable>;
}

/** What is known of a SKU's stock now (the freshest of the catalog and the quotes). */
export type AvailabilityOf = (sku: string) => Availability | null;

export const EMPTY_INDEX: CatalogIndex = { products: new Map(), sellables: new Map() };

export function indexCatalog(products: readonly CatalogProduct[]): CatalogIndex {
  const sellables = new Map<string, Sellable>();
  for (const product of products) {
    for (const variant of product.variants) {
      sellables.set(variant.sku, {
        sku: variant.sku,
        product,
        variant,
        name: sellableName(product, variant),
      });
    }
  }
  return { products: new Map(products.map((p) => [p.sku, p])), sellables };
}

export function hasSizes(product: CatalogProduct): boolean {
  return product.options.length > 0;
}

function sellableName(product: CatalogProduct, variant: CatalogVariant): string {
  return variant.label ? `${product.name}, ${variant.label}` : product.name;
}

/** The catalog's own word on a SKU's stock. */
export function catalogAvailability(index: CatalogIndex, sku: string): Availability | null {
  return index.sellables.get(sku)?.variant.availability ?? null;
}

/**
 * The most units of a SKU a cart can hold by its stock: nothing when sold out, what is left when
 * counted; no limit on backorder, for untracked stock, or when the stock could not be read
 * (checkout's hold decides then).
 */
export function stockCap(availability: Availability | null): number {
  if (!availability) return Number.POSITIVE_INFINITY;
  if (availability.status === 'sold_out') return 0;
  if (availability.backorder || availability.status === 'backorder' || availability.available === null) {
    return Number.POSITIVE_INFINITY;
  }
  return availability.available;
}

/** Why a line can grow no further. */
export type LimitReason = 'product_max' | 'stock' | 'sold_out';

export interface LineLimit {
  /** The most units of this SKU the cart may hold, given the product's other sizes in it. */
  readonly max: number;
  readonly reason: LimitReason;
}

/** All units of a product in the cart, every size together. */
export function unitsOfProduct(cart: Cart, productSku: string, index: CatalogIndex): number {
  return cart.reduce(
    (sum, line) => sum + (index.sellables.get(line.sku)?.product.sku === productSku ? line.quantity : 0),
    0,
  );
}

/**
 * The most units of `sku` the cart may hold: the product's `maxQuantity` less its other sizes in the
 * cart, and no more than what is left of this size.
 */
export function lineLimit(
  cart: Cart,
  sku: string,
  index: CatalogIndex,
  availability: AvailabilityOf,
): LineLimit {
  const sellable = index.sellables.get(sku);
  if (!sellable) return { max: quantityOf(cart, sku), reason: 'product_max' };
  const others = unitsOfProduct(cart, sellable.product.sku, index) - quantityOf(cart, sku);
  const productRoom = Math.max(0, sellable.product.maxQuantity - others);
  const stock = stockCap(availability(sku));
  if (stock < productRoom) return { max: stock, reason: stock === 0 ? 'sold_out' : 'stock' };
  return { max: productRoom, reason: 'product_max' };
}

/** Why nothing was added, for the polite announcement. */
export function limitMessage(limit: LineLimit, sellable: Sellable): string {
  switch (limit.reason) {
    case 'sold_out':
      return `${sellable.name} is sold out.`;
    case 'stock':
      return `Only ${limit.max} of ${sellable.name} left, and your cart has ${limit.max === 1 ? 'it' : 'them all'}.`;
    case 'product_max':
      return hasSizes(sellable.product)
        ? `You already have the most we sell at once of ${sellable.product.name} (all sizes together).`
        : `You already have the most we sell at once of ${sellable.product.name}.`;
  }
}

/** Lowers a product's lines, first lines first, so that all its sizes together are at most `max`. */
export function clampProduct(cart: Cart, productSku: string, max: number, index: CatalogIndex): Cart {
  let room = Math.max(0, max);
  let changed = false;
  const kept: CartItem[] = [];
  for (const line of cart) {
    if (index.sellables.get(line.sku)?.product.sku !== productSku) {
      kept.push(line);
      continue;
    }
    const quantity = Math.min(line.quantity, room);
    room -= quantity;
    if (quantity !== line.quantity) changed = true;
    if (quantity > 0) kept.push({ sku: line.sku, quantity });
  }
  return changed ? kept : cart;
}

export interface CartRepair {
  readonly cart: Cart;
  /** Lines taken out: no longer sold. */
  readonly removed: readonly string[];
  /** Products a saved line named without a size (before sizes existed): the customer must choose one. */
  readonly needsSize: readonly CatalogProduct[];
  /** Products whose quantities were lowered to the most sold at once. */
  readonly lowered: readonly CatalogProduct[];
}

/**
 * A saved cart checked against the catalog: lines the catalog no longer sells are taken out; a line
 * naming a product that now has sizes (a cart saved before sizes) cannot become any one size, so it
 * is taken out and its product named for the customer to choose; each product's sizes together are
 * lowered to its maximum. Stock is left to the quote, which marks what is short.
 */
export function reconcileSavedCart(cart: Cart, index: CatalogIndex): CartRepair {
  const removed: string[] = [];
  const needsSize = new Map<string, CatalogProduct>();
  let kept: Cart = [];
  for (const line of cart) {
    if (index.sellables.has(line.sku)) {
      kept = [...kept, line];
      continue;
    }
    const product = index.products.get(line.sku);
    if (product && hasSizes(product)) needsSize.set(product.sku, product);
    else removed.push(line.sku);
  }
  const lowered: CatalogProduct[] = [];
  for (const product of index.products.values()) {
    const next = clampProduct(kept, product.sku, product.maxQuantity, index);
    if (next !== kept) lowered.push(product);
    kept = next;
  }
  return { cart: kept, removed, needsSize: [...needsSize.values()], lowered };
}

/**
 * The cart after the API refused it for the lines `details` name (422 `unknown_sku`, `inactive_sku`,
 * `variant_required`, `quantity_out_of_range`); `null` for any other refusal. The catalog the page
 * holds may be older than the API's, so this goes by the answer, not by the catalog.
 */
export function repairRefusedCart(
  cart: Cart,
  code: string | null,
  details: readonly ErrorDetail[],
  index: CatalogIndex,
): CartRepair | null {
  const skus = details.flatMap((d) => (d.sku ? [d.sku] : []));
  switch (code) {
    case 'unknown_sku':
    case 'inactive_sku':
      return { cart: cart.filter((l) => !skus.includes(l.sku)), removed: skus, needsSize: [], lowered: [] };
    case 'variant_required':
      return {
        cart: cart.filter((l) => !skus.includes(l.sku)),
        removed: [],
        needsSize: skus.flatMap((sku) => index.products.get(sku) ?? []),
        lowered: [],
      };
    case 'quantity_out_of_range': {
      let next = cart;
      const lowered: CatalogProduct[] = [];
      for (const detail of details) {
        const sellable = detail.sku ? index.sellables.get(detail.sku) : undefined;
        if (!sellable) continue;
        const max = detail.maxQuantity ?? sellable.product.maxQuantity;
        next = clampProduct(next, sellable.product.sku, max, index);
        lowered.push(sellable.product);
      }
      return { cart: next, removed: [], needsSize: [], lowered };
    }
    default:
      return null;
  }
}

/** What a hint's button does: add those SKUs, or bring the customer to a product's size picker. */
export type HintAction =
  | { readonly kind: 'add'; readonly items: readonly CartItem[]; readonly label: string }
  | { readonly kind: 'choose'; readonly product: CatalogProduct; readonly label: string };

/**
 * A hint's `addition` names products (the pricing's units), and a sized product cannot be put in a
 * cart without a size. A product without sizes is added as it is; a sized product already in the
 * cart in exactly one size, at the product's own price, gets one more of that size when its stock
 * allows; any other sized product makes the button "Choose a size of …", which brings the customer
 * to that product's picker rather than guessing a size. `null`: nothing to offer (no addition, or
 * a product this page does not know).
 */
export function hintAction(
  hint: QuoteHint,
  cart: Cart,
  index: CatalogIndex,
  availability: AvailabilityOf,
): HintAction | null {
  const addition = hint.addition ?? [];
  if (addition.length === 0) return null;
  const items: CartItem[] = [];
  let planned = cart;
  for (const { sku, quantity } of addition) {
    const direct = index.sellables.get(sku);
    const product = index.products.get(sku) ?? direct?.product;
    if (!product) return null;
    const target = direct ? sku : sizeInCart(planned, product, index);
    if (!target) return { kind: 'choose', product, label: `Choose a size of ${product.name}` };
    const limit = lineLimit(planned, target, index, availability);
    if (quantityOf(planned, target) + quantity > limit.max) {
      if (direct) return null;
      return { kind: 'choose', product, label: `Choose a size of ${product.name}` };
    }
    planned = addToCart(planned, target, quantity, limit.max);
    items.push({ sku: target, quantity });
  }
  const names = items.map(({ sku, quantity }) => {
    const name = index.sellables.get(sku)?.name ?? sku;
    return quantity > 1 ? `${quantity} × ${name}` : name;
  });
  return { kind: 'add', items, label: `Add ${names.join(' and ')}` };
}

/** The one size of `product` the cart holds, if exactly one and at the product's own price. */
function sizeInCart(cart: Cart, product: CatalogProduct, index: CatalogIndex): string | null {
  const sizes = cart.filter((line) => index.sellables.get(line.sku)?.product.sku === product.sku);
  const only = sizes.length === 1 ? index.sellables.get(sizes[0]?.sku ?? '') : undefined;
  return only && only.variant.unitAmount === product.unitAmount ? only.sku : null;
}

/** The availability a 409 `out_of_stock` detail tells of its SKU. */
export function availabilityOfShortLine(available: number): Availability {
  // Only a SKU not sold on backorder is refused for being short.
  return available <= 0
    ? { status: 'sold_out', available: 0, message: 'Sold out', backorder: false }
    : { status: 'low_stock', available, message: `Only ${available} left`, backorder: false };
}

/** The lines a 409 `out_of_stock` names, by SKU, with what is left of each. */
export function shortLinesOf(details: readonly ErrorDetail[]): Map<string, number> {
  const short = new Map<string, number>();
  for (const detail of details) {
    if (detail.sku) short.set(detail.sku, Math.max(0, detail.available ?? 0));
  }
  return short;
}

/** Keeps the marks of lines still asking for more than is left (a line fixed or removed loses it). */
export function pruneShortLines(short: ReadonlyMap<string, number>, cart: Cart): Map<string, number> {
  return new Map([...short].filter(([sku, available]) => quantityOf(cart, sku) > available));
}

/** "Only 2 of Logo Hoodie — Black, XL left." / "Logo Hoodie — Black, S is sold out." */
export function describeShortLine(name: string, available: number): string {
  return available <= 0 ? `${name} is sold out.` : `Only ${available} of ${name} left.`;
}

/** The price a card shows: the chosen size's, or the product's ("From $74.00" when sizes differ). */
export function priceLabel(product: CatalogProduct, variant: CatalogVariant | null): string {
  if (variant) return formatMoney(variant.unitAmount, product.currency);
  const amounts = product.variants.map((v) => v.unitAmount);
  const lowest = Math.min(...amounts);
  const varies = amounts.some((amount) => amount !== lowest);
  return `${varies ? 'From ' : ''}${formatMoney(lowest, product.currency)}`;
}
