import type { PlanContent } from '@chunkwise/domain';
import { exportChunkwise } from './chunkwise/chunkwise-format';
import { exportKiro } from './kiro/kiro-export';
import { exportMassGen } from './massgen/massgen-export';
import { exportOpenSpec } from './openspec/openspec-export';
import { exportSpecKit } from './speckit/speckit-export';
import { exportTaskMaster } from './taskmaster/taskmaster-export';
import type { ExportedPlan, ExportOptions, FormatId } from './types';

/**
 * Writes plan content in another tool's format. The files read as that tool's own; what the
 * format cannot say is either kept where the tool ignores it (a chunkwise comment, a
 * `metadata.chunkwise` field) so that importing the file gives the same plan back, or listed in
 * the warnings.
 */
export function exportPlan(
  content: PlanContent,
  format: FormatId,
  options: ExportOptions = {},
): ExportedPlan {
  switch (format) {
    case 'chunkwise':
      return exportChunkwise(content, options.json);
    case 'openspec':
      return exportOpenSpec(content);
    case 'speckit':
      return exportSpecKit(content);
    case 'kiro':
      return exportKiro(content);
    case 'taskmaster':
      return exportTaskMaster(content, options.tag);
    case 'massgen':
      return exportMassGen(content);
  }
}
