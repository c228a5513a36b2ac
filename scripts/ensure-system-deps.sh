#!/bin/sh
# The simulated fleet runs real OpenSSH sshd hosts in mount namespaces; the tests also use sudo
# (become), ansible-core (the reference for inventories), xmllint (the JUnit schema check),
# tmux (the live display in a real terminal) and chromium (the HTML report opened headless). On
# a fresh Debian machine, install
# what is missing; nothing happens when everything is there.
#   sh scripts/ensure-system-deps.sh          what `npm run demo` needs
#   sh scripts/ensure-system-deps.sh test     what `npm test` needs
set -e
missing=
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
command -v ssh >/dev/null 2>&1 || missing="$missing openssh-client"
command -v unshare >/dev/null 2>&1 || missing="$missing util-linux"
if [ "$1" = test ]; then
  command -v sudo >/dev/null 2>&1 || missing="$missing sudo"
  command -v ansible-inventory >/dev/null 2>&1 || missing="$missing ansible-core"
  command -v ps >/dev/null 2>&1 || missing="$missing procps"
  command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
  command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "needs root and these Debian packages:$missing; install them, then run again" >&2
  exit 1
fi
echo "installing$missing (apt-get)…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
