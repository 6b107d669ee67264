import { useOutletContext } from 'react-router';
import type { PlanDetail } from '../api/client';
import type { PlanStream } from '../live/plan-stream';

/** What every plan page receives from PlanLayout: the plan (kept fresh by the stream) and the stream. */
export interface PlanContext {
  plan: PlanDetail;
  stream: PlanStream;
}

export const usePlanContext = () => useOutletContext<PlanContext>();
