# shellcheck shell=bash
# Case 2: start-up with network, sbx against rootlesskit (both on
# slirp4netns). Sourced by bench/run.sh.

RK=(rootlesskit --net=slirp4netns --disable-host-loopback)
n_sbx() { "$SBX" run true; }
n_rk() { "${RK[@]}" true; }
n_none() { "$SBX" run --net none true; }
alternate "$BENCH_RUNS" n_sbx n_rk n_none

title "2. start-up with network, $BENCH_RUNS runs each, alternating"
row "" "median ms" "min ms"
# shellcheck disable=SC2046 # two columns
row "sbx run true (slirp4netns)" $(stat_ms n_sbx)
# shellcheck disable=SC2046
row "rootlesskit --net=slirp4netns --disable-host-loopback true" $(stat_ms n_rk)
# shellcheck disable=SC2046
row "sbx run --net none true" $(stat_ms n_none)
row "ratio sbx / rootlesskit (goal <= 0.50)" "$(ratio "$(med_us n_sbx)" "$(med_us n_rk)")" ""
row "what the network costs sbx (slirp - none), ms" "$(ms "$(awk -v a="$(med_us n_sbx)" -v b="$(med_us n_none)" 'BEGIN { print a - b }')")" ""
