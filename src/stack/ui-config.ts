// The Web UI server's configuration (the temporalio/ui-server module's config/development.yaml, trimmed): our
// frontend, our codec server for decryption, loopback only, like the compose stack's temporal-ui service.

export interface UiConfigOptions {
  port: number; temporalAddress: string; codecEndpoint: string; namespace: string;
  /** mTLS to the frontend (ui-server config `tls`). */
  tls?: { cert: string; key: string; ca: string; serverName: string };
}

export function uiServerConfig(o: UiConfigOptions): string {
  return [
    '# Written by src/stack/ui-config.ts at every start of the native stack; edits are overwritten.',
    `temporalGrpcAddress: ${o.temporalAddress}`,
    'host: 127.0.0.1',
    `port: ${o.port}`,
    'publicPath:',
    'enableUi: true',
    `defaultNamespace: ${o.namespace}`,
    'refreshInterval: 1m',
    'notifyOnNewVersion: false',
    'cors:',
    '  cookieInsecure: true',
    '  allowOrigins:',
    `    - http://127.0.0.1:${o.port}`,
    `    - http://localhost:${o.port}`,
    'auth:',
    '  enabled: false',
    'codec:',
    // Called by the browser: the codec server on this host's loopback, like compose's codec-server service.
    `  endpoint: ${o.codecEndpoint}`,
    '  passAccessToken: false',
    '  includeCredentials: false',
    ...(o.tls ? ['tls:', `  caFile: ${o.tls.ca}`, `  certFile: ${o.tls.cert}`, `  keyFile: ${o.tls.key}`, `  serverName: ${o.tls.serverName}`, '  enableHostVerification: true'] : []),
    '',
  ].join('\n');
}
