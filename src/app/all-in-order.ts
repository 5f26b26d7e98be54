/**
 * Runs independent steps together and waits for every one of them (none is left running when it
 * returns or throws), then throws the first failure in the order the steps are given, so the error
 * a caller sees does not depend on which round trip came back first.
 */
export async function allInOrder<T extends readonly unknown[]>(
  steps: readonly [...{ [K in keyof T]: Promise<T[K]> }],
): Promise<T> {
  const results = await Promise.allSettled(steps);
  const values: unknown[] = [];
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values as unknown as T;
}
