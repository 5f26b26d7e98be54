import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** The webhook's path ends like this whatever stage prefix WAF sees in front of it. */
export const WEBHOOK_PATH_SUFFIX = '/stripe/webhook';

export interface WebFirewallProps {
  readonly name: string;
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  readonly ratePerIpPerFiveMinutes: number;
  readonly maxBodyBytes: number;
}

const isWebhook: CfnWebACL.StatementProperty = {
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'ENDS_WITH',
    searchString: WEBHOOK_PATH_SUFFIX,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
};
const isNotWebhook: CfnWebACL.StatementProperty = { notStatement: { statement: isWebhook } };

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { metricName, cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true };
}

function managedRuleGroup(
  name: string,
  priority: number,
  options: { scopeDown?: CfnWebACL.StatementProperty; countInstead?: string[] } = {},
): CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(options.scopeDown ? { scopeDownStatement: options.scopeDown } : {}),
        ...(options.countInstead
          ? {
              ruleActionOverrides: options.countInstead.map((rule) => ({
                name: rule,
                actionToUse: { count: {} },
              })),
            }
          : {}),
      },
    },
    visibilityConfig: visibility(name),
  };
}

/**
 * The regional web ACL in front of the API stage. AWS managed rules (common, known bad inputs,
 * IP reputation), a rate limit per client IP and a body size limit. Stripe's webhook is exempt
 * from the rules that inspect the body and from the per-IP rate: its payloads are Stripe's JSON
 * (which could trip generic body signatures), it arrives in bursts from a few Stripe IPs, and its
 * authenticity is proved by the signature the handler verifies, not by WAF.
 */
export class WebFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.name),
      rules: [
        managedRuleGroup('AWSManagedRulesAmazonIpReputationList', 0),
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 1, {
          scopeDown: isNotWebhook,
          // The body size limit is this ACL's own rule below, with the stage's figure.
          countInstead: ['SizeRestrictions_BODY'],
        }),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 2, { scopeDown: isNotWebhook }),
        {
          name: 'RatePerIp',
          priority: 3,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: props.ratePerIpPerFiveMinutes,
              evaluationWindowSec: 300,
              aggregateKeyType: 'IP',
              scopeDownStatement: isNotWebhook,
            },
          },
          visibilityConfig: visibility('RatePerIp'),
        },
        {
          name: 'BodySize',
          priority: 4,
          action: { block: {} },
          statement: {
            andStatement: {
              statements: [
                isNotWebhook,
                {
                  sizeConstraintStatement: {
                    fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
                    comparisonOperator: 'GT',
                    size: props.maxBodyBytes,
                    textTransformations: [{ priority: 0, type: 'NONE' }],
                  },
                },
              ],
            },
          },
          visibilityConfig: visibility('BodySize'),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
