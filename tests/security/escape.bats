#!/usr/bin/env bats
# Escapes through processes, /proc, privileges, IPC, devices and the kernel's
# tunables: each test tries one from inside and checks the exact refusal.

load ../lib/common

# A process of mine on the host, killed in teardown.
start_host_sleep() {
	sleep 300 3>&- &
	HOST_PID=$!
}

teardown() {
	if [ -n "${HOST_PID:-}" ]; then
		kill "$HOST_PID" 2>/dev/null || true
		wait "$HOST_PID" 2>/dev/null || true
	fi
	if [ -n "${SHM_ID:-}" ]; then ipcrm -m "$SHM_ID" 2>/dev/null || true; fi
	common_teardown
}

# --- processes ------------------------------------------------------------

@test "a process of mine cannot be killed or traced from inside" {
	start_host_sleep
	run_probes --user root -- "kill $HOST_PID 9" "kill $HOST_PID 0" "ptrace_attach $HOST_PID"
	assert_status 0
	assert_output "kill: ESRCH
kill: ESRCH
ptrace_attach: ESRCH"
	kill -0 "$HOST_PID" || fail "my process died"
}

@test "/proc/<my pid>/root and /proc/<my pid>/environ are out of reach" {
	start_host_sleep
	# The pid the test knows: host pids are not even visible inside.
	run_probes --user root -- "list_dir /proc/$HOST_PID/root" \
		"read_file /proc/$HOST_PID/environ" "list_dir /proc/$HOST_PID"
	assert_status 0
	assert_output "list_dir: ENOENT
read_file: ENOENT
list_dir: ENOENT"
}

@test "pid 1's environment, descriptors, memory and root are unreadable, even as root inside" {
	local who
	for who in keep root; do
		SBX_CANARY=chirp run_probes --user "$who" -e SBX_CANARY -- \
			"read_file /proc/1/environ" "list_dir /proc/1/fd" "read_file /proc/1/mem" \
			"list_dir /proc/1/root" "list_dir /proc/1/cwd" "list_dir /proc/1/map_files"
		assert_status 0
		assert_output "read_file: EACCES
list_dir: EACCES
read_file: EACCES
list_dir: EACCES
list_dir: EACCES
list_dir: EACCES"
	done
}

@test "/proc/1/exe cannot be opened for writing (CVE-2019-5736)" {
	local who
	for who in keep root; do
		run_probes --user "$who" -- "open_write /proc/1/exe" "read_file /proc/1/exe"
		assert_status 0
		assert_output "open_write: EACCES
read_file: EACCES"
	done
}

@test "pid 1 cannot be traced or have its memory read from inside" {
	run_probes --user root -- "ptrace_attach 1" "kill 1 0"
	assert_status 0
	# Signal 0 only asks whether pid 1 exists: it does, and is ours.
	assert_output "ptrace_attach: EPERM
kill: ok"
}

@test "pid 1 runs under the seccomp filter too" {
	run --separate-stderr sbx run --net none sh -c 'grep "^Seccomp:" /proc/1/status /proc/self/status' </dev/null
	assert_status 0
	# 2 = SECCOMP_MODE_FILTER.
	assert_output "/proc/1/status:Seccomp:	2
/proc/self/status:Seccomp:	2"
}

# --- privileges -------------------------------------------------------------

@test "no capabilities even as root inside" {
	run --separate-stderr sbx run --net none --user root sh -c \
		'id -u; grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):" /proc/self/status'
	assert_status 0
	assert_output "0
CapInh:	0000000000000000
CapPrm:	0000000000000000
CapEff:	0000000000000000
CapBnd:	0000000000000000
CapAmb:	0000000000000000
NoNewPrivs:	1"
}

@test "a setuid binary gains nothing inside: no_new_privs and nosuid" {
	require_subids
	require_probe
	# A setuid copy of the probe, owned by me, run as another uid (1234,
	# one of my subordinate ids) that could not reach my project directory.
	cp "$SBX_PROBE" "$PROJ/suid-probe"
	chmod 4755 "$PROJ/suid-probe"
	run --separate-stderr sbx run --net none --user 1234 -w /tmp \
		--ro-bind "$PROJ/suid-probe:/tmp/suid-probe" sh -c '
		stat -c %A /tmp/suid-probe
		grep "^NoNewPrivs:" /proc/self/status
		/tmp/suid-probe ids
		awk "\$6 !~ /(^|,)nosuid(,|\$)/ { print \"suid allowed on\", \$5 }" /proc/self/mountinfo' </dev/null
	assert_status 0
	# The bit is there, and uid 1234 stays 1234 instead of becoming mine.
	assert_output "-rwsr-xr-x
NoNewPrivs:	1
ids: 1234 1234 1234"
	# The host's setuid helpers do not help either.
	run --separate-stderr sbx run --net none sh -c 'newuidmap $$ 0 0 1' </dev/null
	[ "$status" -ne 0 ] || fail "newuidmap succeeded inside: $output $stderr"
}

# --- IPC and network -------------------------------------------------------

@test "an abstract unix socket of mine on the host is unreachable from inside" {
	command -v python3 >/dev/null || skip "python3 is not installed (helpers/install-deps --test)"
	require_probe
	local name="sbx-test-$$-$RANDOM" pid
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1]); s.listen(8); s.settimeout(1)
print("ready", flush=True)
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        c, _ = s.accept(); c.close()
    except socket.timeout:
        pass
' "$name" >"$PROJ/ready" 3>&- &
	HOST_PID=$!
	wait_until 100 file_contains "$PROJ/ready" ready || fail "the host server did not start"
	run "$SBX_PROBE" connect_abstract "$name"
	[ "$output" = "connect_abstract: ok" ] || fail "control: the socket is not reachable on the host: $output"
	local net
	for net in slirp none; do
		run_probe --net "$net" -- connect_abstract "$name"
		assert_status 0
		assert_output "connect_abstract: ECONNREFUSED"
	done
}

@test "SysV shared memory of mine on the host is invisible inside" {
	require_probe
	SHM_ID=$(ipcmk -M 4096 | grep -o '[0-9]\+$')
	run "$SBX_PROBE" shm_attach "$SHM_ID"
	[ "$output" = "shm_attach: ok" ] || fail "control: cannot attach on the host: $output"
	run_probe -- shm_attach "$SHM_ID"
	assert_status 0
	assert_output "shm_attach: EINVAL"
	run --separate-stderr sbx run --net none ipcs -m
	assert_status 0
	if grep -q '^0x' <<<"$output"; then fail "segments visible inside: $output"; fi
}

@test "changing the hostname inside, even as root, does not change mine" {
	local before
	before=$(uname -n)
	run_probe --user root -- sethostname sbx-escaped
	assert_status 0
	assert_output "sethostname: EPERM"
	[ "$(uname -n)" = "$before" ] || fail "the host's name changed to $(uname -n)"
}

# --- devices and kernel tunables ------------------------------------------

@test "/dev holds only the allowlist and mknod fails" {
	run --separate-stderr sbx run --net none ls -A /dev
	assert_status 0
	local allowed=" console fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " e
	for e in $output; do
		[[ "$allowed" == *" $e "* ]] || fail "/dev/$e is not in the allowlist" "$output"
	done
	for e in fd full null ptmx pts random shm stderr stdin stdout tty urandom zero; do
		[[ " $(tr '\n' ' ' <<<"$output") " == *" $e "* ]] || fail "/dev/$e is missing" "$output"
	done
	local who
	for who in keep root; do
		run_probes --user "$who" -- "mknod /dev/sbx-null" "mknod /tmp/sbx-null" \
			"mknod $PROJ/sbx-null"
		assert_status 0
		assert_output "mknod: EROFS
mknod: EPERM
mknod: EPERM"
	done
}

@test "/proc/sysrq-trigger and /proc/sys are not writable, even as root inside" {
	run_probes --user root -- "open_write /proc/sysrq-trigger" \
		"open_write /proc/sys/kernel/hostname" "open_write /proc/sys/kernel/core_pattern" \
		"open_write /proc/sys/vm/drop_caches" "open_write /proc/sys/net/ipv4/ip_forward"
	assert_status 0
	# A kernel without CONFIG_MAGIC_SYSRQ has no sysrq-trigger at all.
	output=${output/open_write: ENOENT/open_write: EACCES}
	assert_output "open_write: EACCES
open_write: EACCES
open_write: EACCES
open_write: EACCES
open_write: EACCES"
}

@test "/sys is read-only" {
	run_probes --user root -- "create /sys/sbx-test" "open_write /sys/class/net/lo/mtu" \
		"create /sys/class/sbx-test"
	assert_status 0
	assert_output "create: EROFS
open_write: EROFS
create: EROFS"
	run --separate-stderr sbx run --net none awk '$5 == "/sys" { print $6 }' /proc/self/mountinfo
	assert_status 0
	[[ "$output" =~ ^ro, ]] || fail "/sys is mounted '$output'"
}
