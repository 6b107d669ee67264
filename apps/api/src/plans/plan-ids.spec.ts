import { newPlanId, PLAN_ID_PATTERN } from './plan-ids';

describe('newPlanId', () => {
  it('is p_ + 12 lowercase alphanumerics, and random', () => {
    const ids = Array.from({ length: 2000 }, newPlanId);
    for (const id of ids) expect(id).toMatch(PLAN_ID_PATTERN);
    expect(new Set(ids).size).toBe(ids.length);
    // every character of the alphabet shows up somewhere in 24,000 draws
    expect(new Set(ids.join('').slice(0)).size).toBeGreaterThanOrEqual(37);
  });
});
