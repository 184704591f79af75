#!/usr/bin/env bash
# Network benchmark of sbx against rootlesskit (both on slirp4netns).
# Not a test: `make check` never runs it. See bench/README.md.
#
#     bench/net.sh                      # as a normal user, or as root
#     SBX=/abs/path/sbx bench/net.sh    # another build (default build/sbx)
#
# Started as root, it installs what it compares against when missing
# (rootlesskit, iperf3, hyperfine), then re-runs itself as an unprivileged
# user (BENCH_USER, default sbxtest, created with a subordinate range like
# tests/check.sh does) from a staged copy of the binary: sbx is only ever
# used rootless, so that is the only measurement that means anything.
#
# Knobs: BENCH_RUNS (start-up runs per variant, default 30, at least 20),
# BENCH_IPERF_SECONDS (default 5), BENCH_IPERF_ROUNDS (default 5).
#
# The network rule holds here too: iperf3 runs on the host's 127.0.0.1 and
# the clients reach it through the slirp gateway 10.0.2.2; nothing else.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_USER=${BENCH_USER:-sbxtest}
BENCH_RUNS=${BENCH_RUNS:-30}
BENCH_IPERF_SECONDS=${BENCH_IPERF_SECONDS:-5}
BENCH_IPERF_ROUNDS=${BENCH_IPERF_ROUNDS:-5}
SBX=${SBX:-$HERE/../build/sbx}
TOOLS=(rootlesskit iperf3 hyperfine slirp4netns python3)

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$SBX" ] || die "$SBX is not executable; run make first, or set SBX"
SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX")
[ "$BENCH_RUNS" -ge 20 ] 2>/dev/null || die "BENCH_RUNS must be at least 20"

missing_tools() {
	local t
	for t in "${TOOLS[@]}"; do command -v "$t" >/dev/null || echo "$t"; done
}

# --- as root: install, prepare the user, stage, re-run ---------------------

if [ "$(id -u)" -eq 0 ]; then
	if [ -n "$(missing_tools)" ]; then
		echo "bench: installing rootlesskit iperf3 hyperfine slirp4netns" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y rootlesskit iperf3 hyperfine slirp4netns >&2
	fi
	if ! id -u "$BENCH_USER" >/dev/null 2>&1; then
		useradd -m -s /bin/bash "$BENCH_USER"
	fi
	if ! grep -Eq "^($BENCH_USER|$(id -u "$BENCH_USER")):[0-9]+:[1-9]" /etc/subuid 2>/dev/null; then
		start=$(cat /etc/subuid /etc/subgid 2>/dev/null |
			awk -F: 'BEGIN { e = 200000 } NF == 3 && $2 + $3 > e { e = $2 + $3 } END { print e }')
		usermod --add-subuids "$start-$((start + 65535))" \
			--add-subgids "$start-$((start + 65535))" "$BENCH_USER"
	fi
	# slirp4netns (for both contenders) opens /dev/net/tun as the user.
	if [ -c /dev/net/tun ] && ! runuser -u "$BENCH_USER" -- test -r /dev/net/tun -a -w /dev/net/tun; then
		echo "bench: /dev/net/tun is not usable by $BENCH_USER; setting mode 0666 as udev does" >&2
		chmod 0666 /dev/net/tun
	fi
	STAGE=$(mktemp -d /tmp/sbx-bench.XXXXXX)
	trap 'rm -rf "$STAGE"' EXIT
	cp "$SBX" "$STAGE/sbx"
	cp "${BASH_SOURCE[0]}" "$STAGE/net.sh"
	chmod -R a+rX "$STAGE"
	home=$(getent passwd "$BENCH_USER" | cut -d: -f6)
	rc=0
	(cd "$STAGE" && runuser -u "$BENCH_USER" -- env -i HOME="$home" USER="$BENCH_USER" \
		LOGNAME="$BENCH_USER" SHELL=/bin/bash LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		SBX="$STAGE/sbx" BENCH_RUNS="$BENCH_RUNS" BENCH_IPERF_SECONDS="$BENCH_IPERF_SECONDS" \
		BENCH_IPERF_ROUNDS="$BENCH_IPERF_ROUNDS" bash "$STAGE/net.sh") || rc=$?
	exit "$rc"
fi

# --- as the user --------------------------------------------------------------

if [ -n "$(missing_tools)" ]; then
	die "missing: $(missing_tools | tr '\n' ' ')— install them (sudo apt-get install -y rootlesskit iperf3 hyperfine slirp4netns) or run this script as root"
fi

WORK=$(mktemp -d "$HOME/sbx-bench.XXXXXX")
IPERF_PID=
cleanup() {
	[ -z "$IPERF_PID" ] || { kill "$IPERF_PID" 2>/dev/null || true; wait "$IPERF_PID" 2>/dev/null || true; }
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The project directory sbx shares by default: an empty one below $HOME.
cd "$WORK"

# Wall time of "$@" in microseconds into $us; output discarded; aborts on
# failure (a benchmark of a failing command measures nothing).
time_us() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 </dev/null || die "failed: $*"
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

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

RK=(rootlesskit --net=slirp4netns --disable-host-loopback)

# Warm caches (binaries, page cache) so the first sample is not an outlier.
time_us "$SBX" run true
time_us "$SBX" run --net none true
time_us "${RK[@]}" true

for f in sbx rk none tsbx trk traw; do : >"$WORK/$f"; done
for _ in $(seq "$BENCH_RUNS"); do
	time_us "$SBX" run true
	echo "$us" >>"$WORK/sbx"
	time_us "${RK[@]}" true
	echo "$us" >>"$WORK/rk"
	time_us "$SBX" run --net none true
	echo "$us" >>"$WORK/none"
done
read -r sbx_med sbx_min _ < <(median_min <"$WORK/sbx")
read -r rk_med rk_min _ < <(median_min <"$WORK/rk")
read -r none_med none_min _ < <(median_min <"$WORK/none")

# --- throughput -------------------------------------------------------------

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
iperf3 -s -B 127.0.0.1 -p "$port" >/dev/null 2>&1 </dev/null &
IPERF_PID=$!
for _ in $(seq 100); do
	awk -v p=":$(printf '%04X' "$port")" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
		/proc/net/tcp && break
	sleep 0.1
done

# Gbit/s received by the server in one iperf3 run: iperf3_gbps CMD...
iperf3_gbps() {
	local json
	json=$(timeout $((BENCH_IPERF_SECONDS + 30)) "$@" -p "$port" -t "$BENCH_IPERF_SECONDS" -J 2>/dev/null) ||
		die "failed: $*"
	python3 -c 'import json, sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' <<<"$json"
}

for _ in $(seq "$BENCH_IPERF_ROUNDS"); do
	iperf3_gbps "$SBX" run --allow-host-loopback -- iperf3 -c 10.0.2.2 >>"$WORK/tsbx"
	iperf3_gbps rootlesskit --net=slirp4netns iperf3 -c 10.0.2.2 >>"$WORK/trk"
	iperf3_gbps iperf3 -c 127.0.0.1 >>"$WORK/traw"
done
read -r tsbx tsbx_min tsbx_max < <(median_min <"$WORK/tsbx")
read -r trk trk_min trk_max < <(median_min <"$WORK/trk")
read -r traw traw_min traw_max < <(median_min <"$WORK/traw")

# --- report -------------------------------------------------------------------

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
row() { printf '  %-58s %10s %10s %s\n' "$1" "$2" "$3" "${4:-}" | sed 's/ *$//'; }
echo "sbx network benchmark"
echo "  date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "  machine: $(nproc) cores, Linux $(uname -r), $(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)"
echo "  user:    $(id -un) (unprivileged)"
echo "  tools:   $("$SBX" --version 2>&1 | head -n1); rootlesskit $(rootlesskit --version 2>&1 | awk '{print $NF}');" \
	"$(slirp4netns --version | head -n1); $(iperf3 --version | head -n1 | awk '{print $1, $2}')"
echo
row "start-up, $BENCH_RUNS runs each, alternating" "median ms" "min ms"
row "sbx run true (slirp4netns)" "$(ms "$sbx_med")" "$(ms "$sbx_min")"
row "rootlesskit --net=slirp4netns --disable-host-loopback true" "$(ms "$rk_med")" "$(ms "$rk_min")"
row "sbx run --net none true" "$(ms "$none_med")" "$(ms "$none_min")"
row "ratio sbx / rootlesskit (goal <= 0.50)" "$(ratio "$sbx_med" "$rk_med")" ""
echo
row "TCP to the host's 127.0.0.1, iperf3 -t $BENCH_IPERF_SECONDS, median of $BENCH_IPERF_ROUNDS" "Gbit/s" "(min - max)"
row "sbx --allow-host-loopback, client -> 10.0.2.2" "$(printf %.3f "$tsbx")" "($tsbx_min - $tsbx_max)"
row "rootlesskit --net=slirp4netns, client -> 10.0.2.2" "$(printf %.3f "$trk")" "($trk_min - $trk_max)"
row "raw host loopback, client -> 127.0.0.1" "$(printf %.3f "$traw")" "($traw_min - $traw_max)"
row "ratio sbx / rootlesskit (goal >= 1.00)" "$(ratio "$tsbx" "$trk")" ""
row "ratio sbx / raw loopback" "$(ratio "$tsbx" "$traw")" ""
