import { z } from 'zod';

export const dashboardSettingsSchema = z.object({
  temporalUiUrl: z
    .string()
    .nullable()
    .describe(
      'The Temporal Web UI (CHUNKWISE_TEMPORAL_UI_URL); a session is at <url>/namespaces/<ns>/workflows/<id>',
    ),
  temporalNamespace: z.string(),
});
