// reset's steps, declared once: the ids name them in the status, the one question and failure questions
// (`resolve <site> --step k8s-vm-2:leave`), and the survey (activities/reset.ts) lists items under the same ids.
import { defineStep } from './steps';

export const RESET_STEPS = {
  STOP_CHART: defineStep({ id: 'stop-chart', title: 'kloudspot stop, until the pods are gone', plan: { notInInstall: 'the reset workflow' } }),
  DELETE_POOL: defineStep({ id: 'delete-pool', title: 'kubectl delete the cStor pool and its StorageClass', plan: { notInInstall: 'the reset workflow' } }),
  DISABLE_OPENEBS: defineStep({ id: 'disable-openebs', title: 'microk8s disable openebs', plan: { notInInstall: 'the reset workflow' } }),
  DISABLE_COMMUNITY: defineStep({ id: 'disable-community', title: 'microk8s disable community', plan: { notInInstall: 'the reset workflow' } }),
  LEAVE: defineStep({ id: 'leave', title: 'microk8s leave', plan: { notInInstall: 'the reset workflow' } }),
  REMOVE_NODE: defineStep({ id: 'reset-remove-node', title: 'microk8s remove-node on the first manager', plan: { notInInstall: 'the reset workflow' } }),
  REMOVE_MICROK8S: defineStep({ id: 'remove-microk8s', title: 'snap remove --purge microk8s', plan: { notInInstall: 'the reset workflow' } }),
  REMOVE_TOOLS: defineStep({ id: 'remove-tools', title: 'remove the kloudspot CLI', plan: { notInInstall: 'the reset workflow' } }),
  REMOVE_VALUES_FILE: defineStep({ id: 'remove-values-file', title: 'rm /etc/kloudspot/values.yaml', plan: { notInInstall: 'the reset workflow' } }),
  REMOVE_SHARED_VOLUME: defineStep({ id: 'remove-shared-volume', title: 'lvremove the shared volume', plan: { notInInstall: 'the reset workflow' } }),
  DISABLE_ISCSID: defineStep({ id: 'disable-iscsid', title: 'systemctl disable --now iscsid', plan: { notInInstall: 'the reset workflow' } }),
  REMOVE_HOSTS_BLOCK: defineStep({ id: 'remove-hosts-block', title: 'remove the cluster block from /etc/hosts', plan: { notInInstall: 'the reset workflow' } }),
  REMOVE_APT_PROXY: defineStep({ id: 'remove-apt-proxy', title: 'remove our apt proxy file (only one carrying our marker)', plan: { notInInstall: 'the reset workflow' } }),
  RESET_NETPLAN: defineStep({ id: 'reset-netplan', title: 'remove our netplan file, back to DHCP (not waited for)', plan: { notInInstall: 'the reset workflow' } }),
};

/** The add-ons reset disables, in this order (the reverse of the install's enables that hold node resources). */
export const RESET_ADDONS = ['openebs', 'community'] as const;
