#!/usr/bin/env bats
# The filesystem view (DESIGN.md §3): read-only system, private /tmp, empty
# home, minimal /dev, the current directory, and the mount options.

load ../lib/common

setup() {
	common_setup
	SECRET=$(mktemp "$HOME/.sbx-secret.XXXXXX")
	echo "the secret" >"$SECRET"
}

teardown() {
	rm -f "$SECRET"
	common_teardown
}

@test "writing below /usr fails: it is a read-only file system" {
	run --separate-stderr sbx run touch /usr/.sbx-probe
	assert_status 1
	[[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
}

@test "system directories are read-only, even for root inside" {
	local d dirs=()
	for d in /usr /usr/bin /usr/lib /etc /opt /bin /sbin /lib /lib64; do
		[ -d "$d" ] && dirs+=("$d")
	done
	run --separate-stderr sbx run --user root sh -c '
		for d in "$@"; do
			err=$(touch "$d/.sbx-probe" 2>&1) && echo "writable: $d"
			case $err in *"Read-only file system"*) ;; *) echo "$d: $err" ;; esac
		done' sh "${dirs[@]}"
	assert_status 0
	assert_output ""
}

@test "/usr cannot be remounted read-write, even as root inside" {
	# mount(8) exits 32 when the mount call itself fails.
	run --separate-stderr sbx run --user root sh -c '
		mount -o remount,rw /usr 2>/dev/null; echo "remount: $?"
		mount -o remount,bind,rw /usr 2>/dev/null; echo "bind remount: $?"
		touch /usr/.sbx-probe 2>/dev/null && echo "/usr is writable"
		echo end'
	assert_status 0
	assert_output "remount: 32
bind remount: 32
end"
}

@test "symlinks like /bin stay symlinks" {
	[ -L /bin ] || skip "/bin is not a symlink on this host"
	run --separate-stderr sbx run readlink /bin
	assert_status 0
	assert_output "$(readlink /bin)"
}

@test "the root directory holds only the host view" {
	local want=() d
	for d in /usr /bin /sbin /lib /lib32 /lib64 /libx32 /etc /opt; do
		[ -e "$d" ] || [ -L "$d" ] && want+=("${d#/}")
	done
	want+=(dev proc sys tmp run var)
	local top=${HOME#/}
	want+=("${top%%/*}")
	run --separate-stderr sbx run ls -A /
	assert_status 0
	assert_output "$(printf '%s\n' "${want[@]}" | sort -u)"
}

@test "/root, /srv, /mnt, /media, /boot and the rest of /var are absent" {
	run --separate-stderr sbx run sh -c '
		for d in /root /srv /mnt /media /boot /var/log /var/lib /var/cache /var/spool; do
			if [ -e "$d" ]; then echo "$d"; fi
		done
		ls -A /var'
	assert_status 0
	assert_output "tmp"
}

@test "other users' homes are absent" {
	local parent
	parent=$(dirname "$HOME")
	[ "$parent" != / ] || skip "my home is a top-level directory"
	run --separate-stderr sbx run ls -A "$parent"
	assert_status 0
	assert_output "$(basename "$HOME")"
}

@test "a file in my home is invisible inside" {
	run --separate-stderr sbx run cat "$SECRET"
	assert_status 1
	assert_output ""
	[[ "$stderr" == *"No such file or directory"* ]] || fail "stderr: $stderr"
}

@test "my home inside is an empty tmpfs apart from my project" {
	run --separate-stderr sbx run sh -c 'ls -A "$HOME"; findmnt -n -o FSTYPE --target "$HOME"'
	assert_status 0
	assert_output "$(basename "$PROJ")
tmpfs"
}

@test "my project directory is shared read-write at its own path" {
	echo "from host" >"$PROJ/host-file"
	run --separate-stderr sbx run sh -c 'pwd; cat host-file; echo "from inside" > inside-file'
	assert_status 0
	assert_output "$PROJ
from host"
	[ "$(cat "$PROJ/inside-file")" = "from inside" ]
}

@test "--cwd ro shares my project read-only" {
	echo "from host" >"$PROJ/host-file"
	run --separate-stderr sbx run --cwd ro sh -c 'pwd; cat host-file; touch inside-file'
	assert_status 1
	assert_output "$PROJ
from host"
	[[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
	[ ! -e "$PROJ/inside-file" ]
}

@test "--cwd none does not share my project" {
	echo "from host" >"$PROJ/host-file"
	run --separate-stderr sbx run --cwd none sh -c 'pwd; ls -A "$HOME"; [ -e "$0/host-file" ] && echo visible; true' "$PROJ"
	assert_status 0
	assert_output "$HOME"
}

@test "running from my home does not share it and says so" {
	cd "$HOME"
	run --separate-stderr sbx run sh -c 'pwd; ls -A'
	assert_status 0
	assert_output "$HOME"
	[ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one notice line, got: '$stderr'"
}

@test "running from / does not share it and starts in my home" {
	cd /
	run --separate-stderr sbx run pwd
	assert_status 0
	assert_output "$HOME"
	[ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one notice line, got: '$stderr'"
}

@test "running from a system directory does not share it" {
	cd /usr/share
	run --separate-stderr sbx run pwd
	assert_status 0
	assert_output "$HOME"
	[ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one notice line, got: '$stderr'"
}

@test "running from an ancestor of my home does not share it" {
	[ "$(dirname "$HOME")" != / ] || skip "my home is a top-level directory"
	cd "$(dirname "$HOME")"
	run --separate-stderr sbx run pwd
	assert_status 0
	assert_output "$HOME"
	[ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one notice line, got: '$stderr'"
}

@test "--cwd rw from my home shares it" {
	cd "$HOME"
	run --separate-stderr sbx run --cwd rw sh -c 'pwd; cat "$0"' "$SECRET"
	assert_status 0
	assert_output "$HOME
the secret"
	assert_stderr_empty
}

@test "-w and --workdir set the starting directory" {
	run --separate-stderr sbx run -w /usr pwd
	assert_status 0
	assert_output "/usr"
	run --separate-stderr sbx run --workdir=/tmp pwd
	assert_status 0
	assert_output "/tmp"
	run --separate-stderr sbx run --workdir /etc pwd
	assert_status 0
	assert_output "/etc"
}

@test "a workdir that does not exist inside exits 125 naming it" {
	run --separate-stderr sbx run -w /no/such/dir-sbx true
	assert_status 125
	assert_one_error_line "/no/such/dir-sbx"
}

@test "--home ro shows my real home read-only" {
	local probe=$HOME/.sbx-probe-$$-$RANDOM
	run --separate-stderr sbx run --home ro sh -c '
		cat "$0"
		touch "$1" 2>/dev/null && echo "home writable"
		touch "$PWD/in-project" && echo "project writable"' "$SECRET" "$probe"
	local leaked=0
	[ ! -e "$probe" ] || leaked=1
	rm -f "$probe"
	assert_status 0
	assert_output "the secret
project writable"
	[ "$leaked" -eq 0 ] || fail "a file written to the read-only home appeared on the host"
	[ -e "$PROJ/in-project" ]
}

@test "--home rw shows my real home read-write" {
	local made
	made=$HOME/.sbx-made-$$-$RANDOM
	run --separate-stderr sbx run --home rw sh -c 'cat "$0"; echo made > "$1"' "$SECRET" "$made"
	local content
	content=$(cat "$made" 2>/dev/null || true)
	rm -f "$made"
	assert_status 0
	assert_output "the secret"
	[ "$content" = made ]
}

@test "/tmp inside is private" {
	local host_file inside_name
	host_file=$(mktemp /tmp/sbx-host-probe.XXXXXX)
	inside_name=sbx-inside-probe-$$-$RANDOM
	run --separate-stderr sbx run sh -c 'ls -A /tmp; touch "/tmp/$0" && echo made' "$inside_name"
	rm -f "$host_file"
	local leaked=0
	[ ! -e "/tmp/$inside_name" ] || leaked=1
	rm -f "/tmp/$inside_name"
	assert_status 0
	assert_output "made"
	[ "$leaked" -eq 0 ] || fail "a file made in the sandbox's /tmp appeared on the host"
}

@test "/tmp, /var/tmp and /run are empty tmpfs" {
	run --separate-stderr sbx run sh -c '
		for d in /tmp /var/tmp /run; do
			echo "$d $(findmnt -n -o FSTYPE --target "$d") $(ls -A "$d" | wc -l)"
		done'
	assert_status 0
	assert_output "/tmp tmpfs 0
/var/tmp tmpfs 0
/run tmpfs 0"
}

@test "/tmp and /var/tmp are writable and sticky like the host's" {
	run --separate-stderr sbx run sh -c '
		for d in /tmp /var/tmp; do
			echo "$d $(stat -c %a "$d")"
			touch "$d/probe" || echo "$d not writable"
		done'
	assert_status 0
	assert_output "/tmp 1777
/var/tmp 1777"
}

@test "/dev holds only the minimal devices" {
	run --separate-stderr sbx run ls -A /dev
	assert_status 0
	assert_output "$(printf '%s\n' fd full null ptmx pts random shm stderr stdin stdout tty urandom zero | sort)"
}

@test "the devices in /dev work" {
	run --separate-stderr sbx run sh -c '
		echo discarded > /dev/null && echo null-ok
		[ "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 ] && echo zero-ok
		echo x 2>/dev/null > /dev/full || echo full-ok
		[ "$(head -c 16 /dev/urandom | wc -c)" -eq 16 ] && echo urandom-ok
		[ "$(head -c 16 /dev/random | wc -c)" -eq 16 ] && echo random-ok
		[ -c /dev/tty ] && echo tty-ok
		[ "$(readlink /dev/fd)" = /proc/self/fd ] && echo fd-ok
		[ "$(readlink /dev/stdin)" = /proc/self/fd/0 ] && echo stdin-ok
		[ "$(readlink /dev/stdout)" = /proc/self/fd/1 ] && echo stdout-ok
		[ "$(readlink /dev/stderr)" = /proc/self/fd/2 ] && echo stderr-ok
		echo shm > /dev/shm/probe && echo shm-ok'
	assert_status 0
	assert_output "null-ok
zero-ok
full-ok
urandom-ok
random-ok
tty-ok
fd-ok
stdin-ok
stdout-ok
stderr-ok
shm-ok"
}

@test "/dev/pts is a fresh devpts instance" {
	run --separate-stderr sbx run sh -c 'findmnt -n -o FSTYPE /dev/pts; ls -A /dev/pts'
	assert_status 0
	assert_output "devpts
ptmx"
}

@test "/proc is a fresh proc and / a fresh tmpfs" {
	run --separate-stderr sbx run sh -c 'findmnt -n -o FSTYPE /proc; findmnt -n -o FSTYPE /'
	assert_status 0
	assert_output "proc
tmpfs"
}

@test "/sys is mounted read-only" {
	run --separate-stderr sbx run sh -c '
		findmnt -n -o FSTYPE /sys
		findmnt -n -o VFS-OPTIONS /sys | cut -d, -f1'
	assert_status 0
	assert_output "sysfs
ro"
}

@test "every mount is nosuid and nodev, devices aside" {
	local src
	src=$(mktemp -d "$BATS_TEST_TMPDIR/src.XXXXXX")
	run --separate-stderr sbx run --bind "$src:/data" --ro-bind "$src:/data-ro" --tmpfs /scratch \
		cat /proc/self/mountinfo
	assert_status 0
	# Device nodes and devpts must keep working, so they may lack nodev.
	local bad
	bad=$(awk '
		{ mp = $5; opts = "," $6 "," }
		opts !~ /,nosuid,/ { print "suid allowed: " mp " " $6 }
		opts !~ /,nodev,/ && mp !~ /^\/dev\/(null|zero|full|random|urandom|tty|console|ptmx|pts)$/ {
			print "devices allowed: " mp " " $6
		}' <<<"$output")
	[ -z "$bad" ] || fail "$bad"
}

@test "--bind shares a directory read-write at the path I name" {
	local src
	src=$(mktemp -d "$BATS_TEST_TMPDIR/src.XXXXXX")
	echo "from host" >"$src/in-src"
	run --separate-stderr sbx run --bind "$src:/data" sh -c 'cat /data/in-src; echo back > /data/from-inside'
	assert_status 0
	assert_output "from host"
	[ "$(cat "$src/from-inside")" = back ]
}

@test "--bind without a destination uses the same path inside" {
	local src
	src=$(mktemp -d "$BATS_TEST_TMPDIR/src.XXXXXX")
	echo "from host" >"$src/in-src"
	run --separate-stderr sbx run --bind "$src" cat "$src/in-src"
	assert_status 0
	assert_output "from host"
}

@test "--ro-bind shares a directory read-only" {
	local src
	src=$(mktemp -d "$BATS_TEST_TMPDIR/src.XXXXXX")
	echo "from host" >"$src/in-src"
	run --separate-stderr sbx run --ro-bind "$src:/data" sh -c 'cat /data/in-src; touch /data/from-inside'
	assert_status 1
	assert_output "from host"
	[[ "$stderr" == *"Read-only file system"* ]] || fail "stderr: $stderr"
	[ ! -e "$src/from-inside" ]
}

@test "a bind source that does not exist exits 125 naming the path" {
	local missing=/no/such/sbx-src-$$
	run --separate-stderr sbx run --bind "$missing:/data" true
	assert_status 125
	assert_one_error_line "$missing"
	run --separate-stderr sbx run --ro-bind "$missing" true
	assert_status 125
	assert_one_error_line "$missing"
}

@test "--tmpfs mounts an empty writable tmpfs" {
	run --separate-stderr sbx run --tmpfs /scratch sh -c '
		findmnt -n -o FSTYPE /scratch; ls -A /scratch | wc -l; echo hi > /scratch/f && cat /scratch/f'
	assert_status 0
	assert_output "tmpfs
0
hi"
}

@test "--tmpfs with a size limits the tmpfs to that size" {
	run --separate-stderr sbx run --tmpfs /scratch:size=1048576 sh -c '
		df -B1 --output=size /scratch | tail -n1 | tr -d " "
		head -c 2097152 /dev/zero > /scratch/big 2>/dev/null || echo full'
	assert_status 0
	assert_output "1048576
full"
}
