#!/usr/bin/env bats
# The process tree: pid 1, exit status, signals, reaping, and nothing left
# behind.

load ../lib/common

# Wait (bounded) for background sbx $1 to exit; its status lands in $status.
wait_sbx() {
	if ! wait_until 300 child_exited "$1"; then
		kill -9 "$1" 2>/dev/null || true
		wait "$1" 2>/dev/null || true
		fail "sbx did not exit within 30 s"
	fi
	status=0
	wait "$1" || status=$?
}

assert_signal_forwarded() {
	local sig=$1 out=$PROJ/out
	# wait returns as soon as a trapped signal arrives; the background sleep
	# dies with the sandbox.
	start_sbx_bg "$out" run sh -c "trap 'echo got-$sig; exit 0' $sig; echo ready; sleep 300 & wait"
	if ! wait_until 300 file_contains "$out" ready; then
		kill -9 "$SBX_PID"
		fail "the payload did not start: $(cat "$out")"
	fi
	kill -s "$sig" "$SBX_PID"
	wait_sbx "$SBX_PID"
	output=$(cat "$out")
	assert_status 0
	assert_output "ready
got-$sig"
}

@test "the payload is not pid 1" {
	run --separate-stderr sbx run sh -c 'echo $$'
	assert_status 0
	[[ "$output" =~ ^[0-9]+$ ]] && [ "$output" -ne 1 ] || fail "payload pid: $output"
}

@test "pid 1 inside is sbx-init" {
	run --separate-stderr sbx run cat /proc/1/comm
	assert_status 0
	assert_output "sbx-init"
}

@test "pid 1 shows the payload neither its environment nor its descriptors" {
	local who
	for who in keep root; do
		SBX_CANARY=chirp run --separate-stderr sbx run --user "$who" sh -c '
			tr "\0" "\n" < /proc/1/environ 2>/dev/null | grep -c chirp
			ls /proc/1/fd 2>/dev/null | wc -l'
		assert_status 0
		assert_output "0
0"
	done
}

@test "only sandbox processes are visible inside" {
	run --separate-stderr sbx run ps -e -o pid=
	assert_status 0
	output=$(awk '{print $1}' <<<"$output" | sort -n | tr '\n' ' ')
	assert_output "1 2 "
}

@test "/proc inside lists only the sandbox's pids" {
	# Builtins only, so the shell forks nothing while it looks.
	run --separate-stderr sbx run sh -c 'for p in /proc/[0-9]*; do echo "${p#/proc/}"; done'
	assert_status 0
	assert_output "1
2"
}

@test "a process of mine cannot be signalled from inside" {
	sleep 300 3>&- &
	local pid=$!
	run --separate-stderr sbx run sh -c "kill -0 $pid"
	local alive=0
	kill -0 "$pid" 2>/dev/null && alive=1
	kill "$pid"
	wait "$pid" || true
	assert_status 1
	[[ "$stderr" == *"No such process"* ]] || fail "unexpected: $stderr"
	[ "$alive" -eq 1 ]
}

@test "killing every process inside leaves mine alone" {
	sleep 300 3>&- &
	local pid=$!
	run --separate-stderr sbx run --user root sh -c 'kill -9 -1; echo done'
	local alive=0
	kill -0 "$pid" 2>/dev/null && alive=1
	kill "$pid"
	wait "$pid" || true
	assert_status 0
	assert_output "done"
	[ "$alive" -eq 1 ] || fail "my sleep was killed from inside"
}

@test "the payload's exit status is sbx's exit status" {
	local code
	for code in 0 1 7 42 255; do
		run --separate-stderr sbx run sh -c "exit $code"
		assert_status "$code"
	done
	run --separate-stderr sbx run true
	assert_status 0
	run --separate-stderr sbx run false
	assert_status 1
}

@test "a payload killed by a signal makes sbx exit 128 plus the signal" {
	run --separate-stderr sbx run sh -c 'kill -TERM $$'
	assert_status 143
	run --separate-stderr sbx run sh -c 'kill -KILL $$'
	assert_status 137
	run --separate-stderr sbx run sh -c 'kill -USR1 $$'
	assert_status 138
}

@test "a command that does not exist exits 127 with one line" {
	run -127 --separate-stderr sbx run no-such-command-sbx-test
	assert_status 127
	assert_one_error_line "no-such-command-sbx-test"
	assert_output ""
	run -127 --separate-stderr sbx run ./no-such-file
	assert_status 127
	assert_one_error_line "no-such-file"
}

@test "a command that is not executable exits 126 with one line" {
	printf '#!/bin/sh\necho should-not-run\n' >"$PROJ/script.sh"
	chmod 644 "$PROJ/script.sh"
	run --separate-stderr sbx run ./script.sh
	assert_status 126
	assert_one_error_line "script.sh"
	assert_output ""
}

@test "a directory as the command exits 126" {
	run --separate-stderr sbx run /usr
	assert_status 126
	assert_one_error_line "/usr"
}

@test "the payload reads my stdin" {
	run --separate-stderr bash -c 'printf "line one\nline two\n" | "$0" run cat' "$SBX"
	assert_status 0
	assert_output "line one
line two"
}

@test "the payload's stdout and stderr stay apart" {
	run --separate-stderr sbx run sh -c 'echo to-out; echo to-err >&2'
	assert_status 0
	assert_output "to-out"
	[ "$stderr" = "to-err" ] || fail "stderr: $stderr"
}

@test "the payload inherits no file descriptor but 0, 1 and 2" {
	# bats holds fd 3 open; open 7 and 9 too.
	run --separate-stderr sbx run sh -c 'ls /proc/$$/fd' 7</dev/null 9>"$PROJ/fd9"
	assert_status 0
	assert_output "0
1
2"
}

@test "orphaned zombies are reaped" {
	run --separate-stderr sbx run sh -c '
		sh -c "sleep 0.2 & echo \$!" > /tmp/grandchild
		gc=$(cat /tmp/grandchild)
		i=0
		while [ -e /proc/$gc ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
		if [ -e /proc/$gc ]; then echo "not reaped: $(cat /proc/$gc/stat)"; exit 1; fi
		echo reaped'
	assert_status 0
	assert_output "reaped"
}

@test "background processes die when the payload exits" {
	local marker
	marker=$(unique_marker)
	run --separate-stderr sbx run sh -c "sh -c 'sleep 300; : $marker' >/dev/null 2>&1 & echo started"
	assert_status 0
	assert_output "started"
	wait_until 100 no_process_matches "$marker" || {
		pgrep -a -f -- "$marker" >&2
		pkill -9 -f -- "$marker"
		fail "a background process of the payload outlived sbx"
	}
}

@test "SIGINT sent to sbx reaches the payload" { assert_signal_forwarded INT; }
@test "SIGTERM sent to sbx reaches the payload" { assert_signal_forwarded TERM; }
@test "SIGHUP sent to sbx reaches the payload" { assert_signal_forwarded HUP; }
@test "SIGQUIT sent to sbx reaches the payload" { assert_signal_forwarded QUIT; }
@test "SIGUSR1 sent to sbx reaches the payload" { assert_signal_forwarded USR1; }
@test "SIGUSR2 sent to sbx reaches the payload" { assert_signal_forwarded USR2; }

@test "SIGTERM to sbx ends a payload that does not catch it with status 143" {
	local out=$PROJ/out
	start_sbx_bg "$out" run sh -c 'echo ready; exec sleep 300'
	wait_until 300 file_contains "$out" ready || { kill -9 "$SBX_PID"; fail "no start"; }
	kill -TERM "$SBX_PID"
	wait_sbx "$SBX_PID"
	output=$(cat "$out")
	assert_status 143
}

@test "SIGKILL of sbx leaves no sandbox process or temp file behind" {
	local marker out=$PROJ/out n before after
	marker=$(unique_marker)
	before=$(tmp_snapshot)
	start_sbx_bg "$out" run sh -c "sh -c 'sleep 300; : $marker-child' & echo ready; sleep 300; : $marker"
	wait_until 300 file_contains "$out" ready || { kill -9 "$SBX_PID"; fail "no start: $(cat "$out")"; }
	# sbx itself, the payload and its child at least.
	wait_until 100 eval '[ "$(pgrep -c -f -- "$marker")" -ge 3 ]' || true
	n=$(pgrep -c -f -- "$marker" || true)
	kill -KILL "$SBX_PID"
	wait "$SBX_PID" 2>/dev/null || true
	[ "$n" -ge 3 ] || fail "expected at least 3 processes before the kill, saw $n"
	wait_until 100 no_process_matches "$marker" || {
		pgrep -a -f -- "$marker" >&2
		pkill -9 -f -- "$marker"
		fail "sandbox processes survived SIGKILL of sbx"
	}
	after=$(tmp_snapshot)
	[ "$after" = "$before" ] || fail "temp files left: $(comm -13 <(echo "$before") <(echo "$after"))"
}

@test "50 runs in a row leave no process, temp file or mount behind" {
	local marker i out before after mounts_before mounts_after
	marker=$(unique_marker)
	before=$(tmp_snapshot)
	mounts_before=$(wc -l </proc/self/mountinfo)
	for i in $(seq 50); do
		out=$(sbx run sh -c "echo run-$i; : $marker" 2>&1) || fail "run $i failed: $out"
		[ "$out" = "run-$i" ] || fail "run $i printed: $out"
	done
	wait_until 50 no_process_matches "$marker" || {
		pgrep -a -f -- "$marker" >&2
		pkill -9 -f -- "$marker"
		fail "processes of the runs are left"
	}
	after=$(tmp_snapshot)
	mounts_after=$(wc -l </proc/self/mountinfo)
	[ "$after" = "$before" ] || fail "temp files left: $(comm -13 <(echo "$before") <(echo "$after"))"
	[ "$mounts_after" -eq "$mounts_before" ] || fail "host mounts changed: $mounts_before -> $mounts_after"
}
