import { eventIdFromKey } from './event-id';

describe('eventIdFromKey', () => {
  it('is a UUID, the same for the same key and different for different keys', () => {
    const id = eventIdFromKey('s1/0');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFromKey('s1/0')).toBe(id);
    expect(eventIdFromKey('s1/1')).not.toBe(id);
    expect(eventIdFromKey('s2/0')).not.toBe(id);
  });

  it('keeps the ids of events already stored: the derivation never changes', () => {
    expect(eventIdFromKey('session-a/7')).toBe('8d0fb4b6-536c-584c-9ad3-52cbd731204d');
  });
});
