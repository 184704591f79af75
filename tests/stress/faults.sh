#!/usr/bin/env bash
# Fault injection: sbx SIGKILLed at random moments, slirp4netns killed while
# the payload runs, the uidmap helpers missing, a full run directory, a tiny
# descriptor limit. After each: a clear outcome, and nothing left behind.
# Sizes: STRESS_KILLS (SIGKILL trials), STRESS_MAX_DELAY_MS.
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

KILLS=${STRESS_KILLS:-200}
MAX_DELAY_MS=${STRESS_MAX_DELAY_MS:-80}

# start_bg OUT BIN ARGS...: sbx in the background with default signal
# dispositions (bash starts background jobs with SIGINT/SIGQUIT ignored);
# pid in BG_PID.
start_bg() {
	local out=$1
	shift
	env --default-signal "$@" >"$out" 2>&1 </dev/null &
	BG_PID=$!
}

# Facts found inside tests, printed as TAP comments after them.
NOTES=""
print_notes() {
	[ -z "$NOTES" ] || printf '%s' "$NOTES" | sed 's/^/# /'
	NOTES=""
}

# Sleep $1 ms without a fork (read times out on a FIFO nobody writes to),
# so the short delays are what they say.
mkfifo "$PROJ/never"
exec {NEVER_FD}<>"$PROJ/never"
sleep_ms() { read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u "$NEVER_FD" || true; }

# --- the leak detector itself sees a live sandbox ----------------------------

detector_sees_sandbox() {
	local m out
	m=$(new_marker detect)
	out=$(mktemp "$PROJ/out.XXXXXX")
	start_bg "$out" timeout 20 "$SBX" run bash -c 'exec -a "$0" sleep 10' "$m"
	# sbx, sbx-init and the payload carry the marker; slirp4netns serves it.
	if ! wait_until 100 eval '[ "$(marker_procs "$m" | grep -vc " timeout ")" -ge 3 ]'; then
		echo "expected sbx, sbx-init and the payload to be found by marker:"
		marker_procs "$m"
		kill -9 "$BG_PID"
		return 1
	fi
	local sbx_pid slirp
	sbx_pid=$(pgrep -P "$BG_PID" -x sbx || true)
	slirp=$(pgrep -P "$sbx_pid" -x slirp4netns || true)
	[ -n "$slirp" ] || { echo "no slirp4netns child of sbx ($sbx_pid)" && kill -9 "$BG_PID" && return 1; }
	check_no_procs "$m" >/dev/null && { echo "check_no_procs missed a live sandbox" && kill -9 "$BG_PID" && return 1; }
	kill -9 "$sbx_pid"
	wait "$BG_PID" 2>/dev/null
	check_no_procs "$m"
}
t "the leak check finds a live sandbox's sbx, sbx-init, payload and slirp4netns" detector_sees_sandbox

# --- SIGKILL at random moments -----------------------------------------------

# Four shapes, in turn, each killed 0..MAX_DELAY_MS ms after it starts
# (shape 0 within a quarter of that, shape 1 within half):
#   0 --net none true           (before the maps, during setup, teardown)
#   1 networked true            (slirp4netns start-up and teardown)
#   2 networked, payload sleeps (start-up, then while the payload runs)
#   3 networked with -p, payload sleeps (while the API run directory exists)
# Nothing may be left within ~2 s: processes (sbx-init and the payload by
# marker, slirp4netns whose sandbox is gone) and run directories; mounts at
# the end. Nothing slow runs between the start and the kill.
kill_trials() {
	local n=$1 bin=$2 only_shape=${3:-} max_delay=${4:-$MAX_DELAY_MS} i shape delay m out killed=0 exited=0 failures=0 rc
	local -a shape_args by_shape=(0 0 0 0)
	for ((i = 0; i < n; i++)); do
		shape=${only_shape:-$((i % 4))}
		m=$(new_marker "kill$i")
		case $shape in
		0) shape_args=(run --net none true "$m") ;;
		1) shape_args=(run true "$m") ;;
		2) shape_args=(run bash -c 'exec -a "$0" sleep 5' "$m") ;;
		3) shape_args=(run -p "127.0.0.1:$((20000 + RANDOM % 30000)):8080" bash -c 'exec -a "$0" sleep 5' "$m") ;;
		esac
		# Short payloads are over in a few ms: kill them sooner.
		case $shape in
		0) delay=$((RANDOM % (max_delay / 4 + 1))) ;;
		1) delay=$((RANDOM % (max_delay / 2 + 1))) ;;
		*) delay=$((RANDOM % (max_delay + 1))) ;;
		esac
		out=$(mktemp "$PROJ/kill.XXXXXX")
		start_bg "$out" "$bin" "${shape_args[@]}"
		[ "$delay" -eq 0 ] || sleep_ms "$delay"
		if kill -9 "$BG_PID" 2>/dev/null; then
			killed=$((killed + 1))
			by_shape[shape]=$((${by_shape[shape]:-0} + 1))
		else
			exited=$((exited + 1))
		fi
		wait "$BG_PID" 2>/dev/null
		rc=$?
		local problem=""
		if grep -qE 'runtime error|Sanitizer' "$out"; then
			problem="sanitizer report: $(grep -m1 -E 'runtime error|Sanitizer' "$out")"
		elif [ "$rc" -ne 137 ] && [ "$rc" -ge 128 ]; then
			problem="sbx died of signal $((rc - 128)) before the SIGKILL"
		elif ! wait_until 20 _no_marker_procs "$m" || ! wait_until 20 _no_orphan_slirps; then
			problem="left running: $(marker_procs "$m" | tr '\n' ';') $(orphan_slirps | tr '\n' ';')"
		fi
		# A run directory left behind is counted apart (see below).
		if [ -z "$problem" ] && ! wait_until 20 _same_rundirs; then
			local left
			left=$(comm -13 <(printf '%s\n' "$BASE_RUNDIRS") <(rundirs_now))
			RUNDIR_LEAKS=$((RUNDIR_LEAKS + 1))
			RUNDIR_EXAMPLES+="trial $i (shape $shape, ${delay} ms): $(cd / && ls -dA $left $(printf '%s/* ' $left) 2>/dev/null | tr '\n' ' ')"$'\n'
			# Kept for the sweep test below; later trials compare against them.
			KEPT_RUNDIRS+=" $left"
			BASE_RUNDIRS=$(rundirs_now)
		fi
		if [ -n "$problem" ]; then
			failures=$((failures + 1))
			[ "$failures" -gt 5 ] || echo "trial $i (shape $shape, ${delay} ms, status $rc): $problem"
			# Do not let one leak count against every later trial.
			pkill -9 -f -- "$m" 2>/dev/null || true
			BASE_RUNDIRS=$(rundirs_now)
		fi
		rm -f "$out"
	done
	KILL_SUMMARY="$killed killed while running (by shape: ${by_shape[*]}), $exited had already exited"
	[ "$failures" -eq 0 ] || fail "$failures of $n trials left something behind"
}

RUNDIR_LEAKS=0
RUNDIR_EXAMPLES=""
KEPT_RUNDIRS=""
leak_baseline
t "$KILLS SIGKILLs of sbx at random moments (0-$MAX_DELAY_MS ms): no process left after each" \
	kill_trials "$KILLS" "$SBX"
note "SIGKILL trials: ${KILL_SUMMARY:-none ran}"

# The same while -p sets up: sbx makes a private directory for
# slirp4netns' API socket and removes it before the payload starts; killed
# in between (a few ms), the directory stays, and the next sbx -p removes
# it (src/net.c sweep_run_dirs: ours, older than 10 s, not locked by a
# live sbx). Shape 3 only, killed within 25 ms, so most land in that window.
sweep_verdict() {
	local fake m port d left=()
	[ "$RUNDIR_LEAKS" -eq 0 ] || note "$RUNDIR_LEAKS SIGKILLed runs left a run directory, e.g.: $(printf '%s' "$RUNDIR_EXAMPLES" | head -n 2 | tr '\n' ' ')"
	# One made here too, so the sweep is tested even when no kill hit the window.
	fake=$(mktemp -d "$STRESS_RUNTIME/sbx-XXXXXX")
	: >"$fake/api.sock"
	for d in $KEPT_RUNDIRS "$fake"; do
		[ -e "$d" ] || continue
		touch -d '-1 minute' "$d"
		left+=("$d")
	done
	m=$(new_marker sweep)
	port=$((20000 + RANDOM % 30000))
	sx run -p "127.0.0.1:$port:8080" true "$m"
	expect_status 0 || return 1
	for d in "${left[@]}"; do
		[ ! -e "$d" ] || { echo "still there after the next sbx -p: $d" && return 1; }
	done
	BASE_RUNDIRS=$(rundirs_now)
}
t "$((KILLS / 10 + 10)) SIGKILLs of sbx -p within 25 ms: no process left after each" \
	kill_trials $((KILLS / 10 + 10)) "$SBX" 3 25
note "SIGKILL trials with -p: ${KILL_SUMMARY:-none ran}"
t "after the SIGKILL trials: no mount added to the caller's mountinfo" check_mounts
t "after the SIGKILL trials: caller's descriptor count unchanged" check_fds
t "after the SIGKILL trials: no cgroup directory left" check_cgroups

if [ -n "${SBX_NOHELPER:-}" ] && [ -x "$SBX_NOHELPER" ]; then
	leak_baseline
	t "$((KILLS / 10 + 4)) SIGKILLs of sbx without uidmap helpers (maps written by sbx itself)" \
		kill_trials $((KILLS / 10 + 4)) "$SBX_NOHELPER"
else
	t_skip "SIGKILLs of sbx without uidmap helpers" "SBX_NOHELPER not given"
fi

# Killed between mkdtemp and rmdir, sbx leaves $XDG_RUNTIME_DIR/sbx-XXXXXX
# (or /tmp/sbx-XXXXXX); the next run with -p removes it.
t "a run directory left by a SIGKILLed sbx -p is removed by the next sbx -p" sweep_verdict

# --- slirp4netns killed while the payload runs -------------------------------

# What sbx does (src/launch.c supervise, src/net.c net_slirp_reaped; README
# "Network"): one warning line naming the signal, the sandbox goes on
# without a network, and sbx exits with the payload's own status once it
# ends; then everything is torn down.
slirp_killed() {
	local m out json sbx_pid slirp rc i
	m=$(new_marker slirpkill)
	out=$(mktemp "$PROJ/out.XXXXXX")
	json=$(mktemp "$PROJ/json.XXXXXX")
	env --default-signal timeout 30 "$SBX" run --json-status-fd 3 \
		bash -c 'exec -a "$0" sleep 2; exit 7' "$m" >/dev/null 2>"$out" 3>"$json" </dev/null &
	sbx_pid=$!
	wait_until 100 grep -q '"started"' "$json" || {
		echo "no started event"
		cat "$out"
		kill -9 "$sbx_pid"
		return 1
	}
	slirp=$(sed -n 's/.*"slirp4netns_pid": \([0-9]*\).*/\1/p' "$json")
	[ -n "$slirp" ] && [ "$(cat "/proc/$slirp/comm" 2>/dev/null)" = slirp4netns ] || {
		echo "started event names no live slirp4netns: $(cat "$json")"
		kill -9 "$sbx_pid"
		return 1
	}
	kill -9 "$slirp"
	wait "$sbx_pid"
	rc=$?
	# `exec -a ... sleep 2` replaces bash: the payload's status is sleep's, 0.
	[ "$rc" -eq 0 ] || { echo "expected the payload's status 0, got $rc" && cat "$out" && return 1; }
	grep -qE 'runtime error|Sanitizer' "$out" && { echo "sanitizer report:" && cat "$out" && return 1; }
	[ "$(grep -c '' "$out")" -eq 1 ] && grep -q '^sbx: .*slirp4netns was killed by signal 9' "$out" || {
		echo "expected one line saying slirp4netns was killed by signal 9; stderr:"
		cat "$out"
		return 1
	}
	grep -q '"exited"' "$json" || { echo "no exited event: $(cat "$json")" && return 1; }
	check_no_procs "$m"
}
leak_baseline
t "slirp4netns SIGKILLed mid-run: one warning line, the payload's status, nothing left" slirp_killed
leak_checks "after slirp4netns was killed" "sbxstress-$$-slirpkill"

# --- the uidmap helpers missing ----------------------------------------------

nohelper_runs() {
	local net
	for net in none slirp; do
		sx "$SBX_NOHELPER" run --net "$net" sh -c 'cat /proc/self/uid_map' "$1"
		expect_status 0 || return 1
		if [ "$(grep -c '' "$T_ERR")" -ne 1 ] || ! grep -q '^sbx: warning: .*newuidmap.*missing.*only your own uid and gid are mapped' "$T_ERR"; then
			echo "--net $net: expected one fallback warning line"
			show_last
			return 1
		fi
		# Only the caller's own id is mapped.
		if [ "$(awk '{ print $1, $2, $3 }' "$T_OUT")" != "$ME $ME 1" ]; then
			echo "--net $net: expected the single map '$ME $ME 1'"
			show_last
			return 1
		fi
	done
	# An id that needs the range cannot be had: 125 after the warning.
	sx "$SBX_NOHELPER" run --net none --user 1000 true "$1"
	[ "$RC" -eq 125 ] && [ -z "$(bad_outcome)" ] && grep -q '^sbx: --user: .*cannot be mapped' "$T_ERR" || {
		echo "--user 1000 without helpers: expected 125 saying it cannot be mapped"
		show_last
		return 1
	}
}
if [ -n "${SBX_NOHELPER:-}" ] && [ -x "$SBX_NOHELPER" ]; then
	leak_baseline
	m=$(new_marker nohelper)
	t "newuidmap/newgidmap missing: the fallback warning, a single-id map, runs work" nohelper_runs "$m"
	leak_checks "after runs without helpers" "$m"
else
	t_skip "newuidmap/newgidmap missing" "SBX_NOHELPER not given"
fi

# --- no room for the run directory -------------------------------------------

# sbx needs nothing from the host's /tmp or $TMPDIR for a plain run (its
# tmpfs mounts are made in its own mount namespace); with -p it makes a
# private directory for slirp4netns' API socket in $XDG_RUNTIME_DIR (when it
# is ours and at most 64 bytes long), else /tmp. Where that cannot be
# made: 125 with one line, or success; never a crash or a hang.
# full_dir_runs DIR: $1 is a directory of ours where nothing can be created.
full_dir_runs() {
	local dir=$1 m=$2 port
	# TMPDIR is not sbx's: plain runs ignore it.
	TMPDIR=$dir sx run --net none true "$m"
	expect_status 0 || return 1
	TMPDIR=$dir sx run true "$m"
	expect_status 0 || return 1
	port=$((20000 + RANDOM % 30000))
	XDG_RUNTIME_DIR=$dir sx run -p "127.0.0.1:$port:8080" true "$m"
	expect_status "0 125" || return 1
	# A clear line names the directory or the cause (slirp4netns' own
	# "bind: No space left on device" when only the socket has no room).
	if [ "$RC" -eq 125 ] && ! grep -qE "$dir|No space left on device" "$T_ERR"; then
		echo "expected the error to name $dir or say there is no space"
		show_last
		return 1
	fi
	NOTES+="with \$XDG_RUNTIME_DIR=$dir (${3:-}) and -p: status $RC $(head -n 1 "$T_ERR")"$'\n'
}

unwritable_runtime() {
	local dir m=$1
	dir=$(mktemp -d /tmp/sbx-stress-ro.XXXXXX)
	chmod 500 "$dir"
	full_dir_runs "$dir" "$m" "mode 0500"
	local r=$?
	[ -z "$(ls -A "$dir")" ] || { echo "left in $dir: $(ls -A "$dir")" && r=1; }
	rmdir "$dir"
	return "$r"
}
leak_baseline
m=$(new_marker rundir)
t "\$XDG_RUNTIME_DIR not writable: -p exits 125 with one line (or works)" unwritable_runtime "$m"

# A tiny tmpfs of ours, made and filled by root in run.sh.
tiny_tmpfs() {
	local dir=$1 m=$2 what=$3 before
	[ -d "$dir" ] && [ -O "$dir" ] || fail "$dir is not a directory of mine" || return 1
	before=$(ls -A "$dir" | LC_ALL=C sort)
	full_dir_runs "$dir" "$m" "$what" || return 1
	[ "$(ls -A "$dir" | LC_ALL=C sort)" = "$before" ] || fail "sbx left something in $dir"
}
is_full() { ! mkdir "$1/probe.$$" 2>/dev/null || { rmdir "$1/probe.$$" && false; }; }
if [ -n "${SBX_STRESS_FULL:-}" ]; then
	if is_full "$SBX_STRESS_FULL"; then
		t "a full tmpfs as \$XDG_RUNTIME_DIR/\$TMPDIR: 125 with one line or success" \
			tiny_tmpfs "$SBX_STRESS_FULL" "$m" "full tmpfs"
	else
		t "a full tmpfs as \$XDG_RUNTIME_DIR/\$TMPDIR" fail "$SBX_STRESS_FULL is not full"
	fi
else
	t_skip "a full tmpfs as \$XDG_RUNTIME_DIR" "run as root (run.sh) to get one"
fi
if [ -n "${SBX_STRESS_ALMOST:-}" ]; then
	# One inode left: the directory can be made, the API socket cannot.
	t "a tmpfs with one free inode as \$XDG_RUNTIME_DIR: 125 with one line or success" \
		tiny_tmpfs "$SBX_STRESS_ALMOST" "$m" "one inode left"
else
	t_skip "a tmpfs with one free inode as \$XDG_RUNTIME_DIR" "run as root (run.sh) to get one"
fi
leak_checks "after the full run directory runs" "$m"
print_notes

# --- a tiny descriptor limit -------------------------------------------------

# RLIMIT_NOFILE from 4 to 24 for sbx itself (inherited by the payload):
# each run works or exits 125 with one line.
fd_limits() {
	local n args failures=0 shape ok_at=""
	# (With 3 the dynamic loader itself cannot open sbx's libraries.)
	for ((n = 4; n <= 24; n++)); do
		for shape in none slirp publish; do
			case $shape in
			none) args=(run --net none true "$1") ;;
			slirp) args=(run true "$1") ;;
			publish) args=(run -p "127.0.0.1:$((20000 + RANDOM % 30000)):8080" true "$1") ;;
			esac
			sx /usr/bin/prlimit --nofile="$n" "$SBX" "${args[@]}"
			if ! expect_status "0 125" >"$T_DIAG.fd" 2>&1; then
				failures=$((failures + 1))
				[ "$failures" -gt 5 ] || { echo "nofile=$n $shape:" && cat "$T_DIAG.fd"; }
			elif [ "$RC" -eq 0 ] && [ "$n" -eq 20 ]; then
				ok_at+=" $shape"
			fi
		done
	done
	rm -f "$T_DIAG.fd"
	NOTES+="with nofile=20 these worked:${ok_at:- none}"$'\n'
	[ "$failures" -eq 0 ] || fail "$failures runs crashed, hung or failed unclearly"
}
leak_baseline
m=$(new_marker nofile)
t "RLIMIT_NOFILE 4..24 (prlimit): each run exits 0 or 125 with one line" fd_limits "$m"
print_notes
leak_checks "after the descriptor-limit runs" "$m"

t_done
