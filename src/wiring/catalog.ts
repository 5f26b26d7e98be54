import catalogData from '../../catalog/catalog.json';
import { createPowertoolsTelemetry } from '../adapters/powertools';
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

/** Powertools logging and metrics under the configured service name, unless overridden. */
export function telemetryFor(env: Env, overrides: WiringOverrides): Telemetry {
  return overrides.telemetry ?? createPowertoolsTelemetry(env.POWERTOOLS_SERVICE_NAME ?? 'cart-checkout');
}

/** `GET /catalog` needs no secret and no table: only the catalog and the CORS allowlist. */
export function buildCatalogHandler(env: Env, overrides: WiringOverrides = {}): ApiHandler {
  return createCatalogRoute({
    catalog: overrides.catalog ?? loadBundledCatalog(),
    allowedOrigins: readAllowedOrigins(new EnvReader(env)),
    telemetry: telemetryFor(env, overrides),
  });
}
