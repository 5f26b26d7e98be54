/**
 * Prices and their products: the ones seeded at start (a catalog's Stripe Price IDs, served by
 * `GET /v1/prices/:id`) and the inline ones a session's `price_data` creates. Also turns a
 * session's `line_items[]` entry into the price, amount and description of its line.
 */
import { type ApiRoute, route } from './api-route';
import { invalidParam, resourceMissing } from './errors';
import type { FormObject } from './form';
import type { IdKind } from './ids';
import { checkExpand } from './list-and-expand';
import { buildPrice, buildProduct, type PriceObject, type ProductObject, snapshot } from './objects';
import { expandOnlySchema, type LineItemParams } from './schemas';

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
}

/** The endpoints of this module, for the API router. */
export const PRICE_ROUTES: readonly ApiRoute[] = [
  route('GET', '/v1/prices/:id', (r, c) => r.prices.retrieve(c.id, c.params)),
];

/** Prices and products by id. */
export class PriceStore {
  readonly prices = new Map<string, PriceObject>();
  readonly products = new Map<string, ProductObject>();

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
  }

  /** Replaces prices and products with saved ones, then seeds over them (see {@link seed}). */
  restore(prices: readonly PriceObject[], products: readonly ProductObject[], created: number): void {
    this.prices.clear();
    this.products.clear();
    for (const product of products) this.products.set(product.id, product);
    for (const price of prices) this.prices.set(price.id, price);
    this.seed(created);
  }

  /** `GET /v1/prices/:id` (seeded prices and the inline prices sessions created). */
  retrieve(id: string, raw: FormObject): PriceObject {
    const expand = checkExpand(expandOnlySchema.parse(raw, '').expand, ['product']);
    const price = this.prices.get(id);
    if (!price) throw resourceMissing('price', id);
    const view = snapshot(price);
    if (expand.includes('product') && typeof view.product === 'string') {
      const product = this.products.get(view.product);
      if (product) view.product = snapshot(product);
    }
    return view;
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
    this.seed(created);
  }
}

function productIdOf(price: PriceObject): string {
  return typeof price.product === 'string' ? price.product : price.product.id;
}
