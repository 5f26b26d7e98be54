import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsSink, Telemetry } from '../app/telemetry';

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
  return { log: logger, logger, metrics };
}
