/**
 * Orders the top-level tasks of a source without groups (Kiro, Task Master) into chunks so that
 * every dependency points to the same or an earlier chunk. `edges[i]` lists the top-level tasks
 * that top-level task `i` depends on (through itself or any of its subtasks).
 *
 * Tasks that depend on each other (a cycle between top-level tasks, e.g. 3.1 → 5.1 and 5.2 → 3.2)
 * cannot be separate chunks; each such group becomes one chunk. Otherwise the order is the source
 * order wherever the dependencies allow it (a stable topological sort).
 */
export function orderTopLevel(n: number, edges: ReadonlyArray<readonly number[]>): number[][] {
  const components = stronglyConnected(n, edges);
  const componentOf = new Array<number>(n);
  components.forEach((members, c) => members.forEach((m) => (componentOf[m] = c)));

  // Condensed graph: an edge c -> d means c must come after d.
  const waitingOn = components.map(() => 0);
  const dependents: number[][] = components.map(() => []);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    for (const j of edges[i]) {
      const c = componentOf[i];
      const d = componentOf[j];
      if (c === d || seen.has(`${c}>${d}`)) continue;
      seen.add(`${c}>${d}`);
      waitingOn[c]++;
      dependents[d].push(c);
    }
  }
  const first = components.map((members) => Math.min(...members));
  const ready = new MinHeap<number>((a, b) => first[a] - first[b]);
  components.forEach((_, c) => waitingOn[c] === 0 && ready.push(c));
  const order: number[][] = [];
  while (ready.size > 0) {
    const c = ready.pop()!;
    order.push([...components[c]].sort((a, b) => a - b));
    for (const d of dependents[c]) if (--waitingOn[d] === 0) ready.push(d);
  }
  return order;
}

/** Tarjan's algorithm, iterative (thousands of tasks must not overflow the stack). */
function stronglyConnected(n: number, edges: ReadonlyArray<readonly number[]>): number[][] {
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const result: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const frames: Array<{ v: number; next: number }> = [{ v: root, next: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const { v } = frame;
      if (frame.next < edges[v].length) {
        const w = edges[v][frame.next++];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          frames.push({ v: w, next: 0 });
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1].v;
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          members.push(w);
        } while (w !== v);
        result.push(members);
      }
    }
  }
  return result;
}

class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.compare(a[i], a[p]) >= 0) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.compare(a[l], a[m]) < 0) m = l;
        if (r < a.length && this.compare(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
