import { startDynamoDbLocal } from '../../local/dynamodb-local';

// A Node process that starts DynamoDB Local, prints its endpoint and waits: a line on stdin makes it
// exit without closing DynamoDB Local, or it is killed. What a crashed test worker leaves behind.
const dynamo = await startDynamoDbLocal();
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint, pid: dynamo.pid })}\n`);
process.stdin.once('data', () => process.exit(0));
