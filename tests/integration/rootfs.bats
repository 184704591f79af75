#!/usr/bin/env bats
# --rootfs DIR: DIR's top-level entries become the sandbox's root (read-only
# unless --rootfs-rw); sbx still provides /proc, /dev, /sys, /tmp, /run, its
# own /etc/hosts and /etc/resolv.conf, the $HOME tmpfs and the current
# directory. The tests build a tiny rootfs from the static busybox.

load ../lib/common

BUSYBOX=${BUSYBOX:-/bin/busybox}
APPLETS="sh echo cat ls id mount touch awk readlink mkdir rm hostname"

setup() {
	common_setup
	# A static busybox (busybox-static): the rootfs has no libraries.
	[ -x "$BUSYBOX" ] || fail "$BUSYBOX is not installed (apt-get install busybox-static)"
	R=$BATS_TEST_TMPDIR/rootfs
	mkdir -p "$R/bin" "$R/etc" "$R/usr" "$R/var"
	cp "$BUSYBOX" "$R/bin/busybox"
	local a
	for a in $APPLETS; do ln -s busybox "$R/bin/$a"; done
	chmod -R a+rX "$R"
}

@test "a busybox rootfs runs sh -c 'echo ok'" {
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/sh -c 'echo ok'
	assert_status 0
	assert_output "ok"
}

@test "inside a rootfs, /usr is the rootfs's empty /usr, not the host's" {
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/sh -c '
		ls -A /usr; [ -e /usr/bin/env ] && echo "host /usr is visible"; true'
	assert_status 0
	assert_output ""
}

@test "the root of a rootfs holds its entries and what sbx provides, nothing of the host" {
	local top=${HOME#/}
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/ls -A /
	assert_status 0
	assert_output "$(printf '%s\n' bin etc usr var dev proc sys tmp run "${top%%/*}" | LC_ALL=C sort -u)"
}

@test "a rootfs without /etc or /var gets none from sbx" {
	rmdir "$R/etc" "$R/var"
	local top=${HOME#/}
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/ls -A /
	assert_status 0
	assert_output "$(printf '%s\n' bin usr dev proc sys tmp run "${top%%/*}" | LC_ALL=C sort -u)"
}

@test "a rootfs's /etc holds only the sandbox's own hosts and resolv.conf" {
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/sh -c '
		ls -A /etc; awk "\$1 == \"127.0.0.1\" && \$2 == \"localhost\" { print \"localhost ok\" }" /etc/hosts'
	assert_status 0
	assert_output "hosts
resolv.conf
localhost ok"
}

@test "a run with a read-only rootfs leaves the rootfs unchanged" {
	local before
	before=$(tree_listing "$R")
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/sh -c '
		touch /tmp/t /var/tmp/t "$HOME/t"; echo ok'
	assert_status 0
	assert_output "ok"
	assert_same_tree "$before" "$(tree_listing "$R")"
}

@test "writing to / or /bin of a rootfs fails: it is read-only" {
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/sh -c '
		for f in /made-at-root /bin/made-in-bin /usr/made-in-usr /etc/made-in-etc; do
			touch "$f" 2>&1 && echo "writable: $f"
		done; true'
	assert_status 0
	[ "$(grep -c 'Read-only file system' <<<"$output")" -eq 4 ] ||
		fail "expected four 'Read-only file system' errors, got:" "$output"
	[ ! -e "$R/made-at-root" ] && [ ! -e "$R/bin/made-in-bin" ] && [ ! -e "$R/usr/made-in-usr" ] ||
		fail "a file reached the rootfs"
}

@test "a read-only rootfs stays read-only for root inside, even after trying to remount it" {
	run --separate-stderr sbx run --net none --user root --rootfs "$R" /bin/sh -c '
		mount -o remount,rw / 2>/dev/null
		mount -o remount,bind,rw /bin 2>/dev/null
		touch /bin/made-by-root 2>/dev/null && echo "/bin is writable"
		echo end'
	assert_status 0
	assert_output "end"
	[ ! -e "$R/bin/made-by-root" ] || fail "root inside wrote to the rootfs"
}

@test "--rootfs-rw makes the rootfs's directories writable and the writes reach it" {
	run --separate-stderr sbx run --net none --rootfs "$R" --rootfs-rw /bin/sh -c '
		echo bin > /bin/made-in-bin && echo usr > /usr/made-in-usr && mkdir /etc/made-in-etc && echo ok'
	assert_status 0
	assert_output "ok"
	[ "$(cat "$R/bin/made-in-bin")" = bin ] || fail "/bin/made-in-bin is not in the rootfs"
	[ "$(cat "$R/usr/made-in-usr")" = usr ] || fail "/usr/made-in-usr is not in the rootfs"
	[ -d "$R/etc/made-in-etc" ] || fail "/etc/made-in-etc is not in the rootfs"
}

@test "--rootfs-rw lets me write at / and the file appears at the top of the rootfs" {
	run --separate-stderr sbx run --net none --rootfs "$R" --rootfs-rw /bin/sh -c 'echo root > /made-at-root && echo ok'
	assert_status 0
	assert_output "ok"
	[ "$(cat "$R/made-at-root")" = root ] || fail "/made-at-root is not in the rootfs"
}

@test "inside a rootfs, /proc is the sandbox's own" {
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/sh -c '
		read -r pid rest < /proc/self/stat
		[ "$pid" = "$$" ] && echo "same pid"
		awk "\$2 == \"/proc\" { print \$3 }" /proc/mounts
		[ -e "/proc/$0" ] && echo "my host pid $0 is visible"; true' "$$"
	assert_status 0
	# A host /proc would show the shell its host pid, not its pid inside.
	assert_output "same pid
proc"
}

@test "inside a rootfs, /dev, /sys, /tmp, /run and /var/tmp are fresh" {
	# /run is root's, as on the host view; /tmp and /var/tmp are for everyone.
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/sh -c '
		echo hi > /dev/null && echo "dev/null ok"
		ls /sys/class/net
		for d in /tmp /run /var/tmp; do echo "$d [$(ls -A "$d")]"; done
		touch /tmp/t /var/tmp/t && echo writable
		awk "\$2 == \"/tmp\" || \$2 == \"/run\" || \$2 == \"/var/tmp\" || \$2 == \"/sys\" { print \$2, \$3 }" /proc/mounts | sort -u'
	assert_status 0
	assert_output "dev/null ok
lo
/tmp []
/run []
/var/tmp []
writable
/run tmpfs
/sys sysfs
/tmp tmpfs
/var/tmp tmpfs"
}

@test "inside a rootfs, my home is an empty tmpfs and my project is at its own path" {
	echo "from host" >"$PROJ/host-file"
	run --separate-stderr sbx run --net none --rootfs "$R" /bin/sh -c '
		pwd; cat host-file; echo "from inside" > inside-file; ls -A "$HOME"
		awk -v h="$HOME" "\$2 == h { print \$3 }" /proc/mounts'
	assert_status 0
	assert_output "$PROJ
from host
$(basename "$PROJ")
tmpfs"
	[ "$(cat "$PROJ/inside-file")" = "from inside" ] || fail "the write did not reach my project"
}

@test "inside a rootfs, I keep my identity and the hostname I ask for" {
	run --separate-stderr sbx run --net none --hostname inbox --rootfs "$R" /bin/sh -c 'id -u; id -g; hostname'
	assert_status 0
	assert_output "$(id -u)
$(id -g)
inbox"
}

@test "binds apply on top of a rootfs" {
	mkdir "$PROJ/data"
	echo "bound" >"$PROJ/data/file"
	run --separate-stderr sbx run --net none --rootfs "$R" --ro-bind "$PROJ/data:/data" \
		--cwd none /bin/sh -c 'cat /data/file; touch /data/new 2>/dev/null || echo "read-only"'
	assert_status 0
	assert_output "bound
read-only"
	[ ! -e "$R/data" ] || fail "the bind's mount point was made in the rootfs"
}

@test "an overlay applies on top of a rootfs" {
	mkdir "$PROJ/tree"
	echo "lower" >"$PROJ/tree/file"
	local before
	before=$(tree_listing "$PROJ/tree")
	run --separate-stderr sbx run --net none --rootfs "$R" --overlay "$PROJ/tree" /bin/sh -c '
		cat "$0/file"; echo upper > "$0/file"; cat "$0/file"
		awk -v d="$0" "\$2 == d { print \$3 }" /proc/mounts' "$PROJ/tree"
	assert_status 0
	assert_output "lower
upper
overlay"
	assert_same_tree "$before" "$(tree_listing "$PROJ/tree")"
}

@test "--rootfs of a directory that does not exist exits 125 with one line" {
	run --separate-stderr sbx run --net none --rootfs /nonexistent-sbx-rootfs /bin/sh -c 'echo ran'
	assert_status 125
	assert_one_error_line "/nonexistent-sbx-rootfs"
	assert_output ""
}

@test "an --overlay that needs fuse-overlayfs in a rootfs without it exits 125 naming the package" {
	# The fallback runs fuse-overlayfs from the sandbox's own root; this one
	# has none.  (The variable forces the fallback; see src/fuseovl.h.)
	[ -e /dev/fuse ] || skip "no /dev/fuse on this host"
	mkdir -p "$PROJ/work"
	run --separate-stderr env SBX_TEST_FORCE_FUSE_OVERLAYFS=1 "$SBX" run --net none \
		--rootfs "$R" --overlay "$PROJ/work" /bin/true
	assert_status 125
	[ "$(printf '%s\n' "$stderr" | wc -l)" -le 2 ] || fail "more than an error and a hint: $stderr"
	[[ $stderr == *"fuse-overlayfs"* && $stderr == *"install the package fuse-overlayfs"* ]] ||
		fail "stderr does not name fuse-overlayfs and its package: $stderr"
}
