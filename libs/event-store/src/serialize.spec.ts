import { serializeBatch } from './internal';
import { EventStoreLimitError } from './port';

describe('serializeBatch on values JSON.stringify cannot take', () => {
  it('a payload nested too deeply is refused as a limit (EventStoreLimitError), never a RangeError', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    const attempt = () => serializeBatch('s', [{ id: 'e1', type: 'T', data: deep }], 1e9);
    expect(attempt).toThrow(EventStoreLimitError);
    expect(attempt).toThrow(/data is nested too deeply to store/);
    expect(() =>
      serializeBatch('s', [{ id: 'e1', type: 'T', data: {}, metadata: { x: deep } }], 1e9),
    ).toThrow(/metadata is nested too deeply/);
  });

  it('a value JSON cannot represent is a TypeError naming the event', () => {
    expect(() => serializeBatch('s', [{ id: 'e1', type: 'T', data: { n: 1n } }], 1e9)).toThrow(
      /event e1: data must be JSON-serializable/,
    );
  });
});
