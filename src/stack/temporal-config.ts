// The Temporal server's configuration for the native stack: the module's config/development-postgres12.yaml
// with our ports, both databases on our PostgreSQL, and the compose stack's dynamic config
// (deploy/temporal/dynamicconfig/production.yaml). The password is not in the file: the server renders it
// from $POSTGRES_PWD ("enable-template"), as the compose image's config template does.

export interface TemporalPorts {
  frontend: number; frontendHttp: number; history: number; matching: number; worker: number;
  frontendMembership: number; historyMembership: number; matchingMembership: number; workerMembership: number;
  metrics: number;
}

export interface TemporalConfigOptions {
  ports: TemporalPorts;
  postgres: { host: string; port: number; user: string };
  dynamicConfigFile: string;
  numHistoryShards?: number;
  /** The `global.tls` lines (src/stack/mtls.ts): mTLS on the frontend. */
  tlsYaml?: string[];
}

export const PORT_NAMES: (keyof TemporalPorts)[] = [
  'frontend', 'frontendHttp', 'history', 'matching', 'worker',
  'frontendMembership', 'historyMembership', 'matchingMembership', 'workerMembership', 'metrics',
];

function datastore(o: TemporalConfigOptions, database: string, maxConns: number): string[] {
  return [
    '      sql:',
    '        pluginName: "postgres12"',
    `        databaseName: "${database}"`,
    `        connectAddr: "${o.postgres.host}:${o.postgres.port}"`,
    '        connectProtocol: "tcp"',
    `        user: "${o.postgres.user}"`,
    '        password: "{{ env "POSTGRES_PWD" }}"',
    `        maxConns: ${maxConns}`,
    `        maxIdleConns: ${maxConns}`,
    '        maxConnLifetime: "1h"',
  ];
}

function service(name: string, grpc: number, membership: number, http?: number): string[] {
  return [
    `  ${name}:`,
    '    rpc:',
    `      grpcPort: ${grpc}`,
    `      membershipPort: ${membership}`,
    '      bindOnLocalHost: true',
    ...(http ? [`      httpPort: ${http}`] : []),
  ];
}

export function temporalServerConfig(o: TemporalConfigOptions): string {
  const p = o.ports;
  return [
    '# enable-template',
    '# Written by src/stack/temporal-config.ts at every start of the native stack; edits are overwritten.',
    'log:',
    '  stdout: true',
    '  level: warn',
    'persistence:',
    '  defaultStore: postgres-default',
    '  visibilityStore: postgres-visibility',
    `  numHistoryShards: ${o.numHistoryShards ?? 4}`,
    '  datastores:',
    '    postgres-default:',
    ...datastore(o, 'temporal', 20),
    '    postgres-visibility:',
    ...datastore(o, 'temporal_visibility', 10),
    'global:',
    ...(o.tlsYaml ?? []),
    '  membership:',
    '    maxJoinDuration: 30s',
    '    broadcastAddress: "127.0.0.1"',
    '  metrics:',
    '    prometheus:',
    '      framework: "tally"',
    '      timerType: "histogram"',
    `      listenAddress: "127.0.0.1:${p.metrics}"`,
    'services:',
    ...service('frontend', p.frontend, p.frontendMembership, p.frontendHttp),
    ...service('matching', p.matching, p.matchingMembership),
    ...service('history', p.history, p.historyMembership),
    ...service('worker', p.worker, p.workerMembership),
    'clusterMetadata:',
    '  enableGlobalNamespace: false',
    '  failoverVersionIncrement: 10',
    '  masterClusterName: "active"',
    '  currentClusterName: "active"',
    '  clusterInformation:',
    '    active:',
    '      enabled: true',
    '      initialFailoverVersion: 1',
    '      rpcName: "frontend"',
    `      rpcAddress: "127.0.0.1:${p.frontend}"`,
    'dcRedirectionPolicy:',
    '  policy: "noop"',
    'dynamicConfigClient:',
    `  filepath: "${o.dynamicConfigFile}"`,
    '  pollInterval: "10s"',
    '',
  ].join('\n');
}
