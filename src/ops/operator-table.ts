import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AwsCredentials } from '../adapters/aws/signature-v4';
import { createTableClient, type TableClient } from '../adapters/dynamodb/table-client';

/** The region and credentials an operator's workstation has for AWS. */
export interface OperatorAws {
  readonly region: string;
  readonly credentials: () => Promise<AwsCredentials>;
}

/**
 * What the official SDK resolves on a workstation (environment, profiles, SSO; credentials
 * refreshed as they expire), which the functions' small client does not look for: a function has
 * its role's credentials in its environment. `region` wins over the configured one.
 */
export async function operatorAws(region?: string): Promise<OperatorAws> {
  const sdk = new DynamoDBClient(region ? { region } : {});
  const credentials = sdk.config.credentials;
  return { region: await sdk.config.region(), credentials: () => credentials() };
}

/**
 * The table client of an operator command: for a DynamoDB-compatible endpoint (the local stack's)
 * nothing more; for AWS, with the workstation's region and credentials ({@link operatorAws}).
 */
export async function createOperatorTableClient(options: {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}): Promise<TableClient> {
  if (options.endpoint) return createTableClient({ endpoint: options.endpoint, region: options.region });
  return createTableClient(await operatorAws(options.region));
}
