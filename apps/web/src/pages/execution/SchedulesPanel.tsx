import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { PlanDetail } from '../../api/client';
import { ErrorMessage } from '../../components/ErrorMessage';
import { StatusBadge } from '../../components/StatusBadge';
import type { StreamEvent } from '../../live/plan-stream';
import { ConfirmButton } from './ConfirmButton';
import {
  scheduleApi,
  schedulesQuery,
  type CreateScheduleBody,
  type Schedule,
  type ScheduleAction,
} from './schedules-api';

type Kind = 'cron' | 'every' | 'at';

const KINDS: Record<Kind, { label: string; input: string; placeholder: string; hint: string }> = {
  cron: {
    label: 'cron (UTC)',
    input: 'Cron expression',
    placeholder: '0 3 * * 1-5',
    hint: 'Five fields in UTC (minute hour day month weekday), or @hourly, @daily, @weekly, @monthly.',
  },
  every: {
    label: 'every interval',
    input: 'Interval',
    placeholder: '1h30m',
    hint: 'An interval: 30s, 15m, 1h30m, 2d.',
  },
  at: {
    label: 'once, at a time',
    input: 'Time (ISO 8601)',
    placeholder: '2030-01-31T09:00:00Z',
    hint: 'A future time with Z or an offset; it runs once.',
  },
};

const PAST: Record<ScheduleAction | 'delete', string> = {
  pause: 'Paused',
  resume: 'Resumed',
  trigger: 'Triggered',
  delete: 'Deleted',
};

const BUTTON: Record<ScheduleAction, string> = { pause: 'Pause', resume: 'Resume', trigger: 'Run now' };
/** What each status allows (a paused schedule cannot be triggered: resume it first). */
const ALLOWED: Partial<Record<Schedule['status'], ScheduleAction[]>> = {
  active: ['pause', 'trigger'],
  paused: ['resume'],
};

/** A next run time in the reader's time zone, with the exact instant as its machine value. */
function RunTime({ iso }: { iso: string }) {
  const d = new Date(iso);
  const text = Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <time dateTime={iso} title={iso}>
      {text}
    </time>
  );
}

function lastScheduleEventPosition(events: StreamEvent[]): number | null {
  for (let i = events.length - 1; i >= 0; i--)
    if (events[i].type.startsWith('Schedule')) return events[i].position;
  return null;
}

/**
 * The plan's schedules (docs/schedules.md): list them, create one (cron, interval or once), pause,
 * resume, run now, delete. Folded until opened, as the usage panel: reading the list asks Temporal
 * about every schedule. Not under the plan's query keys for the same reason: it is read again after
 * its own actions and when a schedule event arrives on the plan's stream.
 */
export function SchedulesPanel({
  plan,
  events = [],
  openAtStart = false,
}: {
  plan: PlanDetail;
  events?: StreamEvent[];
  openAtStart?: boolean;
}) {
  const [open, setOpen] = useState(openAtStart);
  const headingId = useId();
  return (
    <details
      className="card schedules-panel"
      open={open}
      onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary>Schedules</summary>
      {open ? (
        <section aria-labelledby={headingId}>
          <h3 id={headingId} className="sr-only">
            Schedules of this plan
          </h3>
          {plan.status === 'draft' ? (
            <p className="muted">A draft cannot be scheduled: finalize the plan first (Planning tab).</p>
          ) : (
            <ScheduleList plan={plan} events={events} />
          )}
        </section>
      ) : null}
    </details>
  );
}

function ScheduleList({ plan, events }: { plan: PlanDetail; events: StreamEvent[] }) {
  const planId = plan.id;
  const queryClient = useQueryClient();
  const query = schedulesQuery(planId);
  const schedules = useQuery(query);
  const [announcement, setAnnouncement] = useState('');

  // A schedule event (fired, skipped, paused elsewhere…) changes the list: read it again.
  const lastScheduleEvent = lastScheduleEventPosition(events);
  useEffect(() => {
    if (lastScheduleEvent !== null) void queryClient.invalidateQueries({ queryKey: query.queryKey });
  }, [lastScheduleEvent, queryClient, query.queryKey]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: query.queryKey });
  const act = useMutation({
    mutationFn: async ({ schedule, action }: { schedule: Schedule; action: ScheduleAction | 'delete' }) =>
      action === 'delete'
        ? scheduleApi.remove(planId, schedule.scheduleId)
        : scheduleApi.act(planId, schedule.scheduleId, action),
    onMutate: () => setAnnouncement(''),
    onSuccess: (_, { schedule, action }) => setAnnouncement(`${PAST[action]}: ${schedule.description}.`),
    onSettled: refresh,
  });

  const list = schedules.data ?? [];
  return (
    <>
      {schedules.isPending ? <p className="muted">Loading the schedules…</p> : null}
      {schedules.isError ? (
        <ErrorMessage
          error={schedules.error}
          title="Could not load the schedules"
          onRetry={() => void schedules.refetch()}
        />
      ) : null}
      {schedules.isSuccess && list.length === 0 ? (
        <p className="muted">
          No schedules. A schedule runs this plan by itself: on a cron, every interval, or once at a time.
          Each run is a session, as Execute starts one.
        </p>
      ) : null}
      {list.length > 0 ? (
        <ul className="schedule-list" aria-label="Schedules of this plan">
          {list.map((s) => (
            <ScheduleItem
              key={s.scheduleId}
              schedule={s}
              busy={act.isPending}
              onAction={(action) => act.mutate({ schedule: s, action })}
            />
          ))}
        </ul>
      ) : null}
      {act.isError ? <ErrorMessage error={act.error} title="The schedule action failed" /> : null}
      {plan.archived ? (
        <p className="muted">An archived plan cannot be scheduled.</p>
      ) : (
        <CreateScheduleForm
          planId={planId}
          onCreated={(s) => setAnnouncement(`Created: ${s.description}.`)}
        />
      )}
      <p className="sr-only" aria-live="polite" role="status">
        {announcement}
      </p>
    </>
  );
}

function ScheduleItem({
  schedule: s,
  busy,
  onAction,
}: {
  schedule: Schedule;
  busy: boolean;
  onAction: (action: ScheduleAction | 'delete') => void;
}) {
  const next = s.temporal?.nextRunTimes[0];
  const name = s.description;
  return (
    <li className="schedule">
      <div className="schedule-head">
        <strong>{name}</strong> <StatusBadge status={s.status} />
      </div>
      <p className="muted">
        {s.overlap === 'queue' ? 'queues behind an active session' : 'skipped while a session is active'} ·
        from {s.from === 'beginning' ? 'the beginning' : 'where the plan is'} · fired {s.fired} · skipped{' '}
        {s.skipped}
        {s.triggered ? ` · run by hand ${s.triggered}` : ''}
      </p>
      <p>
        {next ? (
          <>
            Next run: <RunTime iso={next} />
          </>
        ) : s.temporal ? (
          'No next run.'
        ) : (
          (s.temporalNote ?? 'Next run unknown (Temporal has no description of it).')
        )}
      </p>
      {s.failure ? <p className="error">{s.failure}</p> : null}
      {s.lastFiring?.outcome === 'skipped' && s.lastFiring.reason ? (
        <p className="muted">Last firing skipped: {s.lastFiring.reason}</p>
      ) : null}
      {s.status !== 'deleted' ? (
        <div className="actions">
          {(ALLOWED[s.status] ?? []).map((action) => (
            <button
              key={action}
              type="button"
              disabled={busy}
              aria-label={`${BUTTON[action]} ${name}`}
              onClick={() => onAction(action)}
            >
              {BUTTON[action]}
            </button>
          ))}
          <ConfirmButton
            label="Delete"
            ariaLabel={`Delete ${name}`}
            question={`Delete the schedule “${name}”?`}
            detail="It will not fire again; sessions it started go on."
            confirmLabel="Yes, delete"
            disabled={busy}
            onConfirm={() => onAction('delete')}
          />
        </div>
      ) : null}
    </li>
  );
}

function CreateScheduleForm({ planId, onCreated }: { planId: string; onCreated: (s: Schedule) => void }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [kind, setKind] = useState<Kind>('cron');
  const [value, setValue] = useState('');
  const [overlap, setOverlap] = useState<CreateScheduleBody['overlap']>('refuse');
  const [from, setFrom] = useState<CreateScheduleBody['from']>('current');
  const create = useMutation({
    mutationFn: (body: CreateScheduleBody) => scheduleApi.create(planId, body),
    onSuccess: (s) => {
      setValue('');
      onCreated(s);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: schedulesQuery(planId).queryKey }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const text = value.trim();
    if (!text) return;
    create.mutate({ [kind]: text, overlap, from });
  };
  const k = KINDS[kind];
  return (
    <form className="schedule-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>New schedule</h4>
      <label htmlFor={`${id}-kind`}>Runs</label>{' '}
      <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
        {(Object.keys(KINDS) as Kind[]).map((key) => (
          <option key={key} value={key}>
            {KINDS[key].label}
          </option>
        ))}
      </select>{' '}
      <label htmlFor={`${id}-value`}>{k.input}</label>{' '}
      <input
        id={`${id}-value`}
        type="text"
        value={value}
        placeholder={k.placeholder}
        aria-describedby={`${id}-hint`}
        onChange={(e) => setValue(e.target.value)}
      />
      <p id={`${id}-hint`} className="muted">
        {k.hint}
      </p>
      <label htmlFor={`${id}-overlap`}>If a session is running</label>{' '}
      <select
        id={`${id}-overlap`}
        value={overlap}
        aria-describedby={`${id}-overlap-hint`}
        onChange={(e) => setOverlap(e.target.value as CreateScheduleBody['overlap'])}
      >
        <option value="refuse">refuse (skip this run)</option>
        <option value="queue">queue (run when it ends)</option>
      </select>{' '}
      <label htmlFor={`${id}-from`}>Each run starts</label>{' '}
      <select
        id={`${id}-from`}
        value={from}
        onChange={(e) => setFrom(e.target.value as CreateScheduleBody['from'])}
      >
        <option value="current">where the plan is (keeps completed tasks)</option>
        <option value="beginning">from the beginning (every task again)</option>
      </select>
      <p id={`${id}-overlap-hint`} className="muted">
        Refuse records a skipped run while a session of the plan is active; queue waits for it to end, then
        runs once.
      </p>
      <button type="submit" disabled={create.isPending || !value.trim()}>
        {create.isPending ? 'Creating…' : 'Create schedule'}
      </button>
      {create.isError ? <ErrorMessage error={create.error} title="Could not create the schedule" /> : null}
    </form>
  );
}
