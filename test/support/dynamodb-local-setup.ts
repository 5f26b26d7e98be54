import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's one DynamoDB Local; each test file makes tables of its own in it. */
    dynamoDbLocalEndpoint: string;
  }
}

/**
 * Vitest global setup: one DynamoDB Local (a JVM, about 2 s to start and 150 MB) for the whole run
 * instead of one per test file. Test files share it through tables of their own
 * (`startTestTable`), so they stay isolated while they run in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await startDynamoDbLocal();
  project.provide('dynamoDbLocalEndpoint', dynamo.endpoint);
  return () => dynamo.close();
}
