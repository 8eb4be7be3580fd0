// Every workflow the worker registers.
export { installCluster } from './install-cluster';
export { prepareNode } from './prepare-node';
export { updateDeployment, uninstall, addNode } from './maintenance';
export { doctor } from './doctor';
export { planSite } from './plan';
export { refreshCerts } from './refresh-certs';
export { upgrade } from './upgrade';
export { backup } from './backup';
export { restore } from './restore';
export { resetSite } from './reset';
export { supportBundle } from './support-bundle';
export { replaceNode } from './replace-node';
