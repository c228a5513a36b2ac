#!/bin/sh
# PID 1 of a simulated host's own PID, mount and UTS namespaces: mount the host's own files
# (its fstab: /etc/sophos, /etc/sophos-certs, state, home, the layers over /usr/local/bin and
# /usr/bin), then become its sshd. Mounts stay in this namespace (unshare --propagation private).
# Few processes on purpose: on a busy machine each exec costs, and 200 hosts start at once.
set -eu
root=$1
name=$2
echo "$name" > /proc/sys/kernel/hostname
mount --all --fstab "$root/sshd/fstab"
exec /usr/sbin/sshd -D -e -f "$root/sshd/sshd_config"
