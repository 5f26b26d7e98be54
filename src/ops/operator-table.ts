import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableClient, type TableClient } from '../adapters/dynamodb/table-client';

/**
 * The table client of an operator command on a workstation. A DynamoDB-compatible endpoint (the
 * local stack's) needs nothing more; for AWS, the official SDK resolves the region and credentials
 * a workstation has (environment, profiles, SSO, refreshed as they expire), which the functions'
 * client does not look for: a function has its role's credentials in its environment.
 */
export async function createOperatorTableClient(options: {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}): Promise<TableClient> {
  if (options.endpoint) return createTableClient({ endpoint: options.endpoint, region: options.region });
  const sdk = new DynamoDBClient(options.region ? { region: options.region } : {});
  const region = await sdk.config.region();
  const credentials = sdk.config.credentials;
  return createTableClient({ region, credentials: () => credentials() });
}
