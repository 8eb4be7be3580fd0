import type { Command } from 'commander';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { loadSiteSpecFile } from '../../site/load';
import * as api from '../../workflows/api';
import type { SitePlan } from '../../workflows/plan';
import { renderPlan } from '../render-plan';
import { clientFor } from './common';

export function registerPlan(program: Command): void {
  program.command('plan')
    .argument('<site.yaml>', 'the site spec')
    .option('--json', 'print the plan as JSON')
    .option('--all', 'list the steps already done too')
    .description('show what an install would change on each node and in the cluster, changing nothing (workflow plan/<site>)')
    .addHelpText('after', '\nExamples:\n  $ kloudspot-installer plan site.yaml\n  $ kloudspot-installer plan site.yaml --json | jq \'.steps[] | select(.state == "change")\'')
    .action(async (file: string, opts: { json?: boolean; all?: boolean }, cmd: Command) => {
      const spec = loadSiteSpecFile(file);
      const client = await clientFor(cmd);
      // Read-only: runs beside an install; a plan already running for the site is joined, not doubled.
      const handle = await client.workflow.start('planSite', {
        taskQueue: process.env.KLOUDSPOT_TASK_QUEUE || api.TASK_QUEUE,
        workflowId: api.planWorkflowId(spec.site),
        args: [spec],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        staticSummary: `plan ${spec.site} (${spec.nodes.length} nodes)`,
      });
      const plan = await handle.result() as SitePlan;
      process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : `${renderPlan(plan, { all: opts.all })}\n`);
    });
}
