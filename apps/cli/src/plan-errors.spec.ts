import { ApiError, type ApiErrorBody } from './api-client';
import { CliError } from './errors';
import { errorLines, explainPlanningError } from './plan-errors';

const apiError = (status: number, code: string, message: string, details: string[] = []) =>
  new ApiError(status, message, { statusCode: status, message, code } as ApiErrorBody, details);

describe('explainPlanningError', () => {
  it('503 llm_unavailable: says where to set ANTHROPIC_API_KEY', () => {
    const e = explainPlanningError(
      apiError(503, 'llm_unavailable', 'ANTHROPIC_API_KEY is not set'),
    ) as CliError;
    expect(e.message).toBe('Claude is not available: ANTHROPIC_API_KEY is not set');
    expect(e.details[0]).toMatch(/set ANTHROPIC_API_KEY in its environment \(or ANTHROPIC_BASE_URL/);
  });

  it('502 llm_invalid_output: nothing was written, try again; the issues follow', () => {
    const e = explainPlanningError(
      apiError(502, 'llm_invalid_output', 'still invalid; nothing was written', [
        'T1 depends on T404 [schema]',
      ]),
    ) as CliError;
    expect(e.message).toMatch(
      /^the model's output was invalid even after a repair turn; nothing was written — try again/,
    );
    expect(e.details).toEqual(['T1 depends on T404 [schema]']);
  });

  it('409 stale_suggestions and stale_revision are explained', () => {
    const stale = explainPlanningError(
      apiError(409, 'stale_suggestions', 'suggestion set set_1 was made against revision 1'),
    ) as CliError;
    expect(stale.message).toBe('these suggestions no longer apply: the plan changed since the review');
    expect(stale.details).toEqual([
      'suggestion set set_1 was made against revision 1',
      'review again to get suggestions for the current revision',
    ]);
    const raced = explainPlanningError(
      apiError(409, 'stale_revision', 'expected 2', ['current revision: 3']),
    ) as CliError;
    expect(raced.message).toMatch(/^the plan changed while the model was working; nothing was written/);
    expect(raced.details).toEqual(['current revision: 3']);
  });

  it('leaves other errors alone, and prints them like the CLI does', () => {
    const other = apiError(404, 'plan_not_found', 'plan p9 not found');
    expect(explainPlanningError(other)).toBe(other);
    expect(errorLines(apiError(502, 'llm_invalid_output', 'x', ['a', 'b']))).toEqual([
      "error: the model's output was invalid even after a repair turn; nothing was written — try again (more specific feedback often helps)",
      '  - a',
      '  - b',
    ]);
    expect(errorLines(new Error('boom'))).toEqual(['error: boom']);
  });
});
