import type { Command } from 'commander';
import { TASK_QUEUE } from '../../workflows/api';
import { ConfigError, DEFAULTS, ENV, resolveWorkerConfig, type WorkerFlags } from '../../worker/config';
import { EXIT_BAD_INPUT, UserError } from '../errors';
import { dataConverterFor, globals } from './common';

export function registerWorker(program: Command): void {
  program.command('worker')
    .description('run a worker: executes installs of every site (SSH from this machine to the nodes); a long-running service')
    .option('--task-queue <name>', `task queue to poll (env ${ENV.taskQueue}; default ${TASK_QUEUE})`)
    .option('--identity <name>', `worker identity shown in histories (env ${ENV.identity}; default pid@hostname)`)
    .option('--tls', `connect with TLS even without client certificates (env ${ENV.tls}=true)`)
    .option('--tls-cert <file>', `client certificate for mTLS (env ${ENV.tlsCert})`)
    .option('--tls-key <file>', `client private key for mTLS (env ${ENV.tlsKey})`)
    .option('--tls-ca <file>', `CA that signed the server certificate (env ${ENV.tlsCa})`)
    .option('--tls-server-name <name>', `server name to verify, if not the address's host (env ${ENV.tlsServerName})`)
    .option('--max-concurrent-activities <n>', `activities run at once by this worker (env ${ENV.maxConcurrentActivities})`)
    .option('--max-concurrent-workflow-tasks <n>', `workflow tasks run at once, 2 or more (env ${ENV.maxConcurrentWorkflowTasks})`)
    .option('--max-cached-workflows <n>', `workflows kept in memory between their tasks (env ${ENV.maxCachedWorkflows}; default from the heap limit)`)
    .option('--shutdown-grace <duration>', `on SIGTERM/SIGINT, how long running activities may finish before they are handed back (env ${ENV.shutdownGrace}; default ${DEFAULTS.shutdownGrace})`)
    .option('--connect-timeout <duration>', `how long to retry reaching the server at start (env ${ENV.connectTimeout}; default ${DEFAULTS.connectTimeout})`)
    .option('--health-address <host:port>', `serve /healthz and /readyz here (env ${ENV.healthAddress}; off by default)`)
    .option('--metrics-address <ip:port>', `serve Prometheus /metrics here (env ${ENV.metricsAddress}; off by default)`)
    .option('--log-format <json|text>', `one JSON object or one text line per event (env ${ENV.logFormat}; default ${DEFAULTS.logFormat})`)
    .option('--log-level <level>', `TRACE, DEBUG, INFO, WARN or ERROR (env ${ENV.logLevel}; default ${DEFAULTS.logLevel})`)
    .option('--workflow-bundle <file>', `prebuilt workflow bundle (env ${ENV.workflowBundle}); built at start otherwise`)
    .addHelpText('after', [
      '',
      `Also read from the environment: ${ENV.address}, ${ENV.namespace}, ${ENV.codecKeyFile}, ${ENV.apiKey} or ${ENV.apiKeyFile} (Temporal Cloud).`,
      '',
      'Examples:',
      '  $ TEMPORAL_ADDRESS=temporal.example:7233 KLOUDSPOT_CODEC_KEY_FILE=keys.json kloudspot-installer worker',
      '  $ kloudspot-installer worker --address ns.acct.tmprl.cloud:7233 --namespace ns.acct \\',
      '      --tls-cert client.pem --tls-key client.key --codec-key-file keys.json --health-address 0.0.0.0:8080',
    ].join('\n'))
    .action(async (o: WorkerFlags, cmd: Command) => {
      const g = globals(cmd);
      let config;
      try {
        config = resolveWorkerConfig({ ...o, address: g.address, namespace: g.namespace });
      } catch (err) {
        if (err instanceof ConfigError) throw new UserError(err.message, EXIT_BAD_INPUT);
        throw err;
      }
      const dataConverter = dataConverterFor(cmd);
      let service;
      try {
        const { startWorkerService } = (require('../../worker/service') as typeof import('../../worker/service'));
        service = await startWorkerService({ config, dataConverter });
      } catch (err) {
        if (err instanceof ConfigError) throw new UserError(err.message, EXIT_BAD_INPUT);
        throw err;
      }
      const exitCode = await service.done;
      const notReady = service.notReady();
      if (notReady) process.stderr.write(`${notReady.message}\n`);
      process.exitCode = exitCode;
      // Whatever native handle might linger, a stopped service ends its process.
      setTimeout(() => process.exit(exitCode), 3000).unref();
    });
}
