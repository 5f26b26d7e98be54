import { readFileSync } from 'node:fs';
import type { StockStore } from '../src/app/ports';
import type { Catalog } from '../src/domain/catalog';
import { applyStockChanges, parseStockCsv } from '../src/ops/stock';

/** The sample stock a new local table starts with. */
export const SAMPLE_STOCK_FILE = new URL('../catalog/stock.sample.csv', import.meta.url);

/**
 * Seeds a new local table with the sample stock: the file's rows for SKUs the catalog tracks (a
 * shop's own catalog may track others, which start at nothing). Returns the summary line.
 */
export async function seedSampleStock(catalog: Catalog, stock: StockStore, now: number): Promise<string> {
  const text = readFileSync(SAMPLE_STOCK_FILE, 'utf8');
  const tracked = (line: string) => {
    const sku = line.split(',')[0]?.trim() ?? '';
    return catalog.sellablesBySku.get(sku)?.inventory.tracked === true;
  };
  const [header = '', ...rows] = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const changes = parseStockCsv(catalog, [header, ...rows.filter(tracked)].join('\n'));
  await applyStockChanges(stock, changes, now);
  const trackedCount = catalog.sellables.filter((s) => s.inventory.tracked).length;
  const missing = trackedCount - changes.length;
  return (
    `Stock           ${changes.length} tracked SKU(s) seeded from catalog/stock.sample.csv` +
    (missing > 0 ? `; ${missing} start at 0 (npm run stock -- set <SKU> <qty>)` : '')
  );
}
