#!/usr/bin/env bash
# Many runs in a row and at once: every one succeeds, and nothing of sbx is
# left afterwards (processes, mounts, descriptors, run directories, cgroups).
# Sizes: STRESS_SEQ_NONE, STRESS_SEQ_NET, STRESS_PUBLISH, STRESS_CONC.
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

SEQ_NONE=${STRESS_SEQ_NONE:-1000}
SEQ_NET=${STRESS_SEQ_NET:-200}
PUBLISH=${STRESS_PUBLISH:-20}
CONC=${STRESS_CONC:-64}

# Descriptors the caller leaves open without close-on-exec: the payload
# must not get them (DESIGN.md 1: only 0, 1, 2 and fds named explicitly).
exec 7</dev/null 9>/dev/null

# seq_runs COUNT MARKER SBX-ARGS...: COUNT runs, each must exit 0 with
# nothing on stderr; prints the first failures.
seq_runs() {
	local count=$1 marker=$2 i failures=0
	shift 2
	for ((i = 1; i <= count; i++)); do
		sx "$@" true "$marker"
		if [ "$RC" -ne 0 ] || [ -s "$T_ERR" ] || [ -n "$(bad_outcome)" ]; then
			failures=$((failures + 1))
			if [ "$failures" -le 3 ]; then
				echo "run $i of $count:"
				show_last
			fi
		fi
	done
	[ "$failures" -eq 0 ] || fail "$failures of $count runs failed"
}

# --- sequential --------------------------------------------------------------

leak_baseline
m=$(new_marker seqnone)
start=$(now_ms)
t "$SEQ_NONE sequential 'sbx run --net none true': all exit 0, stderr empty" \
	seq_runs "$SEQ_NONE" "$m" run --net none
note "$SEQ_NONE runs with --net none took $(($(now_ms) - start)) ms"
leak_checks "after $SEQ_NONE runs with --net none" "$m"

leak_baseline
m=$(new_marker seqnet)
start=$(now_ms)
t "$SEQ_NET sequential networked 'sbx run true': all exit 0, stderr empty" \
	seq_runs "$SEQ_NET" "$m" run
note "$SEQ_NET networked runs took $(($(now_ms) - start)) ms"
leak_checks "after $SEQ_NET networked runs" "$m"

# With a published port sbx makes a private directory for slirp4netns' API
# socket; it must be gone before the payload starts and after each run.
publish_runs() {
	local i port failures=0 inside
	for ((i = 1; i <= PUBLISH; i++)); do
		port=$((20000 + RANDOM % 30000))
		sx run -p "127.0.0.1:$port:8080" true "$1"
		# The same port may be taken by someone else: that is a clean 125.
		if [ "$RC" -eq 125 ] && one_error_line && grep -q 'already in use' "$T_ERR"; then
			continue
		fi
		if [ "$RC" -ne 0 ] || [ -s "$T_ERR" ] || [ -n "$(bad_outcome)" ]; then
			failures=$((failures + 1))
			[ "$failures" -gt 3 ] || show_last
		fi
		inside=$(find "$STRESS_RUNTIME" -mindepth 1 2>/dev/null)
		[ -z "$inside" ] || { failures=$((failures + 1)) && echo "left in \$XDG_RUNTIME_DIR: $inside"; }
	done
	[ "$failures" -eq 0 ] || fail "$failures of $PUBLISH runs failed"
}
leak_baseline
m=$(new_marker publish)
t "$PUBLISH runs with -p 127.0.0.1:HPORT:8080: all exit 0, \$XDG_RUNTIME_DIR empty after each" publish_runs "$m"
leak_checks "after $PUBLISH runs with a published port" "$m"

# The payload's descriptors: exactly 0, 1 and 2 although the caller holds 7
# and 9 open (the listing is the shell's own, read by a child ls).
payload_fds() {
	local net
	for net in none slirp; do
		sx run --net "$net" sh -c 'ls "/proc/$$/fd"' "$1"
		if [ "$RC" -ne 0 ] || [ "$(tr '\n' ' ' <"$T_OUT")" != "0 1 2 " ]; then
			echo "--net $net: expected the payload to hold fds 0 1 2 only"
			show_last
			return 1
		fi
	done
}
m=$(new_marker fds)
t "the payload holds only fds 0, 1, 2 (caller has 7 and 9 open)" payload_fds "$m"

# --- concurrent --------------------------------------------------------------

# conc_batch MODE COUNT MARKER DIR: COUNT runs, alternately --net none and
# networked, all at once ("par") or one after another ("seq"); each run's
# status and stderr land in DIR.
conc_batch() {
	local mode=$1 count=$2 marker=$3 dir=$4 i pids=()
	for ((i = 0; i < count; i++)); do
		local net=slirp
		[ $((i % 2)) -eq 0 ] && net=none
		if [ "$mode" = par ]; then
			(
				timeout --kill-after=5 "$SBX_TIMEOUT_S" "$SBX" run --net "$net" true "$marker" \
					>/dev/null 2>"$dir/$i.err" </dev/null
				echo $? >"$dir/$i.rc"
			) &
			pids+=($!)
		else
			timeout --kill-after=5 "$SBX_TIMEOUT_S" "$SBX" run --net "$net" true "$marker" \
				>/dev/null 2>"$dir/$i.err" </dev/null
			echo $? >"$dir/$i.rc"
		fi
	done
	[ "${#pids[@]}" -eq 0 ] || wait "${pids[@]}"
}

conc_verdict() {
	local count=$1 dir=$2 i failures=0 rc
	for ((i = 0; i < count; i++)); do
		rc=$(cat "$dir/$i.rc" 2>/dev/null || echo missing)
		if [ "$rc" != 0 ] || [ -s "$dir/$i.err" ]; then
			failures=$((failures + 1))
			if [ "$failures" -le 5 ]; then
				echo "run $i: status $rc; stderr: $(head -c 300 "$dir/$i.err")"
			fi
		fi
	done
	[ "$failures" -eq 0 ] || fail "$failures of $count runs failed"
}

cdir=$(mktemp -d "$PROJ/conc.XXXXXX")
leak_baseline
m=$(new_marker conc)
start=$(now_ms)
conc_batch par "$CONC" "$m" "$cdir"
par_ms=$(($(now_ms) - start))
t "$CONC concurrent runs, half --net none, half networked: all exit 0, stderr empty" \
	conc_verdict "$CONC" "$cdir"
leak_checks "after $CONC concurrent runs" "$m"

sdir=$(mktemp -d "$PROJ/seq.XXXXXX")
m=$(new_marker concseq)
start=$(now_ms)
conc_batch seq "$CONC" "$m" "$sdir"
seq_ms=$(($(now_ms) - start))
t "the same $CONC runs one after another: all exit 0" conc_verdict "$CONC" "$sdir"
note "wall time: $CONC concurrent runs $par_ms ms, $CONC sequential runs $seq_ms ms (not asserted)"

t_done
