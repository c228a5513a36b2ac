#!/bin/sh
# PID 1 of a simulated host's own PID, mount and UTS namespaces: give the host its own
# /etc/sophos, /etc/sophos-certs, state, sensor binary and system tools, then become its sshd.
# Mounts made here stay in this namespace (unshare --propagation private).
set -eu
root=$1
system_tools=$2
name=$3

hostname "$name"
mount --bind "$root/etc/sophos" /etc/sophos
mount --bind "$root/etc/sophos-certs" /etc/sophos-certs
mount --bind "$root/state" /var/lib/sls-sim
# a home of its own: the controller's dotfiles (slow shell init, its PATH) are not the host's
mount --bind "$root/home" /root
# read-only overlays: the host's programs on top, the real directory's files below, so a host
# without the sensor has none on PATH and no placeholder is needed on the real system
mount -t overlay sls-sim -o "lowerdir=$root/bin:/usr/local/bin" /usr/local/bin
mount -t overlay sls-sim -o "lowerdir=$system_tools:/usr/bin" /usr/bin
exec /usr/sbin/sshd -D -e -f "$root/sshd/sshd_config"
