# shellcheck shell=bash
# Helpers of bench/run.sh and bench/cases/*.sh (sourced, as the benchmark user).

# Wall time of "$@" in microseconds into $us; output discarded; aborts on
# failure (a benchmark of a failing command measures nothing), showing the
# command's stderr.
time_us() {
	local t0 t1
	t0=$EPOCHREALTIME
	if ! "$@" >/dev/null 2>"$WORK/last.err" </dev/null; then
		cat "$WORK/last.err" >&2
		die "failed: $*"
	fi
	t1=$EPOCHREALTIME
	us=$((${t1//[.,]/} - ${t0//[.,]/}))
}

# Median, minimum and maximum of the numbers on stdin: "MEDIAN MIN MAX".
median_min() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan nan"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}
median() { median_min | awk '{ print $1 }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
secs() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }
row() { printf '  %-62s %10s %10s %s\n' "$1" "$2" "$3" "${4:-}" | sed 's/ *$//'; }
title() { echo "$*"; }

# Time each of the named functions BENCH_RUNS times, alternating (A B C A B
# C ...), after one warm-up call each; samples (microseconds) go to
# $WORK/t.NAME, one per line.
alternate() {
	local n=$1 f
	shift
	for f in "$@"; do
		time_us "$f"
		: >"$WORK/t.$f"
	done
	for _ in $(seq "$n"); do
		for f in "$@"; do
			time_us "$f"
			echo "$us" >>"$WORK/t.$f"
		done
	done
}

# "median ms" "min ms" of the samples of a function timed by alternate.
stat_ms() {
	local m lo
	read -r m lo _ < <(median_min <"$WORK/t.$1")
	echo "$(ms "$m") $(ms "$lo")"
}
med_us() { median <"$WORK/t.$1"; }

header() {
	echo "sbx benchmarks"
	echo "  date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "  machine: $(nproc) cores ($(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
	echo "  system:  Linux $(uname -r), $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
	echo "  load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"
	echo "  user:    $(id -un) (unprivileged)"
	echo "  tools:   $("$SBX" --version 2>&1 | head -n1); $(bwrap --version); rootlesskit $(rootlesskit --version 2>&1 | awk '{print $NF}');"
	echo "           $(slirp4netns --version | head -n1); $(iperf3 --version | head -n1 | awk '{print $1, $2}'); $(unshare --version);"
	echo "           $(cc --version | head -n1); $(make --version | head -n1)"
	echo "  knobs:   BENCH_QUICK=${BENCH_QUICK:-0} BENCH_RUNS=$BENCH_RUNS BENCH_PROFILE_RUNS=$BENCH_PROFILE_RUNS" \
		"BENCH_IPERF_SECONDS=$BENCH_IPERF_SECONDS BENCH_IPERF_ROUNDS=$BENCH_IPERF_ROUNDS BENCH_MTU=$BENCH_MTU"
	echo "           BENCH_BUILD_FILES=$BENCH_BUILD_FILES BENCH_BUILD_ROUNDS=$BENCH_BUILD_ROUNDS" \
		"BENCH_RSS_ROUNDS=$BENCH_RSS_ROUNDS BENCH_PARALLEL=$BENCH_PARALLEL"
}
