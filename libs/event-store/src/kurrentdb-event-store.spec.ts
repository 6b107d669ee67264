import { describeEventStoreContract } from '../../../test/contracts/event-store.contract';
import { KurrentDbEventStore } from './kurrentdb-event-store';

const KURRENTDB_URL = process.env.KURRENTDB_URL;

if (KURRENTDB_URL) {
  // The server keeps earlier runs' events; the contract uses unique stream names and relative positions.
  describeEventStoreContract('KurrentDbEventStore', async () => {
    const store = new KurrentDbEventStore({ connectionString: KURRENTDB_URL });
    return { store, cleanup: () => store.close() };
  });
} else {
  console.warn(
    'KurrentDbEventStore contract tests SKIPPED: KURRENTDB_URL not set ' +
      "(e.g. KURRENTDB_URL='kurrentdb://127.0.0.1:2113?tls=false' to run them against a server).",
  );
  describe('KurrentDbEventStore', () => {
    it.skip('skipped: KURRENTDB_URL not set', () => undefined);
  });
}
