#!/usr/bin/env bash
# mTLS between the worker, the CLI and the Temporal frontend (issue 17, finding 1; docs/security.md).
# Writes into DIR (default deploy/secrets/mtls), mode 0600 keys, refusing to overwrite an existing CA:
#   ca.crt / ca.key            the private CA (keep ca.key offline once the certificates are issued)
#   frontend.crt / .key        the frontend's server certificate (SANs: the names in FRONTEND_NAMES; also the
#                              server's own client certificate for its system worker in docker-compose.yml)
#   worker.crt / .key          client certificate of the worker
#   cli.crt / .key             client certificate of an operator's CLI
# Then: the frontend requires client certificates signed by ca.crt (Temporal config global.tls.frontend:
# requireClientAuth: true, clientCaFiles: [ca.crt]), and the worker and CLI use
#   TEMPORAL_TLS_CERT=<dir>/worker.crt TEMPORAL_TLS_KEY=<dir>/worker.key TEMPORAL_TLS_CA=<dir>/ca.crt
# Usage: deploy/gen-mtls-certs.sh [DIR]   (FRONTEND_NAMES="temporal localhost 127.0.0.1" by default; DAYS=825)
set -euo pipefail
dir=${1:-deploy/secrets/mtls}
names=${FRONTEND_NAMES:-temporal localhost 127.0.0.1}
days=${DAYS:-825}
umask 077
mkdir -p "$dir"
if [ -e "$dir/ca.key" ]; then
  echo "gen-mtls-certs: $dir/ca.key exists; issuing certificates from it (remove the directory to start a new CA)" >&2
else
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
    -subj "/CN=kloudspot-installer mTLS CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
fi
san=""
for n in $names; do
  if [[ $n =~ ^[0-9.]+$ ]]; then san+="IP:$n,"; else san+="DNS:$n,"; fi
done
issue() { # name, extendedKeyUsage, [subjectAltName]
  local name=$1 eku=$2 alt=${3:-}
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=kloudspot-$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  local ext="$dir/$name.ext"
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=digitalSignature"; echo "extendedKeyUsage=$eku"
    [ -n "$alt" ] && echo "subjectAltName=${alt%,}"; } > "$ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days "$days" \
    -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
}
# clientAuth too: in docker-compose.yml the server's system worker and internode calls present this certificate.
issue frontend serverAuth,clientAuth "$san"
issue worker clientAuth
issue cli clientAuth
chmod 0600 "$dir"/*.key
chmod 0644 "$dir"/*.crt
echo "gen-mtls-certs: wrote $dir/{ca,frontend,worker,cli}.{crt,key}"
