#!/usr/bin/env bash
# `npm run setup`: everything `npm test` needs beyond `npm ci`, on a Debian/Ubuntu machine.
#   1. The Debian packages the tests run for real (only the missing ones, one `apt-get update` first), when this
#      script may install them (root, or passwordless sudo) and apt answers; otherwise it prints the exact command
#      to run and exits 1.
#   2. The Temporal CLI (its dev server runs every integration test): found, cached, or built with Go (minutes, once).
#   3. The Temporal server binaries for the PostgreSQL stack tests, the same way (when this checkout has them).
# Safe to run again: with everything present it only checks (a few seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

# package: what needs it
PACKAGES=(
  "openssh-server:the SSH layer against a real sshd (test/e2e/ssh-openssh)"
  "chromium:the Temporal Web UI test, driven by playwright-core (test/e2e/webui)"
  "openssl:certificates for the demo and the TLS tests"
  "debootstrap:the real-node testbed's Debian 12 root file system (test/e2e/real-nodes)"
  "systemd-container:the real-node testbed's nodes (systemd-nspawn)"
  "dnsmasq-base:the real-node testbed's DHCP server"
  "apt-cacher-ng:the real-node testbed's apt proxy and package cache"
  "postgresql:the PostgreSQL Temporal stack test"
  "iproute2:the real-node testbed's bridge and network namespaces (ip)"
)

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

say_what_to_install() { # $1: why this script cannot do it
  echo "setup: $1" >&2
  echo "setup: install these Debian packages, then run \`npm run setup\` again:" >&2
  for entry in "${PACKAGES[@]}"; do
    name=${entry%%:*}
    if [[ " ${missing[*]} " == *" $name "* ]]; then echo "  $name  (${entry#*:})" >&2; fi
  done
  echo "setup: as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
}

echo "== Debian packages"
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for entry in "${PACKAGES[@]}"; do
    installed "${entry%%:*}" || missing+=("${entry%%:*}")
  done
else
  for entry in "${PACKAGES[@]}"; do missing+=("${entry%%:*}"); done
  say_what_to_install "this is not a Debian/Ubuntu machine (no dpkg), so it cannot check or install the packages the tests use"
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "all present: $(for entry in "${PACKAGES[@]}"; do printf '%s ' "${entry%%:*}"; done)"
else
  echo "missing: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n)
  else say_what_to_install "not root and no passwordless sudo, so it cannot install them"
  fi
  command -v apt-get >/dev/null 2>&1 || say_what_to_install "no apt-get on this machine"
  "${as_root[@]}" apt-get update -q || say_what_to_install "\`apt-get update\` failed (no network to the package archive?)"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" ||
    say_what_to_install "\`apt-get install\` failed (above)"
  still=()
  for name in "${missing[@]}"; do installed "$name" || still+=("$name"); done
  [ ${#still[@]} -eq 0 ] || { missing=("${still[@]}"); say_what_to_install "apt-get finished but these are still not installed"; }
fi

# The Temporal CLI and server builds need Go; the official tarball puts it here.
[ -d /usr/local/go/bin ] && export PATH="/usr/local/go/bin:$PATH"

echo "== Temporal CLI (found, cached, or built with Go)"
npx --no-install tsx src/temporal/cli-path.ts

if [ -f src/temporal/server-path.ts ]; then
  echo "== Temporal server binaries for the PostgreSQL stack (found, cached, or built with Go)"
  npx --no-install tsx src/temporal/server-path.ts
fi
if [ "$(id -u)" = 0 ] && [ -f src/testbed/rootfs.ts ]; then
  # debootstrap once (about 8 minutes here, 400 MB) into ~/.cache/kloudspot-installer/testbed; later runs reuse it.
  echo "== Real-node testbed: Debian 12 root file system (found in the cache, or built with debootstrap)"
  npx --no-install tsx -e 'require("./src/testbed/rootfs").ensureRootfs(console.log)'
fi
echo "== setup done"
