/** True when running under CI (CI=true/1): missing infrastructure must then fail tests, not skip them. */
export const inCi = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());
