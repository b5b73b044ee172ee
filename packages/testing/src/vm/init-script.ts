/**
 * The guest's /init (busybox sh, PID 1). It is generic: what to run comes from /out/plan on
 * the writable share (line 1: repo root, line 2: node binary, then "<id> <package dir>" per
 * package), so the initramfs is reused across checkouts. Its text is part of the cache key.
 *
 * Protocol on the serial console, read by the host (run-guest.ts):
 *   NETD_VM_EXIT <id> <status>   vitest's exit status for one package (report: /out/<id>.json)
 *   RESULT_JSON {...}            printed last; a missing marker means the guest died or hung
 */
export const INIT_SCRIPT = `#!/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/usr/lib/netd-vm/bin
export HOME=/root TMPDIR=/tmp NETD_VM_GUEST=1 CI=1 FORCE_COLOR=0 NO_COLOR=1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
mount -t tmpfs -o mode=0755 run /run
mkdir -p /run/netns
mount -t tmpfs tmp /tmp
# Every other module (nft expressions, NAT, conntrack helpers) is loaded on demand.
echo /usr/sbin/modprobe > /proc/sys/kernel/modprobe
for m in $(cat /etc/netd-vm/modules); do
  modprobe "$m" || echo "netd-vm: modprobe $m failed"
done
/usr/sbin/ip link set lo up
fail() {
  echo "netd-vm: $1"
  echo "RESULT_JSON {\\"done\\":false}"
  echo o > /proc/sysrq-trigger
  sleep 60
}
mkdir -p /out /mnt/repo
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /out || fail "cannot mount the report share"
repo=$(sed -n 1p /out/plan)
node=$(sed -n 2p /out/plan)
# The repo is shared read-only at its host path (pnpm symlinks and configs use absolute
# paths); an overlay on tmpfs takes the caches and reports tools write next to the sources.
mkdir -p "$repo" /tmp/ovl/upper /tmp/ovl/work
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose repo /mnt/repo || fail "cannot mount the repo share"
mount -t overlay overlay -o lowerdir=/mnt/repo,upperdir=/tmp/ovl/upper,workdir=/tmp/ovl/work "$repo" || fail "cannot mount the repo overlay"
echo "netd-vm: guest ready after $(cut -d' ' -f1 /proc/uptime) s"
sed -n '3,$p' /out/plan > /tmp/plan
while read -r id dir; do
  echo "netd-vm: vitest in $dir"
  if cd "$dir"; then
    "$node" "$dir/node_modules/vitest/vitest.mjs" run -c vitest.vm.config.ts --outputFile.json="/out/$id.json" </dev/null
    status=$?
  else
    status=127
  fi
  echo "NETD_VM_EXIT $id $status"
done < /tmp/plan
cd /
echo "RESULT_JSON {\\"done\\":true,\\"uptime\\":\\"$(cut -d' ' -f1 /proc/uptime)\\"}"
sync
umount /out
echo o > /proc/sysrq-trigger
sleep 60
`;
