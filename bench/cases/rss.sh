# shellcheck shell=bash
# Case 5: memory. sbx's own peak RSS (the process outside) and that of the
# sandbox's pid 1 (sbx-init), sampled from /proc/PID/status while a payload
# runs and until each process is gone. Sourced by bench/run.sh.
#
# Why not /usr/bin/time -f %M: it reports ru_maxrss from wait4(), which for
# a process with children is the largest of the peaks of the process and of
# every descendant it waited for (getrusage's RUSAGE_CHILDREN is a maximum,
# not a sum), so it shows the biggest process of the tree: newuidmap, the
# payload, slirp4netns, not sbx. It is printed below for comparison only.

# Sample VmHWM/VmRSS (KiB) of sbx and its sbx-init until sbx exits:
# rss_run LABEL SBX-ARGS... ; results in $WORK/rss.LABEL: "sbx_hwm sbx_rss init_hwm init_rss slirp_hwm"
rss_run() {
	local label=$1 spid init slirp st hwm rss ihwm=0 irss=0 shwm=0 srss=0 lhwm=0 v
	shift
	rm -f "$WORK/status.json"
	"$SBX" run --json-status-fd 3 "$@" 3>"$WORK/status.json" >/dev/null 2>"$WORK/last.err" </dev/null &
	spid=$!
	init=
	slirp=
	while kill -0 "$spid" 2>/dev/null; do
		if [ -z "$init" ] && [ -s "$WORK/status.json" ]; then
			init=$(sed -n 's/.*"started": {"pid": \([0-9]*\).*/\1/p' "$WORK/status.json")
			slirp=$(sed -n 's/.*"slirp4netns_pid": \([0-9]*\).*/\1/p' "$WORK/status.json")
		fi
		if st=$(cat "/proc/$spid/status" 2>/dev/null); then
			hwm=$(awk '/^VmHWM:/ { print $2 }' <<<"$st")
			rss=$(awk '/^VmRSS:/ { print $2 }' <<<"$st")
			[ -z "$hwm" ] || [ "$hwm" -le "$shwm" ] || shwm=$hwm
			[ -z "$rss" ] || [ "$rss" -le "$srss" ] || srss=$rss
		fi
		if [ -n "$init" ] && st=$(cat "/proc/$init/status" 2>/dev/null) && grep -q '^Name:[[:space:]]*sbx-init$' <<<"$st"; then
			hwm=$(awk '/^VmHWM:/ { print $2 }' <<<"$st")
			rss=$(awk '/^VmRSS:/ { print $2 }' <<<"$st")
			[ -z "$hwm" ] || [ "$hwm" -le "$ihwm" ] || ihwm=$hwm
			[ -z "$rss" ] || [ "$rss" -le "$irss" ] || irss=$rss
		fi
		if [ -n "$slirp" ] && v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$slirp/status" 2>/dev/null) &&
			[ -n "$v" ] && [ "$v" -gt "$lhwm" ]; then
			lhwm=$v
		fi
		sleep 0.02
	done
	if ! wait "$spid"; then
		cat "$WORK/last.err" >&2
		die "failed: $SBX run $*"
	fi
	[ -n "$init" ] || die "no started event from $SBX run --json-status-fd"
	[ "$ihwm" -gt 0 ] || die "never saw sbx-init (pid $init) in /proc"
	echo "$shwm $srss $ihwm $irss $lhwm" >>"$WORK/rss.$label"
}

: >"$WORK/rss.none"
: >"$WORK/rss.slirp"
for _ in $(seq "$BENCH_RSS_ROUNDS"); do
	rss_run none --net none -- sleep 1
	rss_run slirp -- sleep 1
done
# The worst and the median of the rounds, per column.
worst() { awk -v c="$2" '$c > m { m = $c } END { print m + 0 }' "$WORK/rss.$1"; }
med_col() { awk -v c="$2" '{ print $c }' "$WORK/rss.$1" | median; }
timem=$(/usr/bin/time -f %M "$SBX" run --net none -- sleep 0.2 2>&1 >/dev/null </dev/null | tail -n1)

title "5. memory (peak RSS, VmHWM of /proc/PID/status, while 'sleep 1' runs inside; $BENCH_RSS_ROUNDS rounds)"
row "" "median MiB" "worst MiB"
row "sbx itself, --net none (goal <= 2 MiB)" "$(mib "$(med_col none 1)")" "$(mib "$(worst none 1)")"
row "sbx-init, pid 1 inside, --net none (goal <= 2 MiB)" "$(mib "$(med_col none 3)")" "$(mib "$(worst none 3)")"
row "sbx itself, with slirp4netns (goal <= 2 MiB)" "$(mib "$(med_col slirp 1)")" "$(mib "$(worst slirp 1)")"
row "sbx-init, with slirp4netns (goal <= 2 MiB)" "$(mib "$(med_col slirp 3)")" "$(mib "$(worst slirp 3)")"
row "slirp4netns (for reference, not sbx's)" "$(mib "$(med_col slirp 5)")" "$(mib "$(worst slirp 5)")"
row "/usr/bin/time -f %M sbx run --net none (largest of the tree)" "$(mib "$timem")" ""
