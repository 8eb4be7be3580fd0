// reset's steps, declared once: the ids name them in the status, the one question and failure questions
// (`resolve <site> --step k8s-vm-2:leave`), and the survey (activities/reset.ts) lists items under the same ids.
import { defineStep } from './steps';

export const RESET_STEPS = {
  STOP_CHART: defineStep({ id: 'stop-chart', title: 'kloudspot stop, until the pods are gone' }),
  DELETE_POOL: defineStep({ id: 'delete-pool', title: 'kubectl delete the cStor pool and its StorageClass' }),
  DISABLE_OPENEBS: defineStep({ id: 'disable-openebs', title: 'microk8s disable openebs' }),
  DISABLE_COMMUNITY: defineStep({ id: 'disable-community', title: 'microk8s disable community' }),
  LEAVE: defineStep({ id: 'leave', title: 'microk8s leave' }),
  REMOVE_NODE: defineStep({ id: 'remove-node', title: 'microk8s remove-node on the first manager' }),
  REMOVE_MICROK8S: defineStep({ id: 'remove-microk8s', title: 'snap remove --purge microk8s' }),
  REMOVE_TOOLS: defineStep({ id: 'remove-tools', title: 'remove the kloudspot CLI' }),
  REMOVE_VALUES_FILE: defineStep({ id: 'remove-values-file', title: 'rm /etc/kloudspot/values.yaml' }),
  REMOVE_SHARED_VOLUME: defineStep({ id: 'remove-shared-volume', title: 'lvremove the shared volume' }),
  DISABLE_ISCSID: defineStep({ id: 'disable-iscsid', title: 'systemctl disable --now iscsid' }),
  REMOVE_HOSTS_BLOCK: defineStep({ id: 'remove-hosts-block', title: 'remove the cluster block from /etc/hosts' }),
  REMOVE_APT_PROXY: defineStep({ id: 'remove-apt-proxy', title: 'remove our apt proxy file (only one carrying our marker)' }),
  RESET_NETPLAN: defineStep({ id: 'reset-netplan', title: 'remove our netplan file, back to DHCP (not waited for)' }),
};

/** The add-ons reset disables, in this order (the reverse of the install's enables that hold node resources). */
export const RESET_ADDONS = ['openebs', 'community'] as const;
