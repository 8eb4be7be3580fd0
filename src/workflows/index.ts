// Every workflow the worker registers.
export { installCluster } from './install-cluster';
export { prepareNode } from './prepare-node';
export { updateDeployment, uninstall, addNode } from './maintenance';
export { doctor } from './doctor';
export { planSite } from './plan';
export { refreshCerts } from './refresh-certs';
export { resetSite } from './reset';
export { supportBundle } from './support-bundle';
