/** Workflow type of the plan session workflow (the exported function's name). */
export const SESSION_WORKFLOW = 'planSessionWorkflow';

/** One workflow execution per session: the id names both, so a second start of the same session is refused. */
export const sessionWorkflowId = (planId: string, sessionId: string) => `chunkwise-${planId}-${sessionId}`;
