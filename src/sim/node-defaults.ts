// What a freshly installed Ubuntu 22.04.4 server looks like: file contents, CPU flags, pending upgrades.

export const OS_RELEASE = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
`;

/** Ubuntu's default /etc/hosts (the seed's example shows the same shape). */
export const hostsFile = (hostname: string): string => `127.0.0.1 localhost
127.0.1.1 ${hostname}

# The following lines are desirable for IPv6 capable hosts
::1     ip6-localhost ip6-loopback
fe00::0 ip6-localnet
ff00::0 ip6-mcastprefix
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
`;

/** What subiquity writes for a DHCP install. */
export const installerNetplan = (iface: string, fixed?: { cidr: string; gateway: string }): string => fixed ? `# This is the network config written by 'subiquity'
network:
  ethernets:
    ${iface}:
      addresses:
      - ${fixed.cidr}
      nameservers:
        addresses:
        - ${fixed.gateway}
        search: []
      routes:
      - to: default
        via: ${fixed.gateway}
  version: 2
` : `# This is the network config written by 'subiquity'
network:
  ethernets:
    ${iface}:
      dhcp4: true
  version: 2
`;

const FLAGS_AVX = 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ' +
  'syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ' +
  'ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor ' +
  'lahf_lm abm 3dnowprefetch cpuid_fault invpcid_single ssbd ibrs ibpb stibp ibrs_enhanced fsgsbase tsc_adjust bmi1 ' +
  'avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl xsaveopt ' +
  'xsavec xgetbv1 xsaves arat pku ospke md_clear arch_capabilities';
/** QEMU's default kvm64 model, which hides AVX (the seed's warning about VMs). */
const FLAGS_KVM64 = 'fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ' +
  'syscall nx lm rep_good nopl xtopology cpuid tsc_known_freq pni cx16 x2apic hypervisor lahf_lm cpuid_fault pti';

export function cpuinfo(cores: number, avx: boolean): string {
  const model = avx ? 'Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz' : 'Common KVM processor';
  const blocks: string[] = [];
  for (let i = 0; i < cores; i++) {
    blocks.push([
      `processor\t: ${i}`, 'vendor_id\t: GenuineIntel', 'cpu family\t: 6', `model\t\t: ${avx ? 85 : 6}`,
      `model name\t: ${model}`, 'stepping\t: 7', 'microcode\t: 0x1', 'cpu MHz\t\t: 2194.842', 'cache size\t: 16896 KB',
      `physical id\t: ${i}`, 'siblings\t: 1', 'core id\t\t: 0', 'cpu cores\t: 1', `apicid\t\t: ${i}`,
      `initial apicid\t: ${i}`, 'fpu\t\t: yes', 'fpu_exception\t: yes', 'cpuid level\t: 13', 'wp\t\t: yes',
      `flags\t\t: ${avx ? FLAGS_AVX : FLAGS_KVM64}`, 'bogomips\t: 4389.68', 'clflush size\t: 64',
      'cache_alignment\t: 64', 'address sizes\t: 46 bits physical, 48 bits virtual', 'power management:', '',
    ].join('\n'));
  }
  return blocks.join('\n');
}

export function meminfo(totalKb: number): string {
  const free = Math.round(totalKb * 0.82);
  return [
    `MemTotal:       ${String(totalKb).padStart(8)} kB`, `MemFree:        ${String(free).padStart(8)} kB`,
    `MemAvailable:   ${String(Math.round(totalKb * 0.9)).padStart(8)} kB`, 'Buffers:            52380 kB',
    'Cached:           987652 kB', 'SwapCached:            0 kB', 'SwapTotal:       4194300 kB', 'SwapFree:        4194300 kB', '',
  ].join('\n');
}

export interface AptPackage { name: string; from: string; to: string; newlyInstalled?: boolean; size: number }

/** A plausible set of jammy-updates for a 22.04.4 server; the kernel metapackages pull new kernel packages. */
export function pendingUpgrades(count: number): AptPackage[] {
  const upgrades: AptPackage[] = [
    { name: 'base-files', from: '12ubuntu4.4', to: '12ubuntu4.6', size: 62_600 },
    { name: 'bash', from: '5.1-6ubuntu1', to: '5.1-6ubuntu1.1', size: 769_000 },
    { name: 'libc6', from: '2.35-0ubuntu3.6', to: '2.35-0ubuntu3.8', size: 3_235_000 },
    { name: 'libc-bin', from: '2.35-0ubuntu3.6', to: '2.35-0ubuntu3.8', size: 706_000 },
    { name: 'openssh-server', from: '1:8.9p1-3ubuntu0.6', to: '1:8.9p1-3ubuntu0.10', size: 435_000 },
    { name: 'openssh-client', from: '1:8.9p1-3ubuntu0.6', to: '1:8.9p1-3ubuntu0.10', size: 906_000 },
    { name: 'openssh-sftp-server', from: '1:8.9p1-3ubuntu0.6', to: '1:8.9p1-3ubuntu0.10', size: 38_900 },
    { name: 'openssl', from: '3.0.2-0ubuntu1.14', to: '3.0.2-0ubuntu1.18', size: 1_184_000 },
    { name: 'libssl3', from: '3.0.2-0ubuntu1.14', to: '3.0.2-0ubuntu1.18', size: 1_905_000 },
    { name: 'systemd', from: '249.11-0ubuntu3.12', to: '249.11-0ubuntu3.12', size: 4_581_000 },
    { name: 'libsystemd0', from: '249.11-0ubuntu3.12', to: '249.11-0ubuntu3.12', size: 317_000 },
    { name: 'udev', from: '249.11-0ubuntu3.12', to: '249.11-0ubuntu3.12', size: 1_557_000 },
    { name: 'snapd', from: '2.61.3+22.04', to: '2.63+22.04ubuntu0.1', size: 25_800_000 },
    { name: 'curl', from: '7.81.0-1ubuntu1.15', to: '7.81.0-1ubuntu1.16', size: 194_000 },
    { name: 'libcurl4', from: '7.81.0-1ubuntu1.15', to: '7.81.0-1ubuntu1.16', size: 290_000 },
    { name: 'python3-update-manager', from: '1:22.04.19', to: '1:22.04.20', size: 39_100 },
    { name: 'update-manager-core', from: '1:22.04.19', to: '1:22.04.20', size: 11_500 },
    { name: 'ubuntu-advantage-tools', from: '31.2~22.04', to: '32.3~22.04', size: 168_000 },
    { name: 'lvm2', from: '2.03.11-2.1ubuntu4', to: '2.03.11-2.1ubuntu5', size: 1_174_000 },
    { name: 'open-iscsi', from: '2.1.5-1ubuntu1', to: '2.1.5-1ubuntu1.1', size: 353_000 },
    { name: 'linux-generic', from: '5.15.0.101.98', to: '5.15.0.105.102', size: 1_700 },
    { name: 'linux-image-generic', from: '5.15.0.101.98', to: '5.15.0.105.102', size: 2_500 },
    { name: 'linux-headers-generic', from: '5.15.0.101.98', to: '5.15.0.105.102', size: 2_300 },
  ];
  const kernel: AptPackage[] = [
    { name: 'linux-headers-5.15.0-105', from: '', to: '5.15.0-105.115', newlyInstalled: true, size: 12_300_000 },
    { name: 'linux-headers-5.15.0-105-generic', from: '', to: '5.15.0-105.115', newlyInstalled: true, size: 2_900_000 },
    { name: 'linux-image-5.15.0-105-generic', from: '', to: '5.15.0-105.115', newlyInstalled: true, size: 11_600_000 },
    { name: 'linux-modules-5.15.0-105-generic', from: '', to: '5.15.0-105.115', newlyInstalled: true, size: 22_800_000 },
    { name: 'linux-modules-extra-5.15.0-105-generic', from: '', to: '5.15.0-105.115', newlyInstalled: true, size: 61_400_000 },
  ];
  if (count <= 0) return [];
  const n = Math.min(count, upgrades.length);
  const chosen = upgrades.slice(upgrades.length - n);
  return chosen.some((p) => p.name === 'linux-generic') ? [...chosen, ...kernel] : chosen;
}

/** Packages a 22.04 server image has; `apt-get install` of one of these is a no-op. */
export const PREINSTALLED = new Set([
  'bash', 'coreutils', 'curl', 'openssh-server', 'lvm2', 'open-iscsi', 'snapd', 'systemd', 'iputils-ping', 'netplan.io',
  'iproute2', 'openssl', 'ca-certificates', 'sudo', 'util-linux',
]);
export const INSTALLABLE = new Set([...PREINSTALLED, 'jq', 'nfs-common', 'htop', 'git']);
