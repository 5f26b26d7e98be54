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
  const powertoolsMetrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  const metrics: MetricsSink = {
    count: (name, value = 1) => powertoolsMetrics.addMetric(name, MetricUnit.Count, value),
    flush: () => powertoolsMetrics.publishStoredMetrics(),
  };
  return { log: logger, logger, metrics };
}
