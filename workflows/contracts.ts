/**
 * The message definitions the session workflow's modules use, imported from this one place: when
 * they move to @chunkwise/contracts, only this line changes.
 */
export * from './messages';
