// The production stack runs the Temporal server and Web UI versions the tests run against: the ones embedded in
// the Temporal CLI whose dev server every integration test starts. Here rather than in test/unit because it runs
// that CLI (which `npm run setup` provides, building it with Go when missing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { resolveTemporalCli, temporalCliVersion } from '../../src/temporal/cli-path';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const services = (yaml.load(read('docker-compose.yml')) as { services: Record<string, { image: string }> }).services;
/** Compose's ${VAR:-default} with nothing set: the default. */
const interpolate = (s: string) => s.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
const svc = (name: string) => {
  assert.ok(services[name], `docker-compose.yml has a ${name} service`);
  return services[name];
};
const readme = read('README.md');
const production = readme.slice(readme.indexOf('## Run in production'));
const nextSection = production.indexOf('\n## ', 5);
const section = nextSection > 0 ? production.slice(0, nextSection) : production;

test('compose: the Temporal server and Web UI are the versions the tests run against (the dev server\'s)', () => {
  // e.g. "temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)"
  const version = temporalCliVersion(resolveTemporalCli());
  const server = /Server (\d+\.\d+\.\d+)/.exec(version)?.[1];
  const ui = /UI (\d+\.\d+\.\d+)/.exec(version)?.[1];
  assert.ok(server && ui, version);
  assert.equal(interpolate(svc('temporal').image), `temporalio/server:${server}`);
  assert.equal(interpolate(svc('temporal-ui').image), `temporalio/ui:${ui}`);
  assert.ok(section.includes(`temporalio/server:${server}`) && section.includes(`temporalio/ui:${ui}`), 'README names the versions');
});
