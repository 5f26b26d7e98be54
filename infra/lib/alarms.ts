import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** The namespace the handlers' Powertools Metrics publish to (`POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'CartCheckout';

/** The figures of one alarm; what to do about it is in docs/operations.md under its `id`. */
export interface AlarmSpec {
  /** Stable id, also the tail of the alarm's name: `cart-checkout-<stage>-<id>`. */
  readonly id: string;
  readonly metric: IMetric;
  /** Alarms at or above this value in one evaluation period. */
  readonly threshold: number;
  readonly description: string;
  readonly evaluationPeriods?: number;
}

/**
 * Makes alarms that notify the operator's SNS topic both when they fire and when they recover.
 * Missing data counts as fine: most of these metrics only exist when something went wrong.
 */
export function createAlarmFactory(scope: Construct, options: { topic: ITopic; namePrefix: string }) {
  const action = new SnsAction(options.topic);
  return (spec: AlarmSpec): Alarm => {
    const alarm = new Alarm(scope, `Alarm-${spec.id}`, {
      alarmName: `${options.namePrefix}-${spec.id}`,
      alarmDescription: `${spec.description} See docs/operations.md#${spec.id}.`,
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  };
}

/** A sum over `period` (five minutes by default) of one of the application's own EMF metrics. */
export function applicationMetric(
  metricName: string,
  serviceName: string,
  period: Duration = Duration.minutes(5),
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: serviceName },
    statistic: 'Sum',
    period,
  });
}
