// Issue 17, finding 9: spec values that look like other YAML types stay strings in the rendered values.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { renderValues } from '../../src/activities/commands/chart';
import { parseSiteSpec } from '../../src/site/validate';
import { readFileSync } from 'node:fs';

const base = yaml.load(readFileSync('examples/site.yaml', 'utf8')) as Record<string, unknown>;

test('"null", "true", "1e3", "0x1f", "no", "on" and "123" from the spec reach values.yaml as the same strings', () => {
  for (const tricky of ['null', 'true', '1e3', '0x1f', 'no', '123', 'on']) {
    // The values a spec may carry (site is a DNS label, customer a reference): each is valid as written.
    const spec = parseSiteSpec({ ...base, site: tricky, customer: tricky, dnsHostname: tricky === '123' ? '1e3' : tricky }, tricky);
    const text = renderValues({ site: spec.site, customer: spec.customer, dnsHostname: spec.dnsHostname, virtualIp: spec.virtualIp,
      features: spec.features, storage: spec.storage, volumeGroup: '1e3', tls: 'self-signed' });
    type Section = Record<string, unknown>;
    const v = yaml.load(text) as { site: unknown; global: Section; storage: Section; features: Section; ingress: Section };
    assert.equal(v.site, spec.site);
    assert.equal(v.global.hostname, spec.dnsHostname);
    assert.equal(v.global.customerRef, spec.customer);
    assert.equal(v.global.loadBalancerIP, spec.virtualIp);
    assert.equal(v.storage.unsharedVolumeGroup, '1e3');
    assert.equal(v.ingress.tlsSecret, '');
    assert.equal(typeof v.features.kloudManage, 'boolean', 'booleans stay booleans');
  }
});
