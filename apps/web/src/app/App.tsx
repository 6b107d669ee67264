import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { Busy } from '../components/Busy';
import { Layout } from './Layout';
import { PlanLayout } from './PlanLayout';
import { NotFound } from './NotFound';
import { PlansPage } from '../pages/plans/PlansPage';
const NewPlanPage = lazy(() =>
  import('../pages/new-plan/NewPlanPage').then((m) => ({ default: m.NewPlanPage })),
);
const PlanEditorPage = lazy(() =>
  import('../pages/editor/PlanEditorPage').then((m) => ({ default: m.PlanEditorPage })),
);
const PlanningPage = lazy(() =>
  import('../pages/planning/PlanningPage').then((m) => ({ default: m.PlanningPage })),
);
const ExecutionPage = lazy(() =>
  import('../pages/execution/ExecutionPage').then((m) => ({ default: m.ExecutionPage })),
);
const TemplatesPage = lazy(() =>
  import('../pages/templates/TemplatesPage').then((m) => ({ default: m.TemplatesPage })),
);
const HistoryPage = lazy(() =>
  import('../pages/history/HistoryPage').then((m) => ({ default: m.HistoryPage })),
);

/** The dashboard's pages; all but the plan list load on first use, so the first load stays small. Plan pages share a header (title, status, live state, controls) and tabs. */
export function App() {
  return (
    <Suspense fallback={<Busy label="Loading…" />}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<PlansPage />} />
          <Route path="plans/new" element={<NewPlanPage />} />
          <Route path="templates" element={<TemplatesPage />} />
          <Route path="plans/:id" element={<PlanLayout />}>
            <Route index element={<PlanEditorPage />} />
            <Route path="planning" element={<PlanningPage />} />
            <Route path="run" element={<ExecutionPage />} />
            <Route path="history" element={<HistoryPage />} />
          </Route>
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
