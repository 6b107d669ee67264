import { InvalidArgumentError } from 'commander';

/** commander argument parser for a non-negative integer (exit 2 on anything else). */
export function parseNonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number.');
  return Number(value.trim());
}

/** commander argument parser for a TCP port. */
export function parsePort(value: string): number {
  const n = parseNonNegativeInt(value);
  if (n < 1 || n > 65535) throw new InvalidArgumentError('expected a port between 1 and 65535.');
  return n;
}
