import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new plan id: `p_` + 12 random lowercase alphanumerics (36^12 ≈ 4.7e18 ids; cryptographic randomness). */
export function newPlanId(): string {
  let id = 'p_';
  for (let i = 0; i < 12; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

export const PLAN_ID_PATTERN = /^p_[a-z0-9]{12}$/;
