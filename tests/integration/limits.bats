#!/usr/bin/env bats
# Resource limits, timeouts and usage reports: --timeout, --kill-after,
# --rlimit, tmpfs caps, --memory/--pids/--cpus (cgroup v2), --stats and
# --json-status-fd.

load ../lib/common

# sbx itself exits 124 on --timeout, as timeout(1) does on expiry. Bound the
# runs of this file with --preserve-status, so that a hang of sbx shows up as
# the status of the signal that ended it (143 or 137), never as 124.
sbx_t() {
	timeout --preserve-status --kill-after=10 "$SBX_TEST_TIMEOUT_S" "$SBX" "$@"
}

# Wait (bounded) for the background sbx to exit; its status lands in $status.
wait_sbx() {
	if ! wait_until 600 child_exited "$SBX_PID"; then
		kill -9 "$SBX_PID" 2>/dev/null || true
		wait "$SBX_PID" 2>/dev/null || true
		SBX_PID=
		fail "sbx did not exit within 60 s"
		return 1
	fi
	status=0
	wait "$SBX_PID" || status=$?
	SBX_PID=
}

teardown() {
	if [ -n "${SBX_PID:-}" ]; then
		kill -9 "$SBX_PID" 2>/dev/null || true
		wait "$SBX_PID" 2>/dev/null || true
	fi
	common_teardown
}

# The lines of a --json-status-fd file, flattened: "lines=N", then one
# "PATH=VALUE" line per leaf (VALUE as JSON: 3, null, true, 1.5). Fails if a
# line is not valid JSON.
json_flat() {
	python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
print("lines=%d" % len(lines))
def flat(path, v):
    if isinstance(v, dict):
        for k, x in v.items():
            flat(path + "." + k if path else k, x)
    else:
        print("%s=%s" % (path, json.dumps(v)))
for line in lines:
    flat("", json.loads(line))
' "$1"
}

# After output=$(json_flat ...): some line of $output is exactly $1.
assert_line() {
	if ! grep -Fxq -- "$1" <<<"$output"; then
		printf 'expected a line: %s\n' "$1" >&2
		_show_run
		return 1
	fi
}

# After output=$(json_flat ...): some line of $output matches the regex $1.
assert_line_matches() {
	if ! grep -Eq -- "$1" <<<"$output"; then
		printf 'expected a line matching: %s\n' "$1" >&2
		_show_run
		return 1
	fi
}

# The value of PATH $1 in the flattened JSON in $output.
json_value() {
	sed -n "s/^$1=//p" <<<"$output"
}

# A python3 payload: fork children that wait until it fails, then print
# "COUNT ERRNO-NAME" (COUNT: forks that succeeded). With a file name as
# argument, it then creates that file and waits (bounded) for FILE.go.
FORK_BOMB='
import errno, os, signal, sys, time
n = 0
try:
    while True:
        if os.fork() == 0:
            signal.pause()
            os._exit(0)
        n += 1
except OSError as e:
    print(n, errno.errorcode[e.errno], flush=True)
if len(sys.argv) > 1:
    open(sys.argv[1], "w").close()
    for _ in range(600):
        if os.path.exists(sys.argv[1] + ".go"):
            break
        time.sleep(0.1)
'

# --- --timeout ----------------------------------------------------------------

@test "a payload past --timeout is stopped and sbx exits 124 with one line" {
	run --separate-stderr sbx_t run --net none --timeout 0.5 sleep 60
	assert_status 124
	assert_output ""
	[ "$stderr" = "sbx: --timeout 0.5 s reached; the sandbox was stopped" ] ||
		fail "unexpected stderr: '$stderr'"
}

@test "the payload gets SIGTERM at the deadline and may clean up" {
	run --separate-stderr sbx_t run --net none --timeout 1 \
		sh -c 'trap "echo got-TERM; exit 0" TERM; sleep 60 & wait'
	assert_status 124
	assert_output "got-TERM"
	assert_one_error_line "--timeout 1 s reached"
}

@test "a payload that ignores SIGTERM is killed after --kill-after and nothing of it is left" {
	local marker out=$PROJ/out
	marker=$(unique_marker)
	# Two shells that ignore TERM, each with a marker in its command line
	# (the trailing ':' keeps the shells from exec'ing sleep).
	start_sbx_bg "$out" run --net none --timeout 1 sh -c \
		'trap "" TERM; sh -c "sleep 300; :" "$0-child" & sleep 300; :' "$marker"
	wait_until 300 pgrep -f -- "$marker-child" >/dev/null ||
		fail "the payload's child never started: $(cat "$out")"
	wait_sbx
	output=$(cat "$out")
	assert_status 124
	assert_output "sbx: --timeout 1 s reached; the sandbox was stopped"
	wait_until 50 no_process_matches "$marker" ||
		fail "left behind: $(pgrep -a -f -- "$marker")"
}

@test "a shorter --kill-after still ends a payload that ignores SIGTERM" {
	run --separate-stderr sbx_t run --net none --timeout 0.5 --kill-after 0.2 \
		sh -c 'trap "" TERM; sleep 60; :'
	assert_status 124
	assert_one_error_line "--timeout 0.5 s reached"
}

@test "a payload that ends before --timeout keeps its own exit status" {
	run --separate-stderr sbx_t run --net none --timeout 30 sh -c 'echo done; exit 3'
	assert_status 3
	assert_output "done"
	assert_stderr_empty
}

@test "a bad --timeout or --kill-after value exits 125 with one line" {
	local v
	for v in 0 -1 abc 1s ''; do
		run --separate-stderr sbx_t run --net none --timeout "$v" true
		assert_status 125
		assert_one_error_line "--timeout"
	done
	for v in -1 abc; do
		run --separate-stderr sbx_t run --net none --timeout 5 --kill-after "$v" true
		assert_status 125
		assert_one_error_line "--kill-after"
	done
}

# --- --rlimit -----------------------------------------------------------------

@test "--rlimit nofile=16 makes opening more descriptors fail with EMFILE" {
	run --separate-stderr sbx_t run --net none --rlimit nofile=16 python3 -c '
import errno, os
fds = []
try:
    while len(fds) < 100:
        fds.append(os.open("/dev/null", os.O_RDONLY))
    print("opened", len(fds))
except OSError as e:
    print(len(fds), errno.errorcode[e.errno])'
	assert_status 0
	local n reason
	read -r n reason <<<"$output"
	[ "$reason" = EMFILE ] || fail "expected EMFILE, got: $output"
	[ "$n" -lt 16 ] || fail "held $n descriptors under nofile=16"
}

@test "--rlimit fsize=1M stops a larger write" {
	run --separate-stderr sbx_t run --net none --rlimit fsize=1M \
		sh -c 'head -c 2M /dev/zero > big; echo "st=$?"'
	assert_status 0
	# SIGXFSZ kills head (the shell says 153), or head sees EFBIG (1).
	[ "$output" = "st=153" ] || [ "$output" = "st=1" ] || fail "the write did not fail: $output"
	local size
	size=$(stat -c %s "$PROJ/big")
	[ "$size" -le 1048576 ] || fail "the file grew to $size bytes"
}

@test "--rlimit sets soft and hard limits, names are case-insensitive, sizes take k/m/g" {
	local getr='import resource as r, sys; print(*r.getrlimit(getattr(r, sys.argv[1])))'
	run --separate-stderr sbx_t run --net none --rlimit NOFILE=32 python3 -c "$getr" RLIMIT_NOFILE
	assert_status 0
	assert_output "32 32"
	run --separate-stderr sbx_t run --net none --rlimit nofile=32:64 python3 -c "$getr" RLIMIT_NOFILE
	assert_status 0
	assert_output "32 64"
	run --separate-stderr sbx_t run --net none --rlimit fsize=2k:1m python3 -c "$getr" RLIMIT_FSIZE
	assert_status 0
	assert_output "2048 1048576"
	run --separate-stderr sbx_t run --net none --rlimit stack=1g python3 -c "$getr" RLIMIT_STACK
	assert_status 0
	assert_output "1073741824 1073741824"
}

@test "the last --rlimit for a resource wins" {
	run --separate-stderr sbx_t run --net none --rlimit nofile=32 --rlimit nofile=48:50 \
		python3 -c 'import resource as r; print(*r.getrlimit(r.RLIMIT_NOFILE))'
	assert_status 0
	assert_output "48 50"
}

@test "--rlimit accepts unlimited within my own hard limit" {
	[ "$(ulimit -H -t)" = unlimited ] || skip "my hard cpu limit is $(ulimit -H -t)"
	run --separate-stderr sbx_t run --net none --rlimit cpu=100:unlimited \
		python3 -c 'import resource as r; print(*r.getrlimit(r.RLIMIT_CPU), r.RLIM_INFINITY)'
	assert_status 0
	local soft hard inf
	read -r soft hard inf <<<"$output"
	[ "$soft" = 100 ] && [ "$hard" = "$inf" ] || fail "unexpected limits: $output"
}

@test "--rlimit may raise a soft limit up to my hard limit" {
	local hard
	hard=$(ulimit -H -n)
	[ "$hard" != unlimited ] || skip "my hard nofile limit is unlimited"
	run --separate-stderr sbx_t run --net none --rlimit "nofile=$hard" sh -c 'ulimit -n; ulimit -H -n'
	assert_status 0
	assert_output "$hard
$hard"
}

@test "core dumps are off inside by default even when mine are on" {
	[ "$(ulimit -H -c)" != 0 ] || skip "my hard core limit is 0"
	run --separate-stderr bash -c 'ulimit -S -c 1024 && "$@"' bash \
		timeout --preserve-status 60 "$SBX" run --net none \
		python3 -c 'import resource as r; print(r.getrlimit(r.RLIMIT_CORE)[0])'
	assert_status 0
	assert_output "0"
}

@test "--rlimit core=1m allows core dumps of up to 1 MiB" {
	[ "$(ulimit -H -c)" = unlimited ] || [ "$(ulimit -H -c)" -ge 1024 ] ||
		skip "my hard core limit is $(ulimit -H -c)"
	run --separate-stderr sbx_t run --net none --rlimit core=1m \
		python3 -c 'import resource as r; print(*r.getrlimit(r.RLIMIT_CORE))'
	assert_status 0
	assert_output "1048576 1048576"
}

@test "--rlimit nproc bounds a fork bomb while I can still fork outside" {
	local out=$PROJ/out
	start_sbx_bg "$out" run --net none --timeout 60 --rlimit nproc=32 \
		python3 -c "$FORK_BOMB" full
	wait_until 300 test -e "$PROJ/full" || fail "the fork bomb never hit its limit: $(cat "$out")"
	# The sandbox is at its limit now; a fork of mine must still work.
	run sh -c 'echo forked-outside'
	local host_status=$status host_output=$output
	touch "$PROJ/full.go"
	wait_sbx
	output=$(cat "$out")
	assert_status 0
	[ "$host_status" -eq 0 ] && [ "$host_output" = forked-outside ] ||
		fail "I could not fork outside: $host_status $host_output"
	local n reason
	read -r n reason <<<"$output"
	[ "$reason" = EAGAIN ] || fail "expected EAGAIN, got: $output"
	[ "$n" -lt 32 ] || fail "$n forks succeeded under nproc=32"
}

@test "a bad --rlimit name or value exits 125 with one line" {
	local spec
	for spec in bogus=1 nofile= nofile nofile=10:5 nofile=1x =5 nofile=-1 nofile=unlimited:10; do
		run --separate-stderr sbx_t run --net none --rlimit "$spec" true
		assert_status 125
		assert_one_error_line "--rlimit"
	done
}

@test "an --rlimit hard limit above mine exits 125 with one line naming the resource" {
	local hard
	hard=$(ulimit -H -n)
	[ "$hard" != unlimited ] || skip "my hard nofile limit is unlimited"
	run --separate-stderr sbx_t run --net none --rlimit nofile=unlimited true
	assert_status 125
	assert_one_error_line "nofile"
	run --separate-stderr sbx_t run --net none --rlimit "nofile=16:$((hard + 1))" true
	assert_status 125
	assert_one_error_line "nofile"
}

# --- tmpfs caps -----------------------------------------------------------------

# Inside: "MOUNTPOINT FSTYPE SUPER-OPTIONS" for each of the mount points given
# (the last mount at each, the one in use).
MOUNTS_OF='
for m; do
	awk -v m="$m" "\$5 == m { for (i = 7; i <= NF; i++) if (\$i == \"-\") { l = m \" \" \$(i + 1) \" \" \$(i + 3) } } END { print l }" /proc/self/mountinfo
done'

@test "/tmp, /var/tmp, /dev/shm and \$HOME inside are tmpfs capped at a quarter of RAM" {
	run --separate-stderr sbx_t run --net none sh -c "$MOUNTS_OF" sh /tmp /var/tmp /dev/shm "$HOME"
	assert_status 0
	local ram_kb max_kb m fs opts size
	ram_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
	# A quarter of RAM, at least 64 MiB (README), rounded up to a page.
	max_kb=$((ram_kb / 4 > 65536 ? ram_kb / 4 + 4 : 65536))
	[ "$(grep -c '' <<<"$output")" -eq 4 ] || fail "expected 4 mounts: $output"
	while read -r m fs opts; do
		[ "$fs" = tmpfs ] || fail "$m is $fs, not tmpfs: $output"
		size=$(grep -oE '(^|,)size=[0-9]+k' <<<"$opts" | grep -oE '[0-9]+') ||
			fail "$m has no size in kiB: $opts"
		[ "$size" -le "$max_kb" ] || fail "$m is ${size}k, more than a quarter of RAM (${ram_kb}k)"
		[[ ",$opts," == *,nr_inodes=* ]] || fail "$m has no inode cap: $opts"
	done <<<"$output"
}

@test "/run inside is a 16 MiB tmpfs" {
	run --separate-stderr sbx_t run --net none sh -c "$MOUNTS_OF" sh /run
	assert_status 0
	local m fs opts
	read -r m fs opts <<<"$output"
	[ "$fs" = tmpfs ] || fail "/run is not tmpfs: $output"
	[[ ",$opts," == *,size=16384k,* ]] || fail "/run is not 16 MiB: $output"
}

@test "filling a --tmpfs with size=1m gives ENOSPC and the run goes on" {
	run --separate-stderr sbx_t run --net none --tmpfs /scratch:size=1m sh -c '
		head -c 2M /dev/zero > /scratch/f; echo "st=$?"
		stat -c %s /scratch/f
		echo after'
	assert_status 0
	assert_output "st=1
1048576
after"
	[[ "$stderr" == *"No space left on device"* ]] || fail "no ENOSPC: $stderr"
}

@test "--tmpfs /tmp:size=1m replaces the cap of /tmp and filling it gives ENOSPC" {
	run --separate-stderr sbx_t run --net none --tmpfs /tmp:size=1m sh -c "
		$MOUNTS_OF"'
		python3 -c "
import errno
try:
    with open(\"/tmp/f\", \"wb\") as f:
        for _ in range(3 * 1024):
            f.write(b\"x\" * 1024)
            f.flush()
    print(\"wrote 3 MiB\")
except OSError as e:
    print(errno.errorcode[e.errno])
"' sh /tmp
	assert_status 0
	local first
	first=$(head -n 1 <<<"$output")
	[[ ",${first##* }," == *,size=1024k,* ]] || fail "/tmp is not 1 MiB: $first"
	[ "$(tail -n 1 <<<"$output")" = ENOSPC ] || fail "expected ENOSPC: $output"
}

# --- cgroup v2: --memory, --pids, --cpus ------------------------------------------

# Decide whether this user has a delegated cgroup v2 with the memory, pids and
# cpu controllers. Sets CG_DELEGATED (1 if the caller's cgroup v2 group has
# them and is writable), CG_MNT (the cgroup2 mount), CG_PREFIX (how to start
# sbx so that it can create child groups: directly when the controllers are
# enabled for children already; through a systemd delegated scope, where sbx
# is alone, when one can be had) and CG_WHY (why not, when it returns 1).
find_delegation() {
	local rel dir c
	CG_DELEGATED=0
	CG_PREFIX=()
	CG_MNT=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n 1)
	if [ -z "$CG_MNT" ]; then
		CG_WHY="no cgroup2 hierarchy is mounted (cgroup v1 host)"
		return 1
	fi
	rel=$(sed -n 's/^0:://p' /proc/self/cgroup)
	if [ -z "$rel" ]; then
		CG_WHY="I am in no cgroup v2 group (hybrid cgroup v1 host)"
		return 1
	fi
	dir=$CG_MNT${rel%/}
	for c in memory pids cpu; do
		if ! grep -qw "$c" "$dir/cgroup.controllers" 2>/dev/null; then
			CG_WHY="the $c controller is not available in my cgroup v2 group $dir (cgroup v1 or hybrid host, or no delegation)"
			return 1
		fi
	done
	if [ ! -w "$dir" ] || [ ! -w "$dir/cgroup.procs" ]; then
		CG_WHY="my cgroup v2 group $dir is not delegated to me (not writable)"
		return 1
	fi
	CG_DELEGATED=1
	if grep -qw memory "$dir/cgroup.subtree_control" && grep -qw pids "$dir/cgroup.subtree_control" &&
		grep -qw cpu "$dir/cgroup.subtree_control"; then
		return 0
	fi
	# My group holds the test runner, so nobody can enable controllers for
	# its children: sbx needs a delegated group of its own.
	CG_PREFIX=(systemd-run --user --scope -p Delegate=yes --quiet --)
	if command -v systemd-run >/dev/null &&
		timeout 30 "${CG_PREFIX[@]}" sh -c '
			d=$0$(sed -n "s/^0:://p" /proc/self/cgroup)
			test -w "$d" && grep -qw memory "$d/cgroup.controllers" &&
			grep -qw pids "$d/cgroup.controllers" && grep -qw cpu "$d/cgroup.controllers"' \
			"$CG_MNT" 3>&- </dev/null >/dev/null 2>&1; then
		return 0
	fi
	CG_PREFIX=()
	CG_WHY="my cgroup v2 group $dir holds the test runner, so sbx cannot enable controllers below it, and systemd-run --user --scope -p Delegate=yes does not work here"
	return 1
}

require_delegation() {
	find_delegation || skip "no delegated cgroup v2: $CG_WHY"
}

@test "without a delegated cgroup v2, --memory, --pids and --cpus exit 125 pointing at systemd-run and --rlimit" {
	find_delegation || true
	[ "$CG_DELEGATED" -eq 0 ] || skip "this host gives me a delegated cgroup v2"
	local opt
	for opt in "--memory 64m" "--pids 16" "--cpus 1"; do
		# shellcheck disable=SC2086
		run --separate-stderr sbx_t run --net none $opt true
		assert_status 125
		assert_one_error_line "systemd-run --user --scope -p Delegate=yes"
		assert_one_error_line "--rlimit"
		assert_output ""
	done
}

@test "a bad --memory, --pids or --cpus value exits 125 with one line" {
	local args
	for args in "--memory 0" "--memory abc" "--pids 0" "--pids -1" "--pids x" \
		"--cpus 0" "--cpus -1" "--cpus x"; do
		# shellcheck disable=SC2086
		run --separate-stderr sbx_t run --net none $args true
		assert_status 125
		assert_one_error_line "${args%% *}"
	done
}

@test "the sandbox's cgroup carries --memory, --pids and --cpus and is removed at exit" {
	require_delegation
	local out=$PROJ/out json=$BATS_TEST_TMPDIR/status.json pid rel dir
	"${CG_PREFIX[@]}" env --default-signal "$SBX" run --net none --memory 64m --pids 32 --cpus 0.5 \
		--json-status-fd 4 sh -c 'i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done' \
		4>"$json" >"$out" 2>&1 3>&- </dev/null &
	SBX_PID=$!
	wait_until 300 file_contains "$json" started || fail "no started event: $(cat "$out")"
	output=$(json_flat "$json")
	pid=$(json_value started.pid)
	rel=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	dir=$CG_MNT$rel
	local mem pids cpu
	mem=$(cat "$dir/memory.max")
	pids=$(cat "$dir/pids.max")
	cpu=$(cat "$dir/cpu.max")
	touch "$PROJ/go"
	wait_sbx
	assert_status 0
	[ "$mem" = 67108864 ] || fail "memory.max of $dir: $mem"
	[ "$pids" = 32 ] || fail "pids.max of $dir: $pids"
	[ "$cpu" = "50000 100000" ] || fail "cpu.max of $dir: $cpu"
	[ ! -d "$dir" ] || fail "$dir is left after the run"
}

@test "--pids bounds a fork bomb inside" {
	require_delegation
	run --separate-stderr "${CG_PREFIX[@]}" timeout --preserve-status 60 "$SBX" run --net none \
		--timeout 30 --pids 16 python3 -c "$FORK_BOMB"
	assert_status 0
	local n reason
	read -r n reason <<<"$output"
	[ "$reason" = EAGAIN ] || fail "expected EAGAIN, got: $output"
	[ "$n" -lt 16 ] || fail "$n forks succeeded under --pids 16"
}

@test "--memory stops a payload that needs more" {
	require_delegation
	run --separate-stderr "${CG_PREFIX[@]}" timeout --preserve-status 60 "$SBX" run --net none \
		--timeout 30 --memory 32m python3 -c 'b = b"x" * (256 << 20); print("allocated")'
	[ "$status" -ne 0 ] || fail "the payload succeeded"
	assert_output_lacks "allocated"
}

# --- --stats ----------------------------------------------------------------------

@test "--stats prints one line with wall, cpu, peak RSS and exit status" {
	run --separate-stderr sbx_t run --net none --stats sh -c 'echo out; exit 3'
	assert_status 3
	assert_output "out"
	[[ "$stderr" =~ ^sbx:\ wall\ [0-9]+\.[0-9]{3}\ s,\ cpu\ [0-9]+\.[0-9]{3}\ s,\ max\ rss\ [0-9]+\ KiB,\ exit\ 3$ ]] ||
		fail "unexpected stats line: '$stderr'"
}

@test "--stats reports the peak RSS of a process deep in the sandbox" {
	# sh forks python3, which fills 64 MiB: the peak is the tree's, not pid 1's.
	run --separate-stderr sbx_t run --net none --stats \
		sh -c 'python3 -c "b = b\"x\" * (64 << 20)"; :'
	assert_status 0
	local rss
	rss=$(sed -nE 's/.*, max rss ([0-9]+) KiB,.*/\1/p' <<<"$stderr")
	[ -n "$rss" ] || fail "no stats line: '$stderr'"
	[ "$rss" -ge 65536 ] || fail "peak RSS $rss KiB is less than the 64 MiB the payload filled"
}

@test "--stats with --timeout says the run timed out" {
	run --separate-stderr sbx_t run --net none --stats --timeout 0.5 sleep 60
	assert_status 124
	[ "$(grep -c '' <<<"$stderr")" -eq 2 ] || fail "expected 2 stderr lines: '$stderr'"
	grep -Fxq "sbx: --timeout 0.5 s reached; the sandbox was stopped" <<<"$stderr" ||
		fail "no timeout line: '$stderr'"
	grep -Eq '^sbx: wall [0-9]+\.[0-9]{3} s, cpu [0-9]+\.[0-9]{3} s, max rss [0-9]+ KiB, exit 124 \(timed out\)$' <<<"$stderr" ||
		fail "no timed-out stats line: '$stderr'"
}

# --- --json-status-fd -----------------------------------------------------------------

@test "--json-status-fd writes a started and an exited event as JSON" {
	local json=$BATS_TEST_TMPDIR/status.json
	run --separate-stderr sbx_t run --net none --json-status-fd 4 sh -c 'echo out; exit 3' 4>"$json"
	assert_status 3
	assert_output "out"
	assert_stderr_empty
	output=$(json_flat "$json") || fail "not JSON: $(cat "$json")"
	assert_line "lines=2"
	assert_line_matches '^started\.pid=[1-9][0-9]*$'
	assert_line "started.slirp4netns_pid=null"
	local ns
	for ns in user pid mnt net uts ipc cgroup; do
		assert_line_matches "^started\.namespaces\.$ns=[1-9][0-9]*\$"
	done
	assert_line "exited.status=3"
	assert_line "exited.signal=null"
	assert_line "exited.timed_out=false"
	assert_line "exited.exit_code=3"
	assert_line_matches '^exited\.wall_ms=[0-9]+(\.[0-9]+)?$'
	assert_line_matches '^exited\.cpu_ms=[0-9]+(\.[0-9]+)?$'
	assert_line_matches '^exited\.max_rss_kb=[1-9][0-9]*$'
	[ "$(head -n 1 "$json" | cut -c1-11)" = '{"started":' ] || fail "the first event is not started: $(cat "$json")"
}

@test "the JSON namespaces are the sandbox's own, not mine" {
	local json=$BATS_TEST_TMPDIR/status.json inside ns mine
	run --separate-stderr sbx_t run --net none --json-status-fd 4 sh -c '
		for ns in user pid mnt net uts ipc cgroup; do stat -L -c "$ns=%i" /proc/self/ns/$ns; done' 4>"$json"
	assert_status 0
	inside=$output
	output=$(json_flat "$json") || fail "not JSON: $(cat "$json")"
	for ns in user pid mnt net uts ipc cgroup; do
		grep -Fxq -- "$(grep "^$ns=" <<<"$inside")" <(sed -n 's/^started\.namespaces\.//p' <<<"$output") ||
			fail "the $ns namespace differs from the one inside ($inside)"
	done
	mine=$(stat -L -c %i /proc/self/ns/user)
	[ "$(json_value started.namespaces.user)" != "$mine" ] || fail "the user namespace is mine: $mine"
}

@test "the started event comes while the payload runs and names the sandbox's pid 1" {
	local json=$BATS_TEST_TMPDIR/status.json out=$PROJ/out pid comm
	env --default-signal "$SBX" run --net none --json-status-fd 4 \
		sh -c 'i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done' \
		4>"$json" >"$out" 2>&1 3>&- </dev/null &
	SBX_PID=$!
	wait_until 300 file_contains "$json" started || fail "no started event: $(cat "$out")"
	output=$(json_flat "$json") || fail "not JSON: $(cat "$json")"
	assert_line "lines=1"
	pid=$(json_value started.pid)
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || true
	touch "$PROJ/go"
	wait_sbx
	assert_status 0
	[ "$comm" = sbx-init ] || fail "started.pid $pid is '$comm', not sbx-init"
}

@test "the JSON reports a payload killed by a signal" {
	local json=$BATS_TEST_TMPDIR/status.json
	run --separate-stderr sbx_t run --net none --json-status-fd 4 sh -c 'kill -9 $$' 4>"$json"
	assert_status 137
	output=$(json_flat "$json") || fail "not JSON: $(cat "$json")"
	assert_line "exited.status=null"
	assert_line "exited.signal=9"
	assert_line "exited.timed_out=false"
	assert_line "exited.exit_code=137"
}

@test "the JSON reports a timeout" {
	local json=$BATS_TEST_TMPDIR/status.json wall
	run --separate-stderr sbx_t run --net none --timeout 0.3 --json-status-fd 4 sleep 60 4>"$json"
	assert_status 124
	output=$(json_flat "$json") || fail "not JSON: $(cat "$json")"
	assert_line "lines=2"
	assert_line "exited.timed_out=true"
	assert_line "exited.exit_code=124"
	assert_line "exited.signal=15"
	assert_line "exited.status=null"
	wall=$(json_value exited.wall_ms)
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 300 else 1)' "$wall" ||
		fail "a run stopped at 0.3 s reports wall_ms $wall"
}

@test "the JSON names slirp4netns when the sandbox has a network" {
	local json=$BATS_TEST_TMPDIR/status.json
	run --separate-stderr sbx_t run --json-status-fd 4 true 4>"$json"
	assert_status 0
	output=$(json_flat "$json") || fail "not JSON: $(cat "$json")"
	assert_line_matches '^started\.slirp4netns_pid=[1-9][0-9]*$'
}

@test "a --json-status-fd that is not open exits 125 with one line" {
	run --separate-stderr sbx_t run --net none --json-status-fd 9 true 9>&-
	assert_status 125
	assert_one_error_line "--json-status-fd 9"
	run --separate-stderr sbx_t run --net none --json-status-fd abc true
	assert_status 125
	assert_one_error_line "--json-status-fd"
}
