import { chunkSchema } from '@chunkwise/domain';
import { pickChunk, selectedChunks, shortKey } from './chunk-selection';

const ORDER = ['C01_core', 'C02_api', 'C03_cli', 'C04_docs'];
const CHUNKS = ORDER.map((key) => chunkSchema.parse({ key, title: key }));

describe('chunk selection', () => {
  it('one pick prefills the chunk; a second pick closes the range, bottom-top whatever the pick order', () => {
    const none = { selection: '', anchor: null };
    const one = pickChunk(ORDER, none, 'C03_cli');
    expect(one).toEqual({ selection: 'C03', anchor: 'C03_cli' });
    expect(pickChunk(ORDER, one, 'C01_core')).toEqual({ selection: 'C01-C03', anchor: null });
    expect(pickChunk(ORDER, pickChunk(ORDER, none, 'C02_api'), 'C04_docs')).toEqual({
      selection: 'C02-C04',
      anchor: null,
    });
    // Picking the same chunk again keeps it alone; after a range, a pick starts over.
    expect(pickChunk(ORDER, one, 'C03_cli')).toEqual(one);
    expect(pickChunk(ORDER, { selection: 'C01-C03', anchor: null }, 'C04_docs')).toEqual({
      selection: 'C04',
      anchor: 'C04_docs',
    });
    expect(shortKey('C02_api')).toBe('C02');
  });

  it('reads a selection with the API’s own range rule', () => {
    expect(selectedChunks(CHUNKS, '')).toEqual(ORDER);
    expect(selectedChunks(CHUNKS, 'C02-C03')).toEqual(['C02_api', 'C03_cli']);
    expect(selectedChunks(CHUNKS, 'C04_docs')).toEqual(['C04_docs']);
    expect(selectedChunks(CHUNKS, 'C03-C02')).toEqual({ error: 'chunk range C03-C02 is reversed' });
    expect(selectedChunks(CHUNKS, 'C09')).toEqual({
      error: 'chunk C09 not found (known: C01_core, C02_api, C03_cli, C04_docs)',
    });
  });
});
