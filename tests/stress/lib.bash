# Shared helpers of the stress suite (tests/stress/*.sh). Each script sources
# this, runs its tests and prints TAP ("ok N - name", "not ok N - name" with
# "#" diagnostic lines, and the plan "1..N" at the end) that tests/check.sh's
# count_tap reads.
#
# Runs as an unprivileged user only (run.sh drops to the test user when
# started as root). Environment:
#   SBX            absolute path of the sbx binary (required)
#   SBX_NOHELPER   optional build whose newuidmap/newgidmap paths do not exist
#   STRESS_*       sizes, set by run.sh (short or long)
#   SBX_STRESS_FULL, SBX_STRESS_ALMOST
#                  optional tiny tmpfs directories owned by us, full and with
#                  one inode left (root makes them in run.sh)

set -u

if [ -z "${SBX:-}" ] || [ ! -x "$SBX" ]; then
	echo "Bail out! SBX must name the sbx binary (got '${SBX:-}')"
	exit 2
fi
if [ "$(id -u)" -eq 0 ]; then
	echo "Bail out! the stress suite must run as an unprivileged user (run.sh drops to one)"
	exit 2
fi

ME=$(id -u)
# subid_range, pid_gone, pid_is_mine, orphan_slirps, wait_until (run.sh stages it at
# ../lib beside this directory, as in the repository).
. "$(dirname "${BASH_SOURCE[0]}")/../lib/procs.bash"
# Upper bound of any single sbx invocation: nothing may hang.
SBX_TIMEOUT_S=${SBX_TEST_TIMEOUT_S:-60}

# --- TAP ----------------------------------------------------------------------

T_N=0
T_FAILED=0
T_DIAG=$(mktemp /tmp/sbx-stress-diag.XXXXXX)

# t NAME COMMAND [ARG...]: one test. COMMAND runs in this shell; what it
# prints (both streams) becomes the diagnostics of a failure.
t() {
	local name=$1
	shift
	T_N=$((T_N + 1))
	if "$@" >"$T_DIAG" 2>&1; then
		echo "ok $T_N - $name"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "not ok $T_N - $name"
		head -n 60 "$T_DIAG" | sed 's/^/#   /'
	fi
}

t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # skip $2"
}

t_done() {
	echo "1..$T_N"
	rm -f "$T_DIAG" "${T_OUT:-}" "${T_ERR:-}"
	[ "$T_FAILED" -eq 0 ]
}

note() { echo "# $*"; }

fail() {
	printf '%s\n' "$@"
	return 1
}

# --- running sbx ----------------------------------------------------------------

T_OUT=$(mktemp /tmp/sbx-stress-out.XXXXXX)
T_ERR=$(mktemp /tmp/sbx-stress-err.XXXXXX)

# sx [BIN] ARGS...: run sbx (or another binary given as an absolute path
# first) bounded by the timeout, stdin /dev/null; sets RC, output in
# $T_OUT and $T_ERR.
sx() {
	local bin=$SBX
	case ${1:-} in /*) bin=$1 && shift ;; esac
	T_LAST_TIMEOUT=$SBX_TIMEOUT_S
	timeout --kill-after=5 "$SBX_TIMEOUT_S" "$bin" "$@" >"$T_OUT" 2>"$T_ERR" </dev/null
	RC=$?
}

# A sanitizer report, a crash or a hang in the last sx: the one-line reason,
# or nothing. (124 and 137 come from `timeout`: no sbx option of these tests
# makes sbx exit 124, and nothing here kills the payload with a signal.)
bad_outcome() {
	if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ThreadSanitizer' "$T_ERR"; then
		echo "sanitizer report (status $RC): $(grep -m1 -E 'runtime error|Sanitizer' "$T_ERR")"
	elif [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		echo "hung: killed by timeout after ${T_LAST_TIMEOUT:-$SBX_TIMEOUT_S} s (status $RC)"
	elif [ "$RC" -ge 128 ]; then
		echo "crashed: status $RC (signal $((RC - 128)))"
	fi
}

# Exactly one stderr line, "sbx: ..." (the contract for sbx's own failures).
one_error_line() {
	local n
	n=$(grep -c '' "$T_ERR")
	[ "$n" -eq 1 ] && head -n 1 "$T_ERR" | grep -q '^sbx: '
}

show_last() {
	echo "status: $RC"
	echo "stderr ($(grep -c '' "$T_ERR") lines):"
	head -c 2000 "$T_ERR" | head -n 10 | cut -c1-300
	echo "stdout:"
	head -c 1000 "$T_OUT" | head -n 5 | cut -c1-300
}

# expect_status "ALLOWED..." : after sx, the status is one of ALLOWED, no
# crash, hang or sanitizer report, and a status of 125, 126 or 127 comes
# with exactly one "sbx: " line on stderr.
expect_status() {
	local allowed=" $1 " bad
	bad=$(bad_outcome)
	if [ -n "$bad" ]; then
		echo "$bad"
		show_last
		return 1
	fi
	if [[ $allowed != *" $RC "* ]]; then
		echo "expected status in {$1}"
		show_last
		return 1
	fi
	case $RC in
	125 | 126 | 127)
		if ! one_error_line; then
			echo "expected exactly one stderr line starting 'sbx: '"
			show_last
			return 1
		fi
		;;
	esac
}

# --- what sbx could leave behind ----------------------------------------------

# A private $XDG_RUNTIME_DIR (sbx puts the slirp4netns API directory there
# while it publishes ports; src/net.c make_run_dir). Short enough that sbx
# uses it (it falls back to /tmp above 64 bytes).
STRESS_RUNTIME=$(mktemp -d /tmp/sbx-stress-rt.XXXXXX)
chmod 700 "$STRESS_RUNTIME"
export XDG_RUNTIME_DIR=$STRESS_RUNTIME
trap 'rm -rf "$STRESS_RUNTIME" "$T_DIAG" "$T_OUT" "$T_ERR"' EXIT

# A marker unique to one batch of runs: it goes into every sbx command line
# (and so sbx-init's, a copy of sbx) and into the payload's argv, so the
# processes of this suite are told apart from other runs of the same user.
new_marker() { echo "sbxstress-$$-$1-$RANDOM$RANDOM"; }



# Live processes whose command line holds marker $1 (sbx, sbx-init, payloads
# started with `exec -a MARKER`), one "PID ARGS" line each.
marker_procs() {
	local pid
	for pid in $(pgrep -f -- "$1"); do
		[ "$pid" = "$BASHPID" ] && continue
		pid_gone "$pid" && continue
		echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-200)"
	done
	return 0
}


mounts_now() { LC_ALL=C sort /proc/self/mountinfo; }
caller_fds() { ls "/proc/$BASHPID/fd" | wc -l; }
# The private directories sbx makes (mkdtemp "sbx-XXXXXX") in /tmp, and
# everything in our private $XDG_RUNTIME_DIR.
rundirs_now() {
	{
		find /tmp -mindepth 1 -maxdepth 1 -user "$ME" -name 'sbx-??????' 2>/dev/null
		find "$STRESS_RUNTIME" -mindepth 1 -maxdepth 1 2>/dev/null
	} | LC_ALL=C sort
}
# cgroups sbx makes for --memory/--pids/--cpus (sbx-PID and its own leaf)
# below our cgroup v2 group, where there is one.
cgroups_now() {
	local mnt own
	mnt=$(findmnt -n -t cgroup2 -o TARGET 2>/dev/null | head -n 1)
	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	[ -n "$mnt" ] && [ -d "$mnt$own" ] || return 0
	find "$mnt$own" -mindepth 1 -maxdepth 2 -type d -name 'sbx*' -user "$ME" 2>/dev/null | LC_ALL=C sort
}

# leak_baseline: remember the state now; leak_checks LABEL MARKER: one test
# per kind of leak, each allowed up to ~2 s to settle (children die by their
# parent-death signal; a zombie counts as gone).
leak_baseline() {
	BASE_MOUNTS=$(mounts_now)
	BASE_FDS=$(caller_fds)
	BASE_RUNDIRS=$(rundirs_now)
	BASE_CGROUPS=$(cgroups_now)
}

_no_marker_procs() { [ -z "$(marker_procs "$1")" ]; }
_no_orphan_slirps() { [ -z "$(orphan_slirps)" ]; }
_same_mounts() { [ "$(mounts_now)" = "$BASE_MOUNTS" ]; }
_same_rundirs() { [ "$(rundirs_now)" = "$BASE_RUNDIRS" ]; }
_same_cgroups() { [ "$(cgroups_now)" = "$BASE_CGROUPS" ]; }

check_no_procs() {
	wait_until 20 _no_marker_procs "$1" && wait_until 20 _no_orphan_slirps && return 0
	echo "left running (marker $1):"
	marker_procs "$1"
	echo "orphaned slirp4netns:"
	orphan_slirps
	return 1
}
check_mounts() {
	wait_until 20 _same_mounts && return 0
	echo "mountinfo changed:"
	diff <(printf '%s\n' "$BASE_MOUNTS") <(mounts_now) | head -n 20
	return 1
}
check_fds() {
	local now
	now=$(caller_fds)
	[ "$now" -eq "$BASE_FDS" ] || fail "caller had $BASE_FDS descriptors, now $now"
}
check_rundirs() {
	wait_until 20 _same_rundirs && return 0
	echo "new temporary entries:"
	diff <(printf '%s\n' "$BASE_RUNDIRS") <(rundirs_now) | head -n 20
	return 1
}
check_cgroups() {
	wait_until 20 _same_cgroups && return 0
	echo "new cgroup directories:"
	diff <(printf '%s\n' "$BASE_CGROUPS") <(cgroups_now) | head -n 20
	return 1
}

leak_checks() {
	local label=$1 marker=$2
	t "$label: no sbx, sbx-init, payload or slirp4netns process left" check_no_procs "$marker"
	t "$label: no mount added to the caller's mountinfo" check_mounts
	t "$label: caller's descriptor count unchanged" check_fds
	t "$label: no run directory left in /tmp or \$XDG_RUNTIME_DIR" check_rundirs
	t "$label: no cgroup directory left" check_cgroups
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Every project directory of this suite lives below $HOME, like the
# integration suite's (so the cwd is shared and no notice is printed).
PROJ=$(mktemp -d "$HOME/proj.stress.XXXXXX")
cd "$PROJ" || exit 2
trap 'cd /; rm -rf "$STRESS_RUNTIME" "$T_DIAG" "$T_OUT" "$T_ERR" "$PROJ"' EXIT
