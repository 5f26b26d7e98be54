import { describe, expect, it } from 'vitest';
import { allInOrder } from '../../src/app/all-in-order';

const resolveAfter = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const failAfter = (ms: number, message: string) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message)), ms));

describe('allInOrder', () => {
  it('gives the values in the order of the steps, whichever finished first', async () => {
    await expect(
      allInOrder([resolveAfter(20, 'slow'), resolveAfter(1, 2), Promise.resolve(null)]),
    ).resolves.toEqual(['slow', 2, null]);
  });

  it('throws the first failure in step order, not the first to happen', async () => {
    await expect(allInOrder([failAfter(20, 'first step'), failAfter(1, 'second step')])).rejects.toThrow(
      'first step',
    );
  });

  it('waits for every step before it throws', async () => {
    let finished = false;
    const slow = resolveAfter(20, undefined).then(() => {
      finished = true;
    });
    await expect(allInOrder([Promise.reject(new Error('at once')), slow])).rejects.toThrow('at once');
    expect(finished).toBe(true);
  });
});
