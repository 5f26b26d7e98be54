/**
 * The catalog as a file: the JSON a catalog is written as (defaults left out, keys in the
 * schema's order, laid out as `biome format` lays out JSON, so the lint passes on a pulled file),
 * and reading and writing it safely.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Catalog, type CatalogData, CatalogError, type Product, parseCatalog } from '../domain/catalog';

/** The project's formatter width (biome.json `lineWidth`). */
const LINE_WIDTH = 110;

/** A catalog as its file holds it: what parses back to the same catalog, without the defaults. */
export function catalogFileOf(catalog: CatalogData): Record<string, unknown> {
  return compact({
    $comment: catalog.$comment,
    version: catalog.version,
    currency: catalog.currency,
    sampleData: catalog.sampleData,
    defaultMaxQuantity: catalog.defaultMaxQuantity,
    lowStockAt: catalog.lowStockAt,
    products: catalog.products.map(productFileOf),
    bundles: catalog.bundles.map((bundle) =>
      compact({ ...bundle, active: bundle.active ? undefined : false }),
    ),
  });
}

function productFileOf(product: Product): Record<string, unknown> {
  return compact({
    sku: product.sku,
    name: product.name,
    description: product.description,
    unitAmount: product.unitAmount,
    currency: product.currency,
    active: product.active,
    stripePriceId: product.stripePriceId,
    maxQuantity: product.maxQuantity,
    collections: product.collections,
    tags: product.tags,
    images: product.images.length > 0 ? product.images : undefined,
    options: product.options.length > 0 ? product.options : undefined,
    variants:
      product.variants.length > 0
        ? product.variants.map((variant) =>
            compact({
              sku: variant.sku,
              options: variant.options,
              unitAmount: variant.unitAmount,
              stripePriceId: variant.stripePriceId,
              active: variant.active ? undefined : false,
              images: variant.images,
              inventory: variant.inventory,
            }),
          )
        : undefined,
    inventory: product.inventory,
  });
}

function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * JSON text as `biome format` writes it with this project's settings: two spaces, objects one key
 * a line, an array of plain values on one line when it fits in the line width (else one value a
 * line), a final newline.
 */
export function formatCatalogJson(value: unknown): string {
  return `${render(value, '', 0)}\n`;
}

/** `used`: characters already on the line before the value and after it (a key, a comma). */
function render(value: unknown, indent: string, used: number): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = `${indent}  `;
    if (value.every(isPlain)) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      if (indent.length + used + flat.length <= LINE_WIDTH) return flat;
    }
    const items = value.map(
      (item, index) => `${inner}${render(item, inner, index < value.length - 1 ? 1 : 0)}`,
    );
    return `[\n${items.map((item, index) => (index < items.length - 1 ? `${item},` : item)).join('\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const lines = entries.map(([key, item], index) => {
      const prefix = `${JSON.stringify(key)}: `;
      const comma = index < entries.length - 1 ? ',' : '';
      return `${inner}${prefix}${render(item, inner, prefix.length + comma.length)}${comma}`;
    });
    return `{\n${lines.join('\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function isPlain(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** A catalog file that could not be read or does not parse; the message says which and why. */
export class CatalogFileError extends Error {
  override readonly name = 'CatalogFileError';
}

/** Reads and validates a catalog file. */
export function readCatalogFile(file: string): Catalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err: unknown) {
    throw new CatalogFileError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err: unknown) {
    throw new CatalogFileError(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return parseCatalog(data);
  } catch (err: unknown) {
    if (err instanceof CatalogError) {
      throw new CatalogFileError(`${file} is not a valid catalog:\n  - ${err.problems.join('\n  - ')}`);
    }
    throw err;
  }
}

/** Writes the text through a temporary file and a rename: the file is the old one or the new one. */
export function writeCatalogFile(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, 'utf8');
  renameSync(temporary, file);
}
