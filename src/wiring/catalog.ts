import catalogData from '../../catalog/catalog.json';
import { createDynamoStockStore } from '../adapters/dynamodb/stock-store';
import { createTableClient, type TableClient } from '../adapters/dynamodb/table-client';
import { createJsonTelemetry } from '../adapters/json-telemetry';
import type { Telemetry } from '../app/telemetry';
import { type Env, EnvReader, readAllowedOrigins, type SecretResolver } from '../config';
import { type Catalog, parseCatalog } from '../domain/catalog';
import type { ApiHandler } from '../http/route';
import { createCatalogRoute } from '../http/routes/catalog';

/** What can be swapped when wiring (tests, the local stack, benchmarks). */
export interface WiringOverrides {
  readonly catalog?: Catalog;
  readonly telemetry?: Telemetry;
  readonly now?: () => number;
  readonly resolveSecret?: SecretResolver;
}

let bundledCatalog: Catalog | undefined;

/** The catalog shipped with the code, validated once per process. */
export function loadBundledCatalog(): Catalog {
  bundledCatalog ??= parseCatalog(catalogData);
  return bundledCatalog;
}

/** JSON logs and EMF metrics under the configured service name, unless overridden. */
export function telemetryFor(env: Env, overrides: WiringOverrides): Telemetry {
  return (
    overrides.telemetry ??
    createJsonTelemetry({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'cart-checkout' })
  );
}

/**
 * `GET /catalog` needs no secret: the catalog, the CORS allowlist, and (when the catalog tracks stock)
 * the table's stock items, read-only.
 */
export function buildCatalogHandler(
  env: Env,
  overrides: WiringOverrides & { readonly tableClient?: TableClient } = {},
): ApiHandler {
  const reader = new EnvReader(env);
  const catalog = overrides.catalog ?? loadBundledCatalog();
  const tableName = reader.optional('COMMERCE_TABLE');
  const stock =
    tableName && catalog.sellables.some((s) => s.inventory.tracked)
      ? createDynamoStockStore({
          client:
            overrides.tableClient ??
            createTableClient({ endpoint: reader.optional('DYNAMODB_ENDPOINT'), region: env.AWS_REGION }),
          tableName,
        })
      : null;
  return createCatalogRoute({
    catalog,
    stock,
    allowedOrigins: readAllowedOrigins(reader),
    telemetry: telemetryFor(env, overrides),
  });
}
