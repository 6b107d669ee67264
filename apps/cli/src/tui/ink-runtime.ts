/**
 * Ink, loaded once at run time. Ink 6 is ESM only and its layout engine (yoga-layout) uses top-level
 * await, so `require('ink')` fails on Node 20 (ERR_REQUIRE_ASYNC_MODULE) — and our CommonJS build
 * compiles `import()` to `require()`. The import below is created with `new Function` so the compiler
 * leaves it alone and Node runs a native dynamic import. The components reach Ink through `ink()`
 * (type-only imports of 'ink' are erased), so nothing requires it.
 */
type Ink = typeof import('ink');

let loaded: Ink | null = null;

const nativeImport = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

export async function loadInk(): Promise<Ink> {
  loaded ??= (await nativeImport('ink')) as Ink;
  return loaded;
}

/** Gives Ink as loaded elsewhere (component tests: vitest imports it as ESM; `new Function` code cannot import there). */
export function provideInk(module: Ink): void {
  loaded = module;
}

/** Ink's components and hooks (after loadInk). */
export function ink(): Ink {
  if (!loaded) throw new Error('Ink is not loaded: call loadInk() first');
  return loaded;
}
