#!/usr/bin/env bats
# The terminal: `sbx run bash` from a real terminal (a tmux pane) behaves like
# a terminal through sbx's own pty; pipes and files pass through untouched;
# my terminal comes back exactly as it was.
#
# In the pane the outer shell's prompt is "out$ " and the sandbox's bash
# (started by sbx_bash) prompts "in$ ". Output the tests wait for is computed
# ("mark-$((6*7))" shows as mark-42), so the typed line never matches it.

# The lines typed into the pane are meant for the shells there.
# shellcheck disable=SC2016

load ../lib/common

setup() {
	common_setup || return 1
	command -v script >/dev/null || fail "script(1) is not installed (helpers/install-deps --test)"
}

teardown() {
	tmux_stop
	common_teardown
}

# Quote the words for the outer shell.
q() {
	printf '%q ' "$@"
}

# Start an interactive bash in a sandbox from the pane and wait for its
# prompt.
sbx_bash() {
	tmux_type_outer "$(q "$SBX" run --net none -e 'PS1=in$ ' bash --norc --noprofile)" &&
		tmux_wait_for '^in\$$'
}

# Type a line into the sandbox's shell and wait for a line matching $2.
inner() {
	tmux_type "$1" && tmux_wait_for "$2"
}

# The pane's current size as "ROWS COLS", as stty size prints it.
pane_size() {
	tmux_cmd display-message -p '#{pane_height} #{pane_width}'
}

# Write an outer script that records my terminal (stty -g and stty -a) before
# and after `sbx run ARGS...`, and whose pid lands in $PROJ/outer.pid. It runs
# under sh, not the interactive outer bash: bash itself restores its saved
# terminal state when a job dies of a signal, which would hide sbx's failure.
write_stty_script() {
	{
		echo 'echo $$ >"$0.pid"'
		echo 'stty -g >"$0.before"; stty -a >>"$0.before"'
		q "$SBX" run "$@"
		echo
		echo 'rc=$?'
		echo 'stty -g >"$0.after"; stty -a >>"$0.after"'
		echo 'echo "outer-rc=$rc"'
	} >"$PROJ/outer"
}

# After write_stty_script: my terminal was the same, byte for byte, after as
# before.
assert_terminal_restored() {
	diff "$PROJ/outer.before" "$PROJ/outer.after" >&2 ||
		fail "my terminal settings changed across sbx (diff above: < before, > after)"
}

# The sbx started by the outer script (a child of its sh).
outer_sbx_pid() {
	local shpid
	shpid=$(cat "$PROJ/outer.pid") && pgrep -P "$shpid" -x "$(basename "$SBX")"
}

# A seccomp program that allows everything (one BPF_RET|BPF_K ALLOW), to
# show what the pty alone stops.
write_allow_all_bpf() {
	printf '\x06\x00\x00\x00\x00\x00\xff\x7f' >"$1"
}

# --- an interactive shell ---------------------------------------------------

@test "bash in a sandbox started from my terminal has job control on its own /dev/pts/0" {
	tmux_start
	sbx_bash
	inner 'tty' '^/dev/pts/0$'
	inner '[[ $- == *m* ]] && echo "job-control-$((6*7))"' '^job-control-42$'
	inner 'echo "ctty-$(ps -o tty= -p $$)-$((6*7))"' '^ctty-pts/0-42$'
	inner 'echo "sid-$(($(ps -o sid= -p $$) == $$))-$((6*7))"' '^sid-1-42$'
	inner 'echo "host-$(hostname)-$((6*7))"' '^host-sbx-42$'
	run tmux_capture
	assert_output_lacks "no job control"
	assert_output_lacks "cannot set terminal process group"
}

@test "/dev/console in an interactive sandbox is its pty" {
	tmux_start
	sbx_bash
	inner 'stat -L -c "rdev %t:%T" /dev/console /dev/pts/0 | uniq -c | tr -s " "' '^ ?2 rdev [0-9a-f]+:0$'
	inner 'echo "via-console-$((6*7))" >/dev/console' '^via-console-42$'
}

@test "Ctrl-C at sleep 50 in the sandbox returns to its prompt and the shell lives on" {
	tmux_start
	sbx_bash
	inner 'echo "pid-$$"' '^pid-[0-9]+$'
	local before
	before=$(tmux_extract '^pid-([0-9]+)$')
	# The job itself says it runs, so the keypress cannot reach bash first.
	inner "sh -c 'echo \"start-\$((6*7))\"; exec sleep 50'" '^start-42$'
	tmux_keys C-c
	# 130: the job died of SIGINT; the same shell answers.
	inner 'echo "after-$?-$$-$((6*7))"' "^after-130-$before-42\$"
	tmux_type 'exit 0'
	tmux_outer_status
	assert_status 0
}

@test "Ctrl-Z stops a foreground job in the sandbox and fg resumes it" {
	tmux_start
	sbx_bash
	inner "sh -c 'echo \"ready-\$((6*7))\"; read x; echo \"got-\$x-\$x\"'" '^ready-42$'
	tmux_keys C-z
	tmux_wait_for 'Stopped'
	inner 'jobs -s | wc -l | sed "s/^/stopped-jobs-/"' '^stopped-jobs-1$'
	# fg echoes the job's command line, without the prompt, once it has
	# given it the terminal.
	inner 'fg' "^sh -c 'echo"
	tmux_type 'abc'
	tmux_wait_for '^got-abc-abc$'
	inner 'jobs | wc -l | sed "s/^/jobs-left-/"' '^jobs-left-0$'
	tmux_type exit
	tmux_outer_status
	assert_status 0
}

@test "Ctrl-D at the sandbox's prompt ends the session" {
	tmux_start
	sbx_bash
	tmux_keys C-d
	tmux_outer_status
	assert_status 0
}

@test "exit 3 in the interactive shell makes sbx exit 3" {
	tmux_start
	sbx_bash
	tmux_type 'exit 3'
	tmux_outer_status
	assert_status 3
}

@test "an interactive payload killed by SIGKILL makes sbx exit 137" {
	tmux_start
	sbx_bash
	tmux_type 'kill -KILL $$'
	tmux_outer_status
	assert_status 137
}

@test "a command started from my terminal runs in the pty and its exit status is sbx's" {
	tmux_start
	tmux_run_outer "$(q "$SBX" run --net none sh -c 'tty; exit 7')"
	assert_status 7
	tmux_wait_for '^/dev/pts/0$'
}

@test "closing my terminal ends the sandbox and everything in it" {
	tmux_start
	sbx_bash
	inner 'sleep 300 & echo "bg-$((6*7))"' '^bg-42$'
	local procs p left=()
	mapfile -t procs < <(descendants "$TMUX_PANE_PID")
	# sbx, its pid 1, bash, sleep
	[ "${#procs[@]}" -ge 4 ] || fail "expected at least 4 processes under the pane, got: ${procs[*]}"
	tmux_cmd kill-server
	for p in "${procs[@]}"; do
		wait_until 100 pid_gone "$p" || left+=("$p: $(tr '\0' ' ' <"/proc/$p/cmdline")")
	done
	[ "${#left[@]}" -eq 0 ] || fail "still running after the terminal closed:" "${left[@]}"
}

# --- my terminal is left as it was ------------------------------------------

@test "my terminal is raw while sbx relays and exactly restored after a normal exit" {
	tmux_start
	write_stty_script --net none sh -c 'echo "ready-$((6*7))"; read x; exit 0'
	tmux_type "sh $PROJ/outer"
	tmux_wait_for '^ready-42$'
	run stty -F "$TMUX_PANE_TTY" -a
	assert_status 0
	[[ " $output " =~ [[:space:]]-icanon[[:space:]] && " $output " =~ [[:space:]]-echo[[:space:]] &&
		" $output " =~ [[:space:]]-isig[[:space:]] ]] ||
		fail "my terminal is not raw while sbx relays:" "$output"
	tmux_type 'done'
	tmux_wait_for '^outer-rc=0$'
	assert_terminal_restored
}

@test "my terminal is exactly restored after the payload is killed by a signal" {
	tmux_start
	write_stty_script --net none sh -c 'kill -KILL $$'
	tmux_type "sh $PROJ/outer"
	tmux_wait_for '^outer-rc=137$'
	assert_terminal_restored
}

@test "my terminal is exactly restored when sbx gets SIGTERM" {
	tmux_start
	write_stty_script --net none sh -c 'echo "ready-$((6*7))"; exec sleep 50'
	tmux_type "sh $PROJ/outer"
	tmux_wait_for '^ready-42$'
	local pid
	pid=$(outer_sbx_pid) || fail "no sbx under the outer script"
	kill -TERM "$pid"
	tmux_wait_for '^outer-rc=[0-9]+$'
	assert_terminal_restored
	# forwarded to the payload, which dies of it: 128 + SIGTERM
	status=$(tmux_extract '^outer-rc=([0-9]+)$')
	assert_status 143
}

@test "my terminal is exactly restored when sbx gets SIGHUP" {
	tmux_start
	write_stty_script --net none sh -c 'echo "ready-$((6*7))"; exec sleep 50'
	tmux_type "sh $PROJ/outer"
	tmux_wait_for '^ready-42$'
	local pid
	pid=$(outer_sbx_pid) || fail "no sbx under the outer script"
	kill -HUP "$pid"
	tmux_wait_for '^outer-rc=[0-9]+$'
	assert_terminal_restored
	# forwarded to the payload, which dies of it: 128 + SIGHUP
	status=$(tmux_extract '^outer-rc=([0-9]+)$')
	assert_status 129
}

@test "my terminal is exactly restored when sbx fails during setup" {
	tmux_start
	write_stty_script --net none --bind /nonexistent-sbx-test true
	tmux_type "sh $PROJ/outer"
	tmux_wait_for '^outer-rc=125$'
	assert_terminal_restored
	tmux_wait_for '^sbx: .*nonexistent-sbx-test'
}

# --- window size --------------------------------------------------------------

@test "the sandbox starts with my terminal's size" {
	tmux_start 97 31
	local size
	size=$(pane_size)
	[ "$size" = "31 97" ] || fail "tmux made a pane of $size, not 31 97"
	tmux_run_outer "$(q "$SBX" run --net none sh -c 'echo "size-$(stty size)"')"
	assert_status 0
	tmux_wait_for "^size-$size\$"
}

@test "resizing my terminal resizes the sandbox's" {
	tmux_start
	sbx_bash
	inner 'echo "cols-$(tput cols)-size-$(stty size)"' "^cols-100-size-30 100\$"
	tmux_cmd resize-window -x 120 -y 40
	local size
	size=$(pane_size)
	[ "$size" = "40 120" ] || fail "tmux resized the pane to $size, not 40 120"
	inner 'echo "cols-$(tput cols)-size-$(stty size)"' "^cols-120-size-40 120\$"
}

# --- which descriptors are the pty --------------------------------------------

# Which of fds 0 1 2 are terminals, one line each, written to fd ${1:-1}.
fd_kinds='for fd in 0 1 2; do if [ -t $fd ]; then k=tty; else k=notty; fi; echo "$fd:$k" >&${1:-1}; done'

@test "from my terminal, output redirected to a file gets exactly the payload's bytes" {
	tmux_start
	tmux_run_outer "$(q "$SBX" run --net none seq 3) >$PROJ/out"
	assert_status 0
	cmp "$PROJ/out" <(printf '1\n2\n3\n') || fail "out: $(od -c "$PROJ/out")"
}

@test "from my terminal, only the descriptors that are my terminal become the pty" {
	tmux_start
	tmux_run_outer "$(q "$SBX" run --net none sh -c "$fd_kinds") >$PROJ/out"
	assert_status 0
	cmp "$PROJ/out" <(printf '0:tty\n1:notty\n2:tty\n') || fail "out: $(od -c "$PROJ/out")"
	tmux_run_outer "$(q "$SBX" run --net none sh -c "$fd_kinds" sh 2) 2>$PROJ/err"
	assert_status 0
	cmp "$PROJ/err" <(printf '0:tty\n1:tty\n2:notty\n') || fail "err: $(od -c "$PROJ/err")"
}

@test "with -t all three descriptors are the pty, even when my stdout is a file" {
	tmux_start
	tmux_run_outer "$(q "$SBX" run --net none -t sh -c "$fd_kinds") >$PROJ/out"
	assert_status 0
	cmp "$PROJ/out" <(printf '0:tty\r\n1:tty\r\n2:tty\r\n') || fail "out: $(od -c "$PROJ/out")"
}

@test "with stdin piped, auto mode gives the payload no pty even from my terminal" {
	tmux_start
	tmux_run_outer "echo x | $(q "$SBX" run --net none sh -c \
		'tty; [ -t 1 ] && echo "plain-stdout-$((6*7))"; (: </dev/tty) 2>/dev/null || echo "no-ctty-$((6*7))"')"
	assert_status 0
	tmux_wait_for '^not a tty$'
	tmux_wait_for '^plain-stdout-42$'
	tmux_wait_for '^no-ctty-42$'
}

@test "with --tty never from my terminal the payload has no controlling terminal" {
	tmux_start
	tmux_run_outer "$(q "$SBX" run --net none --tty never sh -c \
		'(: </dev/tty) 2>/dev/null && echo "has-ctty-$((6*7))" || echo "no-ctty-$((6*7))"')"
	assert_status 0
	tmux_wait_for '^no-ctty-42$'
	# and in auto mode it has one, the pty
	tmux_run_outer "$(q "$SBX" run --net none sh -c \
		'(: </dev/tty) 2>/dev/null && echo "has-ctty-$((6*7))" || echo "no-ctty-$((6*7))"')"
	assert_status 0
	tmux_wait_for '^has-ctty-42$'
}

# --- TIOCSTI cannot reach my shell ------------------------------------------

# After the command typed by the caller has run, type a command into the
# outer shell: had anything been pushed into my terminal's input (the probe
# pushes "#"), it would stand before the command and make it a comment.
assert_outer_shell_clean() {
	tmux_type 'echo "clean-$((6*7))"'
	tmux_wait_for '^clean-42$'
	run tmux_capture
	assert_output_lacks 'out$ #'
}

@test "TIOCSTI in an interactive sandbox pushes nothing into my shell" {
	require_probe
	tmux_start
	tmux_run_outer "$(q "$SBX" run --net none --ro-bind "$SBX_PROBE:$PROBE_IN" "$PROBE_IN" tiocsti)"
	assert_status 0
	tmux_wait_for '^tiocsti: EPERM$'
	assert_outer_shell_clean
}

@test "without the seccomp filter, TIOCSTI lands in the sandbox's own pty, not my shell" {
	require_probe
	[ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ] ||
		skip "dev.tty.legacy_tiocsti=0: this kernel refuses TIOCSTI to everyone"
	write_allow_all_bpf "$PROJ/allow.bpf"
	tmux_start
	# The pushed "#" reaches the sandbox's pty, where the shell reads it.
	tmux_type_outer "$(q "$SBX" run --net none --seccomp "$PROJ/allow.bpf" \
		--ro-bind "$SBX_PROBE:$PROBE_IN" sh -c \
		"$PROBE_IN tiocsti; read -r x; echo \"pushed-\$x-\$((6*7))\"")"
	# The pty echoes the pushed "#" before the probe's line.
	tmux_wait_for '^#?tiocsti: ok$'
	# The pushed "#" is waiting for read; end the line for it.
	tmux_keys Enter
	tmux_outer_status
	assert_status 0
	tmux_wait_for '^pushed-#-42$'
	assert_outer_shell_clean
}

@test "with --tty never, TIOCSTI on my terminal is refused even without the seccomp filter" {
	require_probe
	write_allow_all_bpf "$PROJ/allow.bpf"
	tmux_start
	tmux_run_outer "$(q "$SBX" run --net none --tty never --seccomp "$PROJ/allow.bpf" \
		--ro-bind "$SBX_PROBE:$PROBE_IN" "$PROBE_IN" tiocsti)"
	assert_status 0
	tmux_wait_for '^tiocsti: E[A-Z]+$'
	assert_outer_shell_clean
}

# --- large output, the last bytes, EOF (script(1) as the terminal) -----------

# in_script COMMAND-LINE: run it on a new terminal made by script(1), its
# output (with the terminal's \r\n) on stdout, bounded. script's stdin is a
# FIFO it holds open itself: it never reads EOF, so it never types one.
in_script() {
	rm -f "$BATS_TEST_TMPDIR/stdin"
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	SHELL=/bin/bash timeout --kill-after=5 "$SBX_TEST_TIMEOUT_S" \
		script -qec "$1" /dev/null 0<>"$BATS_TEST_TMPDIR/stdin"
}

@test "a million lines through the pty arrive complete" {
	in_script "$(q "$SBX" run --net none -t seq 1000000)" | tr -d '\r' >"$PROJ/got"
	[ "$(md5sum <"$PROJ/got")" = "$(seq 1000000 | md5sum)" ] ||
		fail "checksum differs; $(wc -l <"$PROJ/got") lines, the first: $(head -c 20 "$PROJ/got" | od -c | head -1)"
}

@test "10 MB of output through the pty arrive complete" {
	head -c 7864320 /dev/urandom | base64 -w 76 >"$PROJ/big"
	[ "$(stat -c %s "$PROJ/big")" -ge 10000000 ] || fail "test file too small"
	in_script "$(q "$SBX" run --net none -t cat "$PROJ/big")" | tr -d '\r' >"$PROJ/got"
	cmp "$PROJ/big" "$PROJ/got"
}

@test "what the payload writes just before it exits is never lost" {
	local i
	for i in $(seq 20); do
		run in_script "$(q "$SBX" run --net none -t sh -c \
			'head -c 65536 /dev/zero | tr "\0" x; printf "\nlast-%s" "$((6*7))"; exit 5')"
		[ "$status" -eq 5 ] || fail "round $i: status $status"
		[[ $output == *$'\r\nlast-42' ]] || fail "round $i: the output ends with: $(tail -c 40 <<<"$output" | od -c)"
	done
}

@test "EOF on my stdin reaches the payload through the pty" {
	run bash -c "printf 'hello\n' | timeout 30 script -qec $(q "$(q "$SBX" run --net none -t cat)") /dev/null"
	assert_status 0
	assert_output_contains hello
}

@test "an EOF already waiting on my terminal when sbx starts reaches the payload" {
	# script(1) types the terminal's EOF as soon as its own stdin ends; sbx
	# starts once that EOF waits in my terminal's input queue. It must reach
	# cat as EOF, not as a NUL byte (what a pending EOF turns into when a
	# terminal is switched to raw mode).
	run bash -c "SHELL=/bin/bash timeout 30 script -qec $(q "until read -t 0; do sleep 0.05; done; exec $(q "$SBX" run --net none -t cat)") /dev/null </dev/null"
	assert_status 0
	assert_output_lacks '^@'
}

@test "EOF on a piped stdin reaches the payload with -t" {
	printf 'hello\n' | sbx run --net none -t cat >"$PROJ/out"
	grep -q hello "$PROJ/out" || fail "out: $(od -c "$PROJ/out")"
}

# --- pipes and files are untouched -------------------------------------------

@test "echo hi | sbx run cat prints exactly hi" {
	echo hi | sbx run --net none cat >"$PROJ/out"
	cmp "$PROJ/out" <(printf 'hi\n') || fail "out: $(od -c "$PROJ/out")"
}

@test "sbx run seq 1000000 | wc -l counts a million lines" {
	output=$(sbx run --net none seq 1000000 </dev/null | wc -l)
	assert_output 1000000
}

@test "a binary file through sbx run cat comes out byte for byte" {
	head -c 1048576 /dev/urandom >"$PROJ/bin"
	sbx run --net none cat <"$PROJ/bin" >"$PROJ/copy"
	cmp "$PROJ/bin" "$PROJ/copy"
}
