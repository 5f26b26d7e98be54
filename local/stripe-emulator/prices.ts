/**
 * Prices and their products: the ones seeded at start (a catalog's Stripe Price IDs, or a shop's
 * Stripe catalog of products with images, metadata and several prices each), served by
 * `GET /v1/prices` and `GET /v1/prices/:id` (products: products.ts), and the inline ones a
 * session's `price_data` creates, which lists leave out as Stripe's do. Also turns a session's
 * `line_items[]` entry into the price, amount and description of its line.
 */
import { type ApiRoute, route } from './api-route';
import { invalidParam, resourceMissing } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import { checkExpand, pageOf } from './list-and-expand';
import {
  buildPrice,
  buildProduct,
  type ListObject,
  type PriceObject,
  type ProductObject,
  type RecurringInterval,
  snapshot,
} from './objects';
import { expandOnlySchema, type LineItemParams, priceListSchema } from './schemas';

/** A price the emulator knows before any request, e.g. one per catalog product with a Price ID. */
export interface SeedPrice {
  id: string;
  unitAmount: number;
  currency: string;
  productName: string;
  productId?: string;
  active?: boolean;
  metadata?: Record<string, string>;
}

/**
 * A product the emulator knows before any request, with its prices: a shop's Stripe catalog as
 * `npm run catalog -- pull` reads it.
 */
export interface SeedProduct {
  /** By default the product its first price had in a loaded state file, else a new `prod_…`. */
  id?: string;
  name: string;
  description?: string;
  /** Image URLs, as the product's `images` (Stripe keeps up to 8). */
  images?: string[];
  metadata?: Record<string, string>;
  /** `false` for an archived product. */
  active?: boolean;
  prices: SeedProductPrice[];
}

/** One price of a {@link SeedProduct}. */
export interface SeedProductPrice {
  id: string;
  unitAmount: number;
  currency: string;
  /** `false` for an archived price. */
  active?: boolean;
  nickname?: string;
  metadata?: Record<string, string>;
  /** Makes it a recurring price, which a session in payment mode refuses. */
  recurring?: RecurringInterval;
}

/** A session line as resolved from its parameters, before amounts and discounts are spread. */
export interface ResolvedLine {
  price: PriceObject;
  unitAmount: number;
  quantity: number;
  description: string;
  metadata: Record<string, string>;
}

export interface PriceStoreOptions {
  newId: (kind: IdKind) => string;
  seeds: readonly SeedPrice[];
  productSeeds?: readonly SeedProduct[];
}

/** The endpoints of this module, for the API router. */
export const PRICE_ROUTES: readonly ApiRoute[] = [
  route('GET', '/v1/prices', (r, c) => r.prices.list(c.params)),
  route('GET', '/v1/prices/:id', (r, c) => r.prices.retrieve(c.id, c.params)),
];

/** Prices and products by id, in creation order. */
export class PriceStore {
  readonly prices = new Map<string, PriceObject>();
  readonly products = new Map<string, ProductObject>();
  /** Ids of the products and prices sessions created inline (`price_data`): never listed. */
  readonly inlineIds = new Set<string>();

  constructor(private readonly options: PriceStoreOptions) {}

  /**
   * Creates the seeded prices (and a product for each), stamped `created`. A seeded price that
   * already exists (state loaded from a file) is rebuilt from its seed, which is the catalog as it
   * is now, but keeps its product and creation time, so ids stay stable across restarts.
   */
  seed(created: number): void {
    const seededProducts = new Set<string>();
    for (const seed of this.options.seeds) {
      const existing = this.prices.get(seed.id);
      const productId = seed.productId ?? (existing ? productIdOf(existing) : this.options.newId('product'));
      const product = this.products.get(productId);
      if (!product) {
        this.products.set(
          productId,
          buildProduct({ id: productId, name: seed.productName, active: true, created }),
        );
      } else if (!seededProducts.has(productId)) {
        // A product loaded from a file takes the catalog's current name; the first seed names a shared one.
        product.name = seed.productName;
      }
      seededProducts.add(productId);
      this.prices.set(
        seed.id,
        buildPrice({
          id: seed.id,
          productId,
          unitAmount: seed.unitAmount,
          currency: seed.currency.toLowerCase(),
          active: seed.active ?? true,
          created: existing?.created ?? created,
          metadata: seed.metadata,
        }),
      );
    }
    for (const seed of this.options.productSeeds ?? []) this.seedProduct(seed, created);
  }

  /** A seeded product and its prices; like seeded prices, one already loaded keeps its id and `created`. */
  private seedProduct(seed: SeedProduct, created: number): void {
    const loadedPrice = seed.prices.map((p) => this.prices.get(p.id)).find((p) => p !== undefined);
    const productId = seed.id ?? (loadedPrice ? productIdOf(loadedPrice) : this.options.newId('product'));
    const product = buildProduct({
      id: productId,
      name: seed.name,
      description: seed.description,
      metadata: seed.metadata,
      images: seed.images,
      active: seed.active ?? true,
      created: this.products.get(productId)?.created ?? created,
    });
    product.default_price = seed.prices.find((p) => p.active ?? true)?.id ?? null;
    this.products.set(productId, product);
    for (const price of seed.prices) {
      this.prices.set(
        price.id,
        buildPrice({
          id: price.id,
          productId,
          unitAmount: price.unitAmount,
          currency: price.currency.toLowerCase(),
          active: price.active ?? true,
          created: this.prices.get(price.id)?.created ?? created,
          metadata: price.metadata,
          nickname: price.nickname,
          recurring: price.recurring,
        }),
      );
    }
  }

  /**
   * Replaces prices and products with saved ones (`inlineIds`: those sessions created inline),
   * then seeds over them (see {@link seed}).
   */
  restore(
    prices: readonly PriceObject[],
    products: readonly ProductObject[],
    inlineIds: readonly string[],
    created: number,
  ): void {
    this.prices.clear();
    this.products.clear();
    this.inlineIds.clear();
    for (const product of products) this.products.set(product.id, product);
    for (const price of prices) this.prices.set(price.id, price);
    for (const id of inlineIds) this.inlineIds.add(id);
    this.seed(created);
  }

  /**
   * `GET /v1/prices`: newest first, inline prices left out; active ones unless `active=false`
   * (Stripe's list answers active prices by default); filters `product`, `type`, `currency`;
   * `expand[]=data.product`.
   */
  list(raw: FormObject): ListObject<PriceObject> {
    const params = priceListSchema.parse(raw, '');
    const expand = checkExpand(params.expand, ['data.product']);
    const all = [...this.prices.values()].filter((price) => !this.inlineIds.has(price.id)).reverse();
    const active = params.active ?? true;
    const matching = all.filter(
      (price) =>
        price.active === active &&
        (params.product === undefined || productIdOf(price) === params.product) &&
        (params.type === undefined || price.type === params.type) &&
        (params.currency === undefined || price.currency === params.currency),
    );
    const page = pageOf(
      matching,
      { limit: params.limit ?? 10, startingAfter: params.starting_after, endingBefore: params.ending_before },
      '/v1/prices',
      'price',
      all,
    );
    if (expand.includes('data.product')) {
      for (const price of page.data) this.expandProduct(price);
    }
    return page;
  }

  /** `GET /v1/prices/:id` (seeded prices and the inline prices sessions created). */
  retrieve(id: string, raw: FormObject): PriceObject {
    const expand = checkExpand(expandOnlySchema.parse(raw, '').expand, ['product']);
    const price = this.prices.get(id);
    if (!price) throw resourceMissing('price', id);
    const view = snapshot(price);
    if (expand.includes('product')) this.expandProduct(view);
    return view;
  }

  /** Puts a copy of its product in place of a price's product id. */
  private expandProduct(view: PriceObject): void {
    if (typeof view.product !== 'string') return;
    const product = this.products.get(view.product);
    if (product) view.product = snapshot(product);
  }

  /**
   * The price of `line_items[index]`: an active existing `price`, or an inline `price_data`, for
   * which Stripe creates an inactive product and price that exist only for this session.
   */
  resolveLine(line: LineItemParams, index: number, created: number): ResolvedLine {
    const where = `line_items[${index}]`;
    if (line.price !== undefined && line.price_data !== undefined) {
      throw invalidParam(
        `You may only specify one of these parameters: ${where}[price], ${where}[price_data].`,
        `${where}[price]`,
        'parameters_exclusive',
      );
    }
    if (line.quantity === undefined) {
      throw invalidParam(
        `Missing required param: ${where}[quantity].`,
        `${where}[quantity]`,
        'parameter_missing',
      );
    }
    if (line.price !== undefined) {
      const price = this.prices.get(line.price);
      if (!price) throw resourceMissing('price', line.price, `${where}[price]`);
      if (!price.active) {
        throw invalidParam(
          'The price specified is inactive. This field only accepts active prices.',
          `${where}[price]`,
        );
      }
      if (price.type === 'recurring') {
        throw invalidParam(
          'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.',
          `${where}[price]`,
        );
      }
      const productId = productIdOf(price);
      return {
        price: snapshot(price),
        unitAmount: price.unit_amount ?? 0,
        quantity: line.quantity,
        description: this.products.get(productId)?.name ?? productId,
        metadata: line.metadata ?? {},
      };
    }
    const data = line.price_data;
    if (data === undefined) {
      throw invalidParam(
        `You must specify either ${where}[price] or ${where}[price_data].`,
        `${where}[price]`,
        'parameter_missing',
      );
    }
    if (data.product_data === undefined) {
      throw invalidParam(
        `Missing required param: ${where}[price_data][product_data].`,
        `${where}[price_data][product_data]`,
        'parameter_missing',
      );
    }
    if (data.unit_amount === undefined) {
      throw invalidParam(
        `Missing required param: ${where}[price_data][unit_amount].`,
        `${where}[price_data][unit_amount]`,
        'parameter_missing',
      );
    }
    const product = buildProduct({
      id: this.options.newId('product'),
      name: data.product_data.name,
      description: data.product_data.description,
      metadata: data.product_data.metadata,
      // Stripe creates inline products and prices inactive: they exist only for this session.
      active: false,
      created,
    });
    this.products.set(product.id, product);
    this.inlineIds.add(product.id);
    const price = buildPrice({
      id: this.options.newId('price'),
      productId: product.id,
      unitAmount: data.unit_amount,
      currency: data.currency,
      active: false,
      created,
      taxBehavior: data.tax_behavior,
    });
    this.prices.set(price.id, price);
    this.inlineIds.add(price.id);
    return {
      price: snapshot(price),
      unitAmount: data.unit_amount,
      quantity: line.quantity,
      description: product.name,
      metadata: line.metadata ?? {},
    };
  }

  /** Forgets every price and product, then seeds again (`created` is the time of the reset). */
  reset(created: number): void {
    this.prices.clear();
    this.products.clear();
    this.inlineIds.clear();
    this.seed(created);
  }
}

function productIdOf(price: PriceObject): string {
  return typeof price.product === 'string' ? price.product : price.product.id;
}
