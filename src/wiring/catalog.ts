import catalogData from '../../catalog/catalog.json';
import { createDynamoStockStore } from '../adapters/dynamodb/stock-store';
import { createTableClient, type TableClient } from '../adapters/dynamodb/table-client';
import { createJsonTelemetry } from '../adapters/json-telemetry';
import type { Telemetry } from '../app/telemetry';
import { type Env, EnvReader, readAllowedOrigins, type SecretResolver } from '../config';
import { type Catalog, type CatalogData, catalogOf, parseCatalog } from '../domain/catalog';
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

/**
 * The catalog as the bundling validated it, at build time: `infra/lib/bundling.ts` sets the flag and
 * injects the data into every function's bundle (decision #187). Neither exists where the code runs
 * unbundled (tests, the local stack), which validate the file here instead.
 */
declare const __CATALOG_VALIDATED_AT_BUILD__: true | undefined;
declare const __validatedCatalog: CatalogData;

/**
 * The catalog shipped with the code, validated once: in a function, when it was bundled (its cold
 * start only builds the lookups, and the bundle carries neither the raw file nor the schema);
 * elsewhere, once per process.
 */
export function loadBundledCatalog(): Catalog {
  bundledCatalog ??=
    typeof __CATALOG_VALIDATED_AT_BUILD__ === 'undefined'
      ? parseCatalog(catalogData)
      : catalogOf(__validatedCatalog);
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
