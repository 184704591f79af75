# shellcheck shell=bash
# Case 1: start-up without network, against bwrap with the same view, unshare
# and /bin/true; then where sbx's time goes. Sourced by bench/run.sh.

# bwrap doing the work sbx does by default (DESIGN.md section 3), built from
# this host's layout the way sbx builds it: the same namespaces, read-only
# /usr, /bin, /sbin, /lib*, /etc, /opt (symlinks kept as symlinks), sbx's own
# /etc/hosts and /etc/resolv.conf on top of /etc, fresh /proc, a minimal /dev
# with its own devpts, tmpfs /tmp, /var/tmp, /run and $HOME with sbx's size
# caps, the current directory bound read-write and the starting directory,
# the hostname, a new session, a read-only root, and (when run.sh could read
# them, i.e. when started as root) sbx's very own two seccomp filters.
# Not done by bwrap, because it cannot: a fresh sysfs (a recursive bind of
# the host's /sys would be 13 mounts and show the host's interfaces, so it
# is left out) and the subordinate-range id map through newuidmap/newgidmap
# (bwrap maps only the caller's own uid, with a direct write).
quarter=$(awk '/MemTotal/ { printf "%.0f", $2 * 1024 / 4 }' /proc/meminfo)
BW=(--unshare-all --die-with-parent --new-session --hostname sbx)
for d in /usr /bin /sbin /lib /lib32 /lib64 /libx32 /etc /opt; do
	if [ -L "$d" ]; then
		BW+=(--symlink "$(readlink "$d")" "$d")
	elif [ -d "$d" ]; then
		BW+=(--ro-bind "$d" "$d")
	fi
done
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tsbx\n' >"$WORK/hosts"
printf '# sbx: no network (--net none), so no name server\n' >"$WORK/resolv.conf"
BW+=(--ro-bind-data 3 /etc/hosts --ro-bind-data 4 /etc/resolv.conf
	--proc /proc --dev /dev
	--size "$quarter" --tmpfs /tmp --size "$quarter" --tmpfs /var/tmp --size 16777216 --tmpfs /run
	--size "$quarter" --tmpfs "$HOME" --bind "$PWD" "$PWD" --chdir "$PWD" --remount-ro /)
SC=()
for f in "${BENCH_STAGE:-/nonexistent}"/seccomp.*; do
	[ -f "$f" ] && SC+=("$f")
done
[ "${#SC[@]}" -le 2 ] || die "sbx loads ${#SC[@]} seccomp filters; startup.sh passes only two to bwrap"
BWSC=("${BW[@]}")
[ "${#SC[@]}" -lt 1 ] || BWSC+=(--add-seccomp-fd 5)
[ "${#SC[@]}" -lt 2 ] || BWSC+=(--add-seccomp-fd 6)

v_sbx() { "$SBX" run --net none true; }
# sbx with a one-instruction allow-all filter instead of its default: what
# compiling (libseccomp, in sbx while pid 1 mounts) and running the default
# filter costs.
printf '\006\000\000\000\000\000\377\177' >"$WORK/allow.bpf" # BPF_RET|BPF_K SECCOMP_RET_ALLOW
v_sbx_allow() { "$SBX" run --net none --seccomp "$WORK/allow.bpf" true; }
v_bwrap_sc() { bwrap "${BWSC[@]}" true 3<"$WORK/hosts" 4<"$WORK/resolv.conf" 5<"${SC[0]:-/dev/null}" 6<"${SC[1]:-/dev/null}"; }
v_bwrap() { bwrap "${BW[@]}" true 3<"$WORK/hosts" 4<"$WORK/resolv.conf"; }
# bwrap given the id map sbx makes: unshare --map-auto maps the subordinate
# range through newuidmap/newgidmap (one after the other), and bwrap, root
# in that namespace, makes every other namespace but a nested user one.
BWM=("${BW[@]/--unshare-all/--unshare-ipc}")
BWM+=(--unshare-pid --unshare-net --unshare-uts --unshare-cgroup-try)
v_bwrap_mapped() { unshare --map-auto --map-root-user bwrap "${BWM[@]}" true 3<"$WORK/hosts" 4<"$WORK/resolv.conf"; }
v_unshare() { unshare -Urpfmniu --mount-proc true; }
v_unshare_auto() { unshare --map-auto -Urpfmniu --mount-proc true; }
v_true() { /bin/true; }

variants=(v_sbx v_sbx_allow v_bwrap v_unshare v_true)
[ "${#SC[@]}" -eq 0 ] || variants=(v_sbx v_sbx_allow v_bwrap_sc v_bwrap v_unshare v_true)
# unshare with the subordinate range mapped (util-linux >= 2.38): what
# newuidmap/newgidmap cost, sbx's default id map.
if v_unshare_auto >/dev/null 2>&1 </dev/null; then variants+=(v_unshare_auto); fi
if v_bwrap_mapped >/dev/null 2>&1 </dev/null; then variants+=(v_bwrap_mapped); fi
alternate "$BENCH_RUNS" "${variants[@]}"

label() {
	case $1 in
	v_sbx) echo "sbx run --net none true" ;;
	v_sbx_allow) echo "sbx run --net none --seccomp allow-all.bpf true" ;;
	v_bwrap_sc) echo "bwrap, same view + sbx's seccomp filters" ;;
	v_bwrap) echo "bwrap, same view, no seccomp" ;;
	v_unshare) echo "unshare -Urpfmniu --mount-proc true" ;;
	v_unshare_auto) echo "unshare --map-auto -Urpfmniu --mount-proc true" ;;
	v_bwrap_mapped) echo "bwrap, same view, subordinate range mapped" ;;
	v_true) echo "/bin/true" ;;
	esac
}
title "1. start-up without network, $BENCH_RUNS runs each, alternating"
row "" "median ms" "min ms"
for v in "${variants[@]}"; do
	# shellcheck disable=SC2046 # two columns
	row "$(label "$v")" $(stat_ms "$v")
done
peer=v_bwrap
[ "${#SC[@]}" -eq 0 ] || peer=v_bwrap_sc
row "ratio sbx / $(label $peer) (goal <= 1.00)" "$(ratio "$(med_us v_sbx)" "$(med_us $peer)")" ""
[ "$peer" = v_bwrap ] || row "ratio sbx / bwrap, same view, no seccomp" "$(ratio "$(med_us v_sbx)" "$(med_us v_bwrap)")" ""
row "ratio sbx / sbx with the allow-all filter" "$(ratio "$(med_us v_sbx)" "$(med_us v_sbx_allow)")" ""
row "ratio sbx / unshare -Urpfmniu" "$(ratio "$(med_us v_sbx)" "$(med_us v_unshare)")" ""
[[ " ${variants[*]} " != *" v_bwrap_mapped "* ]] ||
	row "ratio sbx / bwrap with the subordinate range mapped" "$(ratio "$(med_us v_sbx)" "$(med_us v_bwrap_mapped)")" ""
[ "${#SC[@]}" -gt 0 ] ||
	echo "  (bwrap without sbx's seccomp filters: run as root to have them read out of a sandbox)"

# --- where the time goes ---------------------------------------------------------

echo
title "1a. CPU per start-up (wait4 rusage of the whole process tree), median of $BENCH_PROFILE_RUNS"
row "" "wall ms" "cpu ms" "(user + sys)  minor faults"
for v in "${variants[@]}"; do
	# shellcheck disable=SC2016 # expanded by that bash
	case $v in
	v_true) cmd=(/bin/true) ;;
	v_sbx) cmd=("$SBX" run --net none true) ;;
	v_sbx_allow) cmd=("$SBX" run --net none --seccomp "$WORK/allow.bpf" true) ;;
	v_unshare) cmd=(unshare -Urpfmniu --mount-proc true) ;;
	v_unshare_auto) cmd=(unshare --map-auto -Urpfmniu --mount-proc true) ;;
	v_bwrap_mapped) cmd=(bash -c 'h=$0 r=$1; shift; exec unshare --map-auto --map-root-user bwrap "$@" 3<"$h" 4<"$r"' "$WORK/hosts" "$WORK/resolv.conf" "${BWM[@]}" true) ;;
	v_bwrap) cmd=(bash -c 'h=$0 r=$1; shift; exec bwrap "$@" 3<"$h" 4<"$r"' "$WORK/hosts" "$WORK/resolv.conf" "${BW[@]}" true) ;;
	v_bwrap_sc) cmd=(bash -c 'h=$0 r=$1 s0=$2 s1=$3; shift 3; exec bwrap "$@" 3<"$h" 4<"$r" 5<"$s0" 6<"$s1"' "$WORK/hosts" "$WORK/resolv.conf"
		"${SC[0]:-/dev/null}" "${SC[1]:-/dev/null}" "${BWSC[@]}" true) ;;
	esac
	python3 "$HERE/tools/rusage.py" "$BENCH_PROFILE_RUNS" "${cmd[@]}" >"$WORK/ru.$v" || die "failed: ${cmd[*]}"
	w=$(awk '{ print $1 }' "$WORK/ru.$v" | median)
	u=$(awk '{ print $2 }' "$WORK/ru.$v" | median)
	s=$(awk '{ print $3 }' "$WORK/ru.$v" | median)
	f=$(awk '{ print $4 }' "$WORK/ru.$v" | median | xargs printf %.0f)
	c=$(awk '{ print $2 + $3 }' "$WORK/ru.$v" | median)
	row "$(label "$v")" "$(ms "$w")" "$(ms "$c")" "$(printf '(%5s + %5s) %11s' "$(ms "$u")" "$(ms "$s")" "$f")"
done
echo "  (the bwrap rows include one bash that sets up the data descriptors and execs bwrap; the"
echo "  kernel splits CPU time into user and sys by sampling, so only the sum is exact for such"
echo "  short processes)"

# sbx's own trace: each -v line, and the median time from it to the next
# line, i.e. how long that step took.
echo
title "1b. sbx run -v --net none true: median duration of each step (from its line to the next), $BENCH_PROFILE_RUNS runs"
: >"$WORK/steps"
: >"$WORK/vwall"
for i in $(seq "$BENCH_PROFILE_RUNS"); do
	t0=$EPOCHREALTIME
	"$SBX" run -v --net none true 2>"$WORK/v.err" >/dev/null </dev/null || {
		cat "$WORK/v.err" >&2
		die "failed: $SBX run -v --net none true"
	}
	t1=$EPOCHREALTIME
	echo $((${t1//[.,]/} - ${t0//[.,]/})) >>"$WORK/vwall"
	sed -n 's/^sbx: \[ *\([0-9.]*\) ms pid [0-9]*\] \(.*\)$/\1\t\2/p' "$WORK/v.err" |
		sed -E 's/pid [0-9]+/pid N/g; s/in [0-9]+ ms/in N ms/; s/ for pid N$//; s/ +$//' |
		awk -F'\t' -v run="$i" '{ t[NR] = $1; l[NR] = $2 }
			END { for (k = 1; k < NR; k++) printf "%d\t%d\t%s\t%.3f\n", run, k, l[k], t[k + 1] - t[k]
			      printf "%d\t%d\t%s\t%.3f\n", run, 9999, "(total, from clone to exit)", t[NR] }' >>"$WORK/steps"
done
# Steps in the order of the first run; median over the runs that have them.
awk -F'\t' '$1 == 1 { print $2 "\t" $3 }' "$WORK/steps" | while IFS=$'\t' read -r _ name; do
	m=$(awk -F'\t' -v n="$name" '$3 == n { print $4 }' "$WORK/steps" | median)
	row "$name" "$(printf %.3f "$m")" "ms"
done
vwall=$(median <"$WORK/vwall")
total=$(awk -F'\t' '$2 == 9999 { print $4 }' "$WORK/steps" | median)
row "(before clone: exec of sbx, options; after exit) = wall - total" \
	"$(awk -v w="$vwall" -v t="$total" 'BEGIN { printf "%.3f", w / 1000 - t }')" "ms"
row "(wall of sbx run -v, median)" "$(ms "$vwall")" "ms"
echo "  (the last step runs from the seccomp load to sbx's exit: fork of the payload, its"
echo "  capability drop and exec, its exit, and the teardown; -v itself adds a little to every step)"

# One start-up under strace, recorded by run.sh as root (strace -u keeps
# newuidmap setuid); strace slows every system call, so read these for
# proportions and counts, not for absolute times.
if [ -n "${BENCH_STAGE:-}" ] && [ -f "$BENCH_STAGE/strace-c.txt" ]; then
	echo
	title "1c. strace -f -c of one sbx run --net none true (all processes; system time by call, top 15)"
	sed -n '1,17p' "$BENCH_STAGE/strace-c.txt" | sed 's/^/  /'
	tail -n 2 "$BENCH_STAGE/strace-c.txt" | sed 's/^/  /'
	echo
	title "1d. strace -f -tt timeline of one run (ms since exec of sbx; runs of one call folded; prctl capability loops left out)"
	awk '
	function tms(s,   a) { split(s, a, ":"); return (a[1] * 3600 + a[2] * 60 + a[3]) * 1000 }
	function flush() {
		if (pn == "") return
		if (cnt > 1) printf "  %9.3f  %-6s %s  (x%d, until %.3f)\n", pt, ppid, ptext, cnt, lt
		else printf "  %9.3f  %-6s %s\n", pt, ppid, ptext
		pn = ""
	}
	{
		pid = $1; t = tms($2); if (t0 == "") t0 = t; t -= t0
		$1 = ""; $2 = ""; text = substr($0, 3)
		if (text ~ /resumed>/) next
		if (text ~ /^prctl\(PR_CAP|^prctl\(PR_GET|^prctl\(PR_SET_NAME/) next
		if (text ~ /^wait4\(.*= 0$/) next
		name = text; sub(/\(.*/, "", name); if (text ~ /^\+\+\+/) name = "exit"
		if (!(pid in who)) who[pid] = "p" (++np)
		if (name == pn && pid == ppidraw) { cnt++; lt = t; next }
		flush()
		if (length(text) > 110) text = substr(text, 1, 107) "..."
		pn = name; ppidraw = pid; ppid = who[pid]; pt = t; lt = t; ptext = text; cnt = 1
	}
	END { flush() }' "$BENCH_STAGE/strace-tt.txt"
	echo "  (p1 = sbx, p2 = sbx-init, then newuidmap, newgidmap and the payload in order of appearance)"
fi
