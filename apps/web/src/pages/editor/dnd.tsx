import {
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  useSensor,
  useSensors,
  type Announcements,
  type UniqueIdentifier,
} from '@dnd-kit/core';
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable';

/** Mouse, touch (after a short press on the handle) and keyboard (space, arrows, space). */
export function useEditorSensors() {
  return useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 150, tolerance: 8 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
}

/** What a screen reader hears while an item is dragged: its name and position, never an internal id. */
export function announcementsFor(
  kind: 'task' | 'chunk',
  ids: readonly string[],
  nameOf: (id: string) => string,
): Announcements {
  const n = ids.length;
  const pos = (id: UniqueIdentifier) => ids.indexOf(String(id)) + 1;
  const name = (id: UniqueIdentifier) => `${kind} ${nameOf(String(id))}`;
  return {
    onDragStart: ({ active }) => `Picked up ${name(active.id)}, at position ${pos(active.id)} of ${n}.`,
    onDragOver: ({ active, over }) =>
      over
        ? `${name(active.id)} is over position ${pos(over.id)} of ${n}.`
        : `${name(active.id)} is no longer over a position.`,
    onDragEnd: ({ active, over }) =>
      over
        ? `${name(active.id)} dropped at position ${pos(over.id)} of ${n}.`
        : `${name(active.id)} dropped where it was.`,
    onDragCancel: ({ active }) =>
      `Moving ${name(active.id)} cancelled; it stays at position ${pos(active.id)} of ${n}.`,
  };
}

export const screenReaderInstructions = (kind: 'task' | 'chunk') => ({
  draggable:
    `To move this ${kind}, press space or enter, then the up and down arrow keys, then space or enter ` +
    `to drop it (escape cancels). The “Move ${kind} … up” and “down” buttons do the same one step at a time.`,
});
