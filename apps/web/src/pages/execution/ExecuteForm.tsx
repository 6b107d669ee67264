import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { PlanDetail } from '../../api/client';
import { planKeys } from '../../api/queries';
import { Busy } from '../../components/Busy';
import { ErrorMessage } from '../../components/ErrorMessage';
import { sessionApi, type ExecuteBody } from './execution-api';

type AgentChoice = 'plan' | 'claude-code' | 'anthropic';

/**
 * "Execute": starts a session with the plan's own execution settings (an empty body). Options:
 * where to start, and an agent for this session only.
 */
export function ExecuteForm({ plan }: { plan: PlanDetail }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [from, setFrom] = useState<'current' | 'beginning'>('current');
  const [agent, setAgent] = useState<AgentChoice>('plan');
  const [model, setModel] = useState('');
  const execute = useMutation({
    mutationFn: (body: ExecuteBody) => sessionApi.execute(plan.id, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: planKeys.plan(plan.id) }),
  });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const body: ExecuteBody = {};
    if (from !== 'current') body.from = from;
    if (agent !== 'plan') {
      body.options = {
        agent: model.trim() ? { type: agent, model: model.trim() } : { type: agent },
      };
    }
    execute.mutate(body);
  };
  const again = plan.status !== 'ready';
  return (
    <form className="card execute-form" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{again ? 'Execute again' : 'Ready to execute'}</h3>
      <p className="muted">
        Runs revision {plan.finalizedRevision ?? plan.revision} with the plan’s execution settings
        {plan.repository ? (
          <>
            {' '}
            in <code>{plan.repository}</code>
          </>
        ) : null}
        .
      </p>
      <details>
        <summary>Options</summary>
        <div className="grid">
          <label htmlFor={`${id}-from`}>Start from</label>
          <select id={`${id}-from`} value={from} onChange={(e) => setFrom(e.target.value as typeof from)}>
            <option value="current">Where it stands (keep completed tasks)</option>
            <option value="beginning">The beginning (run every task again)</option>
          </select>
          <label htmlFor={`${id}-agent`}>Agent</label>
          <select id={`${id}-agent`} value={agent} onChange={(e) => setAgent(e.target.value as AgentChoice)}>
            <option value="plan">The plan’s agent</option>
            <option value="claude-code">Claude Code</option>
            <option value="anthropic">Anthropic API</option>
          </select>
          {agent !== 'plan' ? (
            <>
              <label htmlFor={`${id}-model`}>Model (optional)</label>
              <input id={`${id}-model`} value={model} onChange={(e) => setModel(e.target.value)} />
            </>
          ) : null}
        </div>
      </details>
      <div className="actions">
        <button type="submit" className="primary" disabled={execute.isPending}>
          Execute
        </button>
      </div>
      {execute.isPending ? <Busy label="Starting the session…" /> : null}
      {execute.isError ? <ErrorMessage error={execute.error} title="Could not start the session" /> : null}
    </form>
  );
}
