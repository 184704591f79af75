#!/usr/bin/env bats
# Every namespace is the sandbox's own: user, pid, mnt, uts, ipc, net, cgroup.

load ../lib/common

# The sandbox's namespace $1 is not the caller's.
assert_ns_differs() {
	local ns=$1 outside
	outside=$(readlink "/proc/self/ns/$ns")
	run --separate-stderr sbx run readlink "/proc/self/ns/$ns"
	assert_status 0
	[[ "$output" =~ ^$ns:\[[0-9]+\]$ ]] || fail "unexpected link inside: '$output'"
	[ "$output" != "$outside" ] || fail "the $ns namespace is the host's: $outside"
}

@test "the sandbox has its own user namespace" { assert_ns_differs user; }
@test "the sandbox has its own pid namespace" { assert_ns_differs pid; }
@test "the sandbox has its own mount namespace" { assert_ns_differs mnt; }
@test "the sandbox has its own uts namespace" { assert_ns_differs uts; }
@test "the sandbox has its own ipc namespace" { assert_ns_differs ipc; }
@test "the sandbox has its own network namespace" { assert_ns_differs net; }
@test "the sandbox has its own cgroup namespace" { assert_ns_differs cgroup; }

NS_LIST='user pid mnt uts ipc net cgroup'

@test "two sandboxes running at once share no namespace" {
	# Both must be alive together: the kernel reuses the inode numbers of
	# namespaces that are gone.
	local first
	timeout 60 "$SBX" run sh -c '
		for ns in $0; do readlink /proc/self/ns/$ns; done > first.tmp
		mv first.tmp first
		i=0; while [ ! -e stop ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done' \
		"$NS_LIST" 3>&- &
	local pid=$!
	wait_until 300 test -e "$PROJ/first" || { touch "$PROJ/stop"; wait "$pid" || true; fail "first sandbox did not start"; }
	run --separate-stderr sbx run sh -c 'for ns in $0; do readlink /proc/self/ns/$ns; done' "$NS_LIST"
	touch "$PROJ/stop"
	wait "$pid" || true
	assert_status 0
	first=$(cat "$PROJ/first")
	[ "$(wc -l <<<"$first")" -eq 7 ] || fail "first sandbox printed: $first"
	[ "$(wc -l <<<"$output")" -eq 7 ] || fail "second sandbox printed: $output"
	local same
	same=$(comm -12 <(sort <<<"$first") <(sort <<<"$output"))
	[ -z "$same" ] || fail "shared namespaces: $same"
}

@test "every namespace of the sandbox is owned by its own user namespace" {
	# DESIGN.md section 1: no namespace may belong to the host's user
	# namespace. NS_GET_USERNS (_IO(0xb7, 1)) gives each one's owner; an
	# owner outside ours would be EPERM.
	run --separate-stderr sbx run --net none python3 -c '
import fcntl, os, sys
own = os.stat("/proc/self/ns/user").st_ino
for ns in sys.argv[1:]:
    fd = os.open("/proc/self/ns/" + ns, os.O_RDONLY)
    owner = fcntl.ioctl(fd, 0xb701)
    print(ns, "mine" if os.fstat(owner).st_ino == own else "other")
' pid mnt uts ipc net cgroup
	assert_status 0
	assert_output "pid mine
mnt mine
uts mine
ipc mine
net mine
cgroup mine"
}

@test "the cgroup namespace is rooted at my cgroup" {
	run --separate-stderr sbx run cat /proc/self/cgroup
	assert_status 0
	[ -n "$output" ] || fail "empty /proc/self/cgroup"
	# Every hierarchy (v2 "0::", and v1 ones on hybrid hosts) shows its root.
	local bad
	bad=$(grep -v ':/$' <<<"$output" || true)
	[ -z "$bad" ] || fail "cgroup paths outside the namespace root: $bad"
}

@test "the hostname inside is sbx by default" {
	run --separate-stderr sbx run sh -c 'hostname; uname -n'
	assert_status 0
	assert_output "sbx
sbx"
}

@test "--hostname sets the hostname inside and not on the host" {
	local before
	before=$(uname -n)
	run --separate-stderr sbx run --hostname my-box uname -n
	assert_status 0
	assert_output "my-box"
	[ "$(uname -n)" = "$before" ]
}

@test "changing the hostname inside does not change mine" {
	local before
	before=$(uname -n)
	# Without capabilities even root inside may not; either way the host keeps its name.
	run sbx run --user root hostname changed-inside
	[ "$(uname -n)" = "$before" ]
}

@test "a message queue on the host is invisible inside" {
	local id
	id=$(ipcmk -Q | grep -o '[0-9]\+$')
	run --separate-stderr sbx run ipcs -q
	ipcrm -q "$id"
	assert_status 0
	# ipcs prints headers only: no line with a key (0x...).
	if grep -q '^0x' <<<"$output"; then fail "queues visible inside: $output"; fi
	[[ "$output" == *"Message Queues"* ]] || fail "unexpected ipcs output: $output"
}

@test "a message queue made inside is invisible to the host" {
	run --separate-stderr sbx run sh -c 'ipcmk -Q >/dev/null && ipcs -q | awk "/^0x/ { print \$1 }"'
	assert_status 0
	[[ "$output" =~ ^0x[0-9a-f]+$ ]] || fail "expected the key of one queue inside, got: $output"
	if ipcs -q | grep -q "^$output "; then fail "the queue $output is on the host"; fi
}

@test "with --net none the network has only a loopback interface and it is up" {
	run --separate-stderr sbx run --net none ip -o link show
	assert_status 0
	[ "$(grep -c '' <<<"$output")" -eq 1 ] || fail "more than one interface: $output"
	[[ "$output" =~ ^1:\ lo:\ \<LOOPBACK,UP[,\>] ]] || fail "lo is not up: $output"
	run --separate-stderr sbx run --net none ip -o -4 addr show dev lo
	assert_status 0
	assert_output_contains "inet 127.0.0.1/8"
}

@test "--net none gives the same loopback-only network" {
	run --separate-stderr sbx run --net none ls /sys/class/net
	assert_status 0
	assert_output "lo"
	run --separate-stderr sbx run --net=none cat /sys/class/net/lo/operstate /sys/class/net/lo/flags
	assert_status 0
	# operstate of lo is "unknown" even when up; flags has IFF_UP (0x1).
	[ "$(head -n1 <<<"$output")" = unknown ] || fail "operstate: $output"
	(( $(tail -n1 <<<"$output") & 1 )) || fail "lo is down: $output"
}

@test "/sys/class/net lists only the sandbox's interfaces" {
	run --separate-stderr sbx run ls /sys/class/net
	assert_status 0
	assert_output "lo
tap0"
}

@test "a server on loopback inside is reachable inside" {
	command -v python3 >/dev/null || skip "python3 is not installed (helpers/install-deps --test)"
	# A one-shot server on 127.0.0.1 inside, and bash's /dev/tcp as the client.
	run --separate-stderr sbx run bash -c '
		python3 -c "
import socket, sys
s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1); s.settimeout(20)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); c.sendall(b\"hello from inside\\n\"); c.close()
" > port &
		for i in $(seq 100); do [ -s port ] && break; sleep 0.1; done
		exec 3<>/dev/tcp/127.0.0.1/$(cat port) && head -n1 <&3
		wait'
	assert_status 0
	assert_output "hello from inside"
}

@test "a server on my loopback is unreachable from inside" {
	command -v python3 >/dev/null || skip "python3 is not installed (helpers/install-deps --test)"
	local port pid
	python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4); s.settimeout(1)
print(s.getsockname()[1], flush=True)
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.sendall(b"host answers\n"); c.close()
' >"$PROJ/host-port" 3>&- &
	pid=$!
	wait_until 100 test -s "$PROJ/host-port" || fail "host server did not start"
	port=$(cat "$PROJ/host-port")
	# It does answer on the host, so a failure inside means isolation.
	run bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -n1 <&3"
	if [ "$output" != "host answers" ]; then
		kill "$pid"
		fail "the host server does not answer on the host: $output"
	fi
	run --separate-stderr sbx run bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && head -n1 <&3"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[ "$status" -ne 0 ] || fail "reached the host's 127.0.0.1:$port from inside: $output"
	assert_output ""
	[[ "$stderr" == *"Connection refused"* ]] || fail "unexpected error: $stderr"
}
