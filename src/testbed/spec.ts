// The site spec for a running testbed: its nodes at their DHCP addresses (the installer makes them
// static), the testbed's gateway and virtual IP, the testbed's key, and the tools URL of its model server;
// with a sudo password or a bastion, the field-access keys that reach them.
import * as yaml from 'js-yaml';
import { parseSiteSpec } from '../site/load';

export interface SpecInputs {
  site: string;
  nodes: { name: string; address: string; interface: string }[];
  gateway: string;
  virtualIp: string;
  user: string;
  privateKeyFile: string;
  volumeGroup: string;
  toolsUrl: string;
  toolsSha256: string;
  /** ssh.sudoPasswordFile: the nodes' sudo asks for the password in this file. */
  sudoPasswordFile?: string;
  /** ssh.bastion: the nodes are reached only through this jump host (its host key pinned). */
  bastion?: { host: string; user: string; hostKey: string };
}

export function testbedSpec(i: SpecInputs): ReturnType<typeof parseSiteSpec> {
  // Checked by the schema itself (parseSiteSpec), which names any field it refuses.
  const input = {
    site: i.site,
    customer: 'acme',
    dnsHostname: `kloudspot.${i.site}.example`,
    virtualIp: i.virtualIp,
    network: { prefixLength: 24, gateway: i.gateway, nameservers: [i.gateway] },
    ssh: {
      // The testbed made these machines a moment ago on its own bridge: nobody is there to compare keys.
      user: i.user, port: 22, privateKeyFile: i.privateKeyFile, trustOnFirstUse: true,
      ...(i.sudoPasswordFile ? { sudoPasswordFile: i.sudoPasswordFile } : {}), ...(i.bastion ? { bastion: i.bastion } : {}),
    },
    nodes: i.nodes,
    lvm: { volumeGroup: i.volumeGroup, sharedVolumeSize: '20G' },
    features: { kloudManage: false, kloudInsights: true, kloudHybrid: false },
    storage: { elasticsearch: 10, streamState: 10, insightsDatabase: 10, kafka: 2, zookeeper: 2 },
    tls: { mode: 'upload' },
    kloudspot: { toolsUrl: i.toolsUrl, toolsSha256: i.toolsSha256 },
  };
  return parseSiteSpec(input, 'testbed spec');
}

export function specYaml(spec: ReturnType<typeof parseSiteSpec>, header: string): string {
  return `# ${header}\n${yaml.dump(spec, { lineWidth: 200 })}`;
}
