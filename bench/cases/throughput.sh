# shellcheck shell=bash
# Case 3: TCP throughput from inside to an iperf3 server on the host's
# 127.0.0.1 (through the slirp gateway 10.0.2.2), sbx against rootlesskit at
# the same MTU, and the raw host loopback as the ceiling. Sourced by
# bench/run.sh.

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
iperf3 -s -B 127.0.0.1 -p "$port" >/dev/null 2>&1 </dev/null &
IPERF_PID=$!
CLEANUP+=("kill $IPERF_PID 2>/dev/null; wait $IPERF_PID 2>/dev/null")
for _ in $(seq 100); do
	awk -v p=":$(printf '%04X' "$port")" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
		/proc/net/tcp && break
	sleep 0.1
done

# Gbit/s received by the server in one iperf3 run: iperf3_gbps CMD...
iperf3_gbps() {
	local json
	json=$(timeout $((BENCH_IPERF_SECONDS + 30)) "$@" -p "$port" -t "$BENCH_IPERF_SECONDS" -J 2>"$WORK/last.err") || {
		cat "$WORK/last.err" >&2
		die "failed: $*"
	}
	python3 -c 'import json, sys; print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' <<<"$json"
}

: >"$WORK/tsbx"
: >"$WORK/trk"
: >"$WORK/traw"
for _ in $(seq "$BENCH_IPERF_ROUNDS"); do
	iperf3_gbps "$SBX" run --mtu "$BENCH_MTU" --allow-host-loopback -- iperf3 -c 10.0.2.2 >>"$WORK/tsbx"
	iperf3_gbps rootlesskit --net=slirp4netns --mtu="$BENCH_MTU" iperf3 -c 10.0.2.2 >>"$WORK/trk"
	iperf3_gbps iperf3 -c 127.0.0.1 >>"$WORK/traw"
done
kill "$IPERF_PID" 2>/dev/null || true
wait "$IPERF_PID" 2>/dev/null || true
read -r tsbx tsbx_min tsbx_max < <(median_min <"$WORK/tsbx")
read -r trk trk_min trk_max < <(median_min <"$WORK/trk")
read -r traw traw_min traw_max < <(median_min <"$WORK/traw")

title "3. TCP to the host's 127.0.0.1, iperf3 -t $BENCH_IPERF_SECONDS, MTU $BENCH_MTU, median of $BENCH_IPERF_ROUNDS, alternating"
row "" "Gbit/s" "(min - max)"
row "sbx --allow-host-loopback, client -> 10.0.2.2" "$(printf %.3f "$tsbx")" "($tsbx_min - $tsbx_max)"
row "rootlesskit --net=slirp4netns, client -> 10.0.2.2" "$(printf %.3f "$trk")" "($trk_min - $trk_max)"
row "raw host loopback, client -> 127.0.0.1" "$(printf %.3f "$traw")" "($traw_min - $traw_max)"
row "ratio sbx / rootlesskit (goal >= 1.00)" "$(ratio "$tsbx" "$trk")" ""
row "fraction of raw host loopback, sbx" "$(ratio "$tsbx" "$traw")" ""
row "fraction of raw host loopback, rootlesskit" "$(ratio "$trk" "$traw")" ""
