# shellcheck shell=bash
# Case 6: BENCH_PARALLEL sandboxes started at once, against the same number
# one after the other; all must succeed. Sourced by bench/run.sh.

# par_run LABEL SBX-ARGS...: start them all, wait for each, count failures.
par_run() {
	local label=$1 i fails=0 t0 t1
	local -a pids=()
	shift
	t0=$EPOCHREALTIME
	for i in $(seq "$BENCH_PARALLEL"); do
		"$SBX" run "$@" >/dev/null 2>"$WORK/par.$i.err" </dev/null &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			fails=$((fails + 1))
			[ "$fails" -gt 1 ] || { echo "bench: sandbox $((i + 1)) of $BENCH_PARALLEL failed:" >&2; cat "$WORK/par.$((i + 1)).err" >&2; }
		fi
	done
	t1=$EPOCHREALTIME
	[ "$fails" -eq 0 ] || die "$fails of $BENCH_PARALLEL concurrent '$SBX run $*' failed"
	echo $((${t1//[.,]/} - ${t0//[.,]/})) >"$WORK/par.$label"
}
seq_run() {
	local label=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	for _ in $(seq "$BENCH_PARALLEL"); do
		time_us "$SBX" run "$@"
	done
	t1=$EPOCHREALTIME
	echo $((${t1//[.,]/} - ${t0//[.,]/})) >"$WORK/seq.$label"
}
par_run none --net none true
seq_run none --net none true
par_run slirp true
seq_run slirp true
# And all alive at the same time: each sleeps long enough for the last to start.
par_run alive --net none sleep 2

title "6. $BENCH_PARALLEL sandboxes at once on $(nproc) cores (all succeeded)"
row "" "total s" "per sandbox ms"
for l in none slirp; do
	case $l in none) what="sbx run --net none true" ;; *) what="sbx run true (slirp4netns each)" ;; esac
	p=$(cat "$WORK/par.$l")
	s=$(cat "$WORK/seq.$l")
	row "$what, $BENCH_PARALLEL at once" "$(secs "$p")" "$(ms $((p / BENCH_PARALLEL)))"
	row "$what, $BENCH_PARALLEL one after the other" "$(secs "$s")" "$(ms $((s / BENCH_PARALLEL)))"
	row "ratio at once / one after the other" "$(ratio "$p" "$s")" ""
done
row "sbx run --net none sleep 2, $BENCH_PARALLEL at once (all alive together)" "$(secs "$(cat "$WORK/par.alive")")" ""
