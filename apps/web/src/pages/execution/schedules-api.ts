import { queryOptions } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { unwrap } from '../../api/errors';
import { planKeys } from '../../api/queries';

export type Schedule = Schemas['Schedule'];
export type CreateScheduleBody = Schemas['CreateSchedule'];
export type ScheduleAction = 'pause' | 'resume' | 'trigger';

/** Under the plan's keys: a schedule event on the plan's stream (fired, skipped, paused…) refreshes it. */
export const schedulesQuery = (id: string) =>
  queryOptions({
    queryKey: [...planKeys.plan(id), 'schedules'] as const,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/plans/{id}/schedules', { params: { path: { id } }, signal })).schedules,
  });

const schedulePath = (id: string, sid: string) => ({ params: { path: { id, sid } } });

/** The schedule requests (docs/schedules.md); each returns the schedule's view or throws ApiError. */
export const scheduleApi = {
  create: async (id: string, body: CreateScheduleBody): Promise<Schedule> =>
    unwrap(await api.POST('/api/plans/{id}/schedules', { params: { path: { id } }, body })),
  act: async (id: string, sid: string, action: ScheduleAction): Promise<Schedule> => {
    const init = { ...schedulePath(id, sid), body: {} };
    if (action === 'pause') return unwrap(await api.POST('/api/plans/{id}/schedules/{sid}/pause', init));
    if (action === 'resume') return unwrap(await api.POST('/api/plans/{id}/schedules/{sid}/resume', init));
    return unwrap(await api.POST('/api/plans/{id}/schedules/{sid}/trigger', init));
  },
  remove: async (id: string, sid: string): Promise<Schedule> =>
    unwrap(await api.DELETE('/api/plans/{id}/schedules/{sid}', schedulePath(id, sid))),
};
