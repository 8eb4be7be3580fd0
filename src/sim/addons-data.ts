// The addon catalogue `microk8s status` lists (amd64, classic confinement), from the 1.32 branches of
// canonical/microk8s-core-addons and canonical/microk8s-community-addons (addons.yaml).

export const CORE_ADDONS: [string, string][] = [
  ['cert-manager', 'Cloud native certificate management'], ['cis-hardening', 'Apply CIS K8s hardening'],
  ['community', 'The community addons repository'], ['dashboard', 'The Kubernetes dashboard'], ['dns', 'CoreDNS'],
  ['gpu', 'Alias to nvidia add-on'], ['ha-cluster', 'Configure high availability on the current node'],
  ['helm', 'Helm - the package manager for Kubernetes'], ['helm3', 'Helm 3 - the package manager for Kubernetes'],
  ['host-access', 'Allow Pods connecting to Host services smoothly'], ['hostpath-storage', 'Storage class; allocates storage from host directory'],
  ['ingress', 'Ingress controller for external access'], ['kube-ovn', 'An advanced network fabric for Kubernetes'],
  ['mayastor', 'OpenEBS MayaStor'], ['metallb', 'Loadbalancer for your Kubernetes cluster'],
  ['metrics-server', 'K8s Metrics Server for API access to service metrics'], ['minio', 'MinIO object storage'],
  ['nvidia', 'NVIDIA hardware (GPU and network) support'], ['observability', 'A lightweight observability stack for logs, traces and metrics'],
  ['prometheus', 'Prometheus operator for monitoring and logging'], ['rbac', 'Role-Based Access Control for authorisation'],
  ['registry', 'Private image registry exposed on localhost:32000'], ['rook-ceph', 'Distributed Ceph storage using Rook'],
  ['storage', 'Alias to hostpath-storage add-on, deprecated'],
];

export const COMMUNITY_ADDONS: [string, string][] = [
  ['argocd', 'Argo CD is a declarative continuous deployment for Kubernetes.'], ['cilium', 'SDN, fast with full network policy'],
  ['cloudnative-pg', 'PostgreSQL operator CloudNativePG'], ['dashboard-ingress', 'Ingress definition for Kubernetes dashboard'],
  ['easyhaproxy', 'EasyHAProxy can configure HAProxy automatically based on ingress labels'],
  ['falco', 'Cloud-native runtime threat detection tool for Linux and K8s'], ['fluentd', 'Elasticsearch-Fluentd-Kibana logging and monitoring'],
  ['gopaddle', 'Low-Code Kubernetes IDE with AI Co-pilot'], ['inaccel', 'Simplifying FPGA management in Kubernetes'],
  ['istio', 'Core Istio service mesh services'], ['jaeger', 'Kubernetes Jaeger operator with its simple config'],
  ['kata', 'Kata Containers is a secure runtime with lightweight VMS'], ['keda', 'Kubernetes-based Event Driven Autoscaling'],
  ['knative', 'Knative Serverless and Event Driven Applications'], ['kubearmor', 'Cloud-native runtime security enforcement system for k8s'],
  ['kwasm', 'WebAssembly support for WasmEdge (Docker Wasm) and Spin (Azure AKS WASI)'],
  ['linkerd', 'Linkerd is a service mesh for Kubernetes and other frameworks'], ['microcks', 'Open source Kubernetes Native tool for API Mocking and Testing'],
  ['multus', 'Multus CNI enables attaching multiple network interfaces to pods'], ['nfs', 'NFS Server Provisioner'],
  ['ngrok', 'ngrok Ingress Controller instantly adds connectivity, load balancing, authentication, and observability to your services'],
  ['openebs', 'OpenEBS is the open-source storage solution for Kubernetes'], ['openfaas', 'OpenFaaS serverless framework'],
  ['osm-edge', 'osm-edge is a lightweight SMI compatible service mesh for the edge-computing.'],
  ['parking', 'Static webserver to park a domain. Works with EasyHAProxy.'], ['portainer', 'Portainer UI for your Kubernetes cluster'],
  ['shifu', 'Kubernetes native IoT software development framework.'],
  ['sosivio', 'Kubernetes Predictive Troubleshooting, Observability, and Resource Optimization'],
  ['sriov-device-plugin', 'SR-IOV Network Device Plugin.'], ['stunner', 'A Kubernetes media gateway for WebRTC'],
  ['traefik', 'traefik Ingress controller'], ['trivy', 'Kubernetes-native security scanner'],
];

/** What `microk8s enable ingress` applies (core-addons 1.32 addons/ingress/ingress.yaml), as kubectl reports it. */
export const INGRESS_OBJECTS = [
  'ingressclass.networking.k8s.io/public', 'ingressclass.networking.k8s.io/nginx', 'namespace/ingress',
  'serviceaccount/nginx-ingress-microk8s-serviceaccount', 'clusterrole.rbac.authorization.k8s.io/nginx-ingress-microk8s-clusterrole',
  'role.rbac.authorization.k8s.io/nginx-ingress-microk8s-role', 'clusterrolebinding.rbac.authorization.k8s.io/nginx-ingress-microk8s',
  'rolebinding.rbac.authorization.k8s.io/nginx-ingress-microk8s', 'configmap/nginx-load-balancer-microk8s-conf',
  'configmap/nginx-ingress-tcp-microk8s-conf', 'configmap/nginx-ingress-udp-microk8s-conf', 'daemonset.apps/nginx-ingress-microk8s-controller',
];

/** addons/metallb/crd.yaml and metallb.yaml (core-addons 1.32). */
export const METALLB_CRDS = ['addresspools', 'bfdprofiles', 'bgpadvertisements', 'bgppeers', 'communities', 'ipaddresspools', 'l2advertisements']
  .map((n) => `customresourcedefinition.apiextensions.k8s.io/${n}.metallb.io`);
export const METALLB_OBJECTS = [
  'namespace/metallb-system', 'serviceaccount/controller', 'serviceaccount/speaker',
  'clusterrole.rbac.authorization.k8s.io/metallb-system:controller', 'clusterrole.rbac.authorization.k8s.io/metallb-system:speaker',
  'role.rbac.authorization.k8s.io/controller', 'role.rbac.authorization.k8s.io/pod-lister',
  'clusterrolebinding.rbac.authorization.k8s.io/metallb-system:controller', 'clusterrolebinding.rbac.authorization.k8s.io/metallb-system:speaker',
  'rolebinding.rbac.authorization.k8s.io/controller', 'secret/webhook-server-cert', 'service/webhook-service',
  'rolebinding.rbac.authorization.k8s.io/pod-lister', 'daemonset.apps/speaker', 'deployment.apps/controller',
  'validatingwebhookconfiguration.admissionregistration.k8s.io/validating-webhook-configuration',
];

export const KUBERNETES_VERSION = 'v1.32.3';
export const SNAP_REVISION = 7394;
