import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Log, MetricsSink, Telemetry } from '../app/telemetry';
import { sourceMappedStack } from './source-mapped-stacks';

export const METRICS_NAMESPACE = 'CartCheckout';

/**
 * Powertools Logger (JSON lines) and Metrics (CloudWatch EMF). Created once per process: Powertools
 * keeps per-request state (keys, stored metrics) that the route resets after each request.
 */
export function createPowertoolsTelemetry(serviceName: string): Telemetry & { readonly logger: Logger } {
  const logger = new Logger({ serviceName });
  // Made on the first count: a few milliseconds of cold start that routes counting nothing (the
  // catalog) never pay.
  let powertoolsMetrics: Metrics | undefined;
  const metrics: MetricsSink = {
    count: (name, value = 1) => {
      powertoolsMetrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
      powertoolsMetrics.addMetric(name, MetricUnit.Count, value);
    },
    // Publishing nothing would log Powertools' "No application metrics" warning on every request
    // that counts none (every catalog request): log lines that cost money and say nothing.
    flush: () => {
      if (powertoolsMetrics?.hasStoredMetrics()) powertoolsMetrics.publishStoredMetrics();
    },
  };
  return { log: withSourceMappedStacks(logger), logger, metrics };
}

/**
 * The logger, with the stack of each logged error (`{ error: describeError(err) }`) pointing into
 * the sources: the deployed bundles run without `--enable-source-maps` (docs/decisions.md #34).
 */
function withSourceMappedStacks(logger: Logger): Log {
  const mapped = (extra: Record<string, unknown>[]) =>
    extra.map((record) => {
      const error = record.error;
      if (typeof error !== 'object' || error === null || !('stack' in error)) return record;
      if (typeof error.stack !== 'string') return record;
      return { ...record, error: { ...error, stack: sourceMappedStack(error.stack) } };
    });
  return {
    debug: (message, ...extra) => logger.debug(message, ...extra),
    info: (message, ...extra) => logger.info(message, ...extra),
    warn: (message, ...extra) => logger.warn(message, ...mapped(extra)),
    error: (message, ...extra) => logger.error(message, ...mapped(extra)),
    appendKeys: (keys) => logger.appendKeys(keys),
    removeKeys: (keys) => logger.removeKeys(keys),
  };
}
