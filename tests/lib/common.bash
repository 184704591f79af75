# Shared helpers for the integration suite. Load from a .bats file with
#     load ../lib/common
#
# The suite always runs as an unprivileged user (tests/check.sh drops to a
# test user when started as root). $SBX is the absolute path of the binary.

bats_require_minimum_version 1.5.0

# subid_range, pid_gone, pid_is_mine, orphan_slirps, wait_until
. "$(dirname "${BASH_SOURCE[0]}")/procs.bash"

if [ -z "${SBX:-}" ] || [ ! -x "$SBX" ]; then
	echo "SBX must name the sbx binary (got '${SBX:-}')" >&2
	exit 1
fi

# Upper bound for any single sbx invocation: no test may hang.
SBX_TEST_TIMEOUT_S=${SBX_TEST_TIMEOUT_S:-60}

# Run sbx, bounded. timeout exits 124 on expiry; no option of this issue makes
# sbx itself exit 124, so a hang shows up as a distinct status.
sbx() {
	timeout --kill-after=5 "$SBX_TEST_TIMEOUT_S" "$SBX" "$@"
}

# Every test starts in a fresh project directory below $HOME, which is what
# `sbx run` shares read-write by default.
common_setup() {
	[ "$(id -u)" -ne 0 ] || {
		echo "the integration suite must run as an unprivileged user" >&2
		return 1
	}
	PROJ=$(mktemp -d "$HOME/proj.XXXXXX")
	cd "$PROJ" || return 1
}

common_teardown() {
	cd /
	if [ -n "${PROJ:-}" ] && [ -d "$PROJ" ]; then
		chmod -R u+rwX "$PROJ" 2>/dev/null || true
		rm -rf "$PROJ"
	fi
}

setup() { common_setup; }
teardown() { common_teardown; }

# --- assertions that say what they expected -------------------------------

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

_show_run() {
	printf 'status: %s\n' "${status-}" >&2
	printf 'output:\n%s\n' "${output-}" >&2
	if [ -n "${stderr+set}" ]; then printf 'stderr:\n%s\n' "$stderr" >&2; fi
}

assert_status() {
	if [ "$status" -ne "$1" ]; then
		printf 'expected status %s\n' "$1" >&2
		_show_run
		return 1
	fi
}

assert_output() {
	if [ "$output" != "$1" ]; then
		printf 'expected output:\n%s\n' "$1" >&2
		_show_run
		return 1
	fi
}

assert_output_contains() {
	if [[ "$output" != *"$1"* ]]; then
		printf 'expected output to contain: %s\n' "$1" >&2
		_show_run
		return 1
	fi
}

assert_output_lacks() {
	if [[ "$output" == *"$1"* ]]; then
		printf 'expected output not to contain: %s\n' "$1" >&2
		_show_run
		return 1
	fi
}

# After `run --separate-stderr`: stderr is exactly one line starting "sbx: "
# (the contract for every failure of sbx itself), optionally containing $1.
assert_one_error_line() {
	local n
	n=$(printf '%s\n' "$stderr" | grep -c '' || true)
	if [ -z "$stderr" ] || [ "$n" -ne 1 ] || [[ "$stderr" != "sbx: "* ]]; then
		echo "expected exactly one stderr line starting 'sbx: '" >&2
		_show_run
		return 1
	fi
	if [ -n "${1:-}" ] && [[ "$stderr" != *"$1"* ]]; then
		printf 'expected the error line to mention: %s\n' "$1" >&2
		_show_run
		return 1
	fi
}

assert_stderr_empty() {
	if [ -n "$stderr" ]; then
		echo "expected nothing on stderr" >&2
		_show_run
		return 1
	fi
}

# --- facts about the caller -----------------------------------------------


have_subids() {
	subid_range /etc/subuid >/dev/null && subid_range /etc/subgid >/dev/null
}

require_subids() {
	have_subids || skip "$(id -un) has no range in /etc/subuid and /etc/subgid"
}

require_no_subids() {
	if have_subids; then
		skip "$(id -un) has subordinate ranges; check.sh runs this as a user without any when started as root"
	fi
}

# Id map lines as "INSIDE OUTSIDE COUNT", sorted by the inside id, so the
# comparison does not depend on the order sbx wrote the extents in.
normalize_map() {
	awk 'NF == 3 { print $1, $2, $3 }' | sort -n -k1,1
}

# The podman keep-id layout for caller id U and subordinate range S N.
keep_id_map() {
	local u=$1 s=$2 n=$3 first
	first=$((u < n ? u : n))
	{
		[ "$first" -gt 0 ] && echo "0 $s $first"
		echo "$u $u 1"
		[ "$n" -gt "$u" ] && echo "$((u + 1)) $((s + u)) $((n - u))"
	} | sort -n -k1,1
}

file_contains() { grep -q -- "$2" "$1" 2>/dev/null; }
no_process_matches() { ! pgrep -f -- "$1" >/dev/null; }
process_gone() { ! kill -0 "$1" 2>/dev/null; }

# A marker unique to this test, to find our processes with pgrep -f.
unique_marker() { echo "sbx-test-marker-$$-$RANDOM-$RANDOM"; }

# The temp files and directories I own, where sbx could leave some. The test
# runner's own (bats-run-*) are not sbx's.
tmp_snapshot() {
	find /tmp /var/tmp /dev/shm ${TMPDIR:+"$TMPDIR"} ${XDG_RUNTIME_DIR:+"$XDG_RUNTIME_DIR"} \
		-mindepth 1 -maxdepth 1 \
		-user "$(id -u)" ! -name 'bats-run-*' ! -name 'sbx-host-probe.*' 2>/dev/null | sort -u
}


# The slirp4netns processes (pids) that are children of process $1.
slirp_children() {
	pgrep -P "$1" -x slirp4netns || true
}



# --- the escape suite's probe (tests/security) ------------------------------

# tests/security/probe.c, built as build/sbx-probe; check.sh passes it as
# $SBX_PROBE. Inside, it is bound read-only at $PROBE_IN.
PROBE_IN=/tmp/sbx-probe

require_probe() {
	[ -n "${SBX_PROBE:-}" ] && [ -x "$SBX_PROBE" ] ||
		fail "SBX_PROBE must name the sbx-probe binary (make build/sbx-probe; got '${SBX_PROBE:-}')"
}

# run_probe [SBX-RUN-OPTIONS...] -- ATTEMPT [ARGS...]
# One attempt in a sandbox (--net none unless the options say otherwise),
# stdin /dev/null; sets $status, $output ("ATTEMPT: RESULT") and $stderr.
run_probe() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	require_probe || return 1
	run --separate-stderr sbx run --net none "${opts[@]}" \
		--ro-bind "$SBX_PROBE:$PROBE_IN" "$PROBE_IN" "$@" </dev/null
}

# run_probes [SBX-RUN-OPTIONS...] -- "ATTEMPT [ARG...]"...
# Several attempts in one sandbox, one line each; each argument is split on
# spaces into the attempt's name and arguments.
run_probes() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	require_probe || return 1
	run --separate-stderr sbx run --net none "${opts[@]}" \
		--ro-bind "$SBX_PROBE:$PROBE_IN" sh -c \
		'p=$1; shift; for a; do "$p" $a; done' sh "$PROBE_IN" "$@" </dev/null
}

# assert_probes RESULT ATTEMPT...: after run_probes, every attempt said RESULT.
assert_probes() {
	local want=$1 expected="" a
	shift
	for a; do expected+="$a: $want"$'\n'; done
	assert_status 0 && assert_output "${expected%$'\n'}"
}

# --- a real terminal, driven through tmux -----------------------------------
#
# tmux_start [COLS ROWS] starts a tmux server of this test's own (its socket
# in the test's temp directory, so parallel runs never meet) with one pane of
# COLSxROWS (default 100x30, no status line) running an outer
# `bash --norc --noprofile` with the prompt "out$ " in $PROJ. Sets
# TMUX_SOCK, TMUX_PANE_PID (the outer shell) and TMUX_PANE_TTY. tmux_stop
# (call it from teardown) ends the server and whatever still runs in it.

tmux_cmd() {
	tmux -S "$TMUX_SOCK" "$@"
}

tmux_start() {
	local cols=${1:-100} rows=${2:-30}
	command -v tmux >/dev/null ||
		fail "tmux is not installed (helpers/install-deps --test)" || return 1
	TMUX_SOCK=$BATS_TEST_TMPDIR/tmux.sock
	printf '%s\n' 'set -g status off' 'set -g history-limit 100000' \
		>"$BATS_TEST_TMPDIR/tmux.conf"
	# The server outlives this call: it must not hold bats' fd 3.
	tmux -S "$TMUX_SOCK" -f "$BATS_TEST_TMPDIR/tmux.conf" new-session -d \
		-x "$cols" -y "$rows" -c "$PROJ" \
		env PS1='out$ ' HISTFILE=/dev/null bash --norc --noprofile 3>&- </dev/null ||
		fail "tmux did not start" || return 1
	TMUX_PANE_PID=$(tmux_cmd display-message -p '#{pane_pid}')
	TMUX_PANE_TTY=$(tmux_cmd display-message -p '#{pane_tty}')
	tmux_wait_for '^out\$$'
}

# The processes below $1, deepest last (a snapshot).
descendants() {
	local c
	for c in $(pgrep -P "$1"); do
		echo "$c"
		descendants "$c"
	done
}

tmux_stop() {
	[ -n "${TMUX_SOCK:-}" ] || return 0
	local left=() p
	[ -z "${TMUX_PANE_PID:-}" ] || mapfile -t left < <(descendants "$TMUX_PANE_PID")
	tmux_cmd kill-server 2>/dev/null || true
	# The pane's hangup should end everything in it; whatever ignores that
	# (a hung sbx) must not outlive the test.
	for p in "${left[@]}"; do
		wait_until 50 pid_gone "$p" || kill -9 "$p" 2>/dev/null || true
	done
	TMUX_SOCK=
}

# The whole pane, history included, one row a line (a wrapped line of output
# starts a row of its own even where the typed line before it filled the
# last one), trailing blanks cut.
tmux_capture() {
	tmux_cmd capture-pane -p -S - | sed 's/[[:space:]]*$//'
}

# Type TEXT literally into the pane, then Enter.
tmux_type() {
	tmux_cmd send-keys -l -- "$1" && tmux_cmd send-keys Enter
}

# Press keys by tmux name (C-c, C-z, C-d, Enter).
tmux_keys() {
	tmux_cmd send-keys "$@"
}

_pane_matches() {
	tmux_capture | grep -Eq -- "$1"
}

# Wait (up to $2 tenths of a second, default 150) until some line of the pane
# matches the extended regex $1; on failure show the pane.
tmux_wait_for() {
	if ! wait_until "${2:-150}" _pane_matches "$1"; then
		printf 'the pane never showed a line matching: %s\n--- pane ---\n' "$1" >&2
		tmux_capture >&2
		echo '--- end of pane ---' >&2
		return 1
	fi
}

# The first capture group of the last pane line matching $1 (a sed -E regex).
tmux_extract() {
	tmux_capture | sed -nE "s/$1/\\1/p" | tail -n 1
}

# tmux_type_outer CMDLINE types CMDLINE into the outer shell followed by
# `echo "sbx-rc-N=$?"` (N counts the lines typed this way in this test);
# tmux_outer_status [TENTHS] then waits for that line and sets $status from
# it. The typed line shows "sbx-rc-N=$?" literally, so only the echo matches.
# tmux_run_outer CMDLINE [TENTHS] does both.
tmux_type_outer() {
	TMUX_OUTER_N=$((${TMUX_OUTER_N:-0} + 1))
	tmux_type "$1; echo \"sbx-rc-$TMUX_OUTER_N=\$?\""
}

tmux_outer_status() {
	tmux_wait_for "^sbx-rc-$TMUX_OUTER_N=[0-9]+\$" "${1:-150}" || return 1
	status=$(tmux_extract "^sbx-rc-$TMUX_OUTER_N=([0-9]+)\$")
}

tmux_run_outer() {
	tmux_type_outer "$1" && tmux_outer_status "${2:-150}"
}

# --- directory trees: listings to compare before and after ------------------

# The shipped profiles (the repository's profiles/), by file path. check.sh
# sets SBX_PROFILES; run by hand from the repository, find them beside tests/.
if [ -z "${SBX_PROFILES:-}" ] && [ -d "$BATS_TEST_DIRNAME/../../profiles" ]; then
	SBX_PROFILES=$(cd "$BATS_TEST_DIRNAME/../../profiles" && pwd)
fi

# A POSIX sh script that lists the tree below "$1": every entry with its type
# and mode, a file's size and SHA-256, a symlink's target, sorted, paths
# relative to "$1". Directory sizes are left out (they depend on the file
# system, overlayfs or not). Usable inside a sandbox with the host view:
#     sbx run sh -c "$TREE_LISTING_SH" sh DIR
TREE_LISTING_SH='cd "$1" || exit 1
{
	find . \( -type l -printf "%p %y -> %l\n" \) -o \( -type f -printf "%p %y %m %s\n" \) \
		-o -printf "%p %y %m\n"
	find . -type f -exec sha256sum {} + | sed "s/^\([0-9a-f]*\)  \(.*\)/\2 sha256 \1/"
} | LC_ALL=C sort'

tree_listing() {
	sh -c "$TREE_LISTING_SH" sh "$1"
}

# assert_same_tree BEFORE AFTER: two tree_listing outputs are equal; on a
# difference, show it.
assert_same_tree() {
	if [ "$1" != "$2" ]; then
		echo "the directory changed:" >&2
		diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") >&2 || true
		return 1
	fi
}

# Start sbx in the background with default signal dispositions (bash starts
# background jobs with SIGINT and SIGQUIT ignored, and sbx would inherit
# that); fd 3 (bats' own) is closed so that a leftover process cannot hang
# bats. Output goes to $1; the pid is in SBX_PID.
start_sbx_bg() {
	local out=$1
	shift
	env --default-signal "$SBX" "$@" >"$out" 2>&1 3>&- </dev/null &
	SBX_PID=$!
}

# True once process $1 has exited (it may still be our unreaped child).
child_exited() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}
