import { orderTopLevel } from './chunk-order';

describe('orderTopLevel', () => {
  it('keeps the source order when dependencies already point backwards', () => {
    expect(orderTopLevel(4, [[], [0], [0, 1], []])).toEqual([[0], [1], [2], [3]]);
  });

  it('moves a task after what it depends on, otherwise keeping the source order', () => {
    // 0 depends on 2: 2 must come first; 1 and 3 stay where they were relative to the rest.
    expect(orderTopLevel(4, [[2], [], [], []])).toEqual([[1], [2], [0], [3]]);
  });

  it('puts tasks that depend on each other into one group', () => {
    expect(orderTopLevel(4, [[], [2], [1], [1]])).toEqual([[0], [1, 2], [3]]);
  });

  it('handles long chains without exhausting the stack', () => {
    const n = 50_000;
    const edges = Array.from({ length: n }, (_, i) => (i < n - 1 ? [i + 1] : []));
    const order = orderTopLevel(n, edges);
    expect(order[0]).toEqual([n - 1]);
    expect(order[n - 1]).toEqual([0]);
  });
});
