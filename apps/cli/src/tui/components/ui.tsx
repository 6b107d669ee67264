import { createContext, useContext, useEffect, useState } from 'react';
import { ink } from '../ink-runtime';

/** Shared bits of the components: colour on or off (NO_COLOR), the terminal size, a ticking clock. */

export const ColorContext = createContext(true);

/** A colour name when colour is on, else undefined (NO_COLOR: marks and bold carry the meaning). */
export function useColor(): (name: string) => string | undefined {
  const on = useContext(ColorContext);
  return (name) => (on ? name : undefined);
}

/** The terminal's size, updated on resize (80×24 when unknown). */
export function useSize(): { columns: number; rows: number } {
  const { stdout } = ink().useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `read` only reads stdout
  }, [stdout]);
  return size;
}

/** Now, every `ms` while `active` (for spinners and elapsed times). */
export function useNow(active: boolean, ms = 200): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, ms);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [active, ms]);
  return now;
}

/** The rows of a list to show so that `cursor` stays in view: [start, end). */
export function windowOf(length: number, cursor: number, height: number): [number, number] {
  if (length <= height) return [0, length];
  const start = Math.max(0, Math.min(cursor - Math.floor(height / 2), length - height));
  return [start, start + height];
}

/** `› ` for the focused row, two spaces otherwise: focus never relies on colour alone. */
export const marker = (focused: boolean) => (focused ? '› ' : '  ');
