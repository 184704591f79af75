#!/usr/bin/env bash
# The benchmark suite of sbx: start-up against bwrap, unshare and
# rootlesskit, network throughput, a real build inside and outside, memory,
# and many sandboxes at once. Not a test: `make check` never runs it, and it
# prints numbers instead of asserting them. See bench/README.md.
#
#     make bench                          # builds, then runs this (as root: see below)
#     SBX=/abs/path/sbx bench/run.sh      # another build (default build/sbx)
#     BENCH_QUICK=1 bench/run.sh          # a quick validation run (few samples)
#     BENCH_CASES="startup rss" bench/run.sh
#
# Started as root, it installs what it compares against when missing
# (bubblewrap, rootlesskit, hyperfine, iperf3, slirp4netns, time, strace from
# Debian), makes sure the benchmark user exists with a subordinate range,
# copies sbx and this directory to a world-readable staging directory, reads
# sbx's seccomp filters out of a running sandbox (so bwrap can be given the
# same ones), records an strace profile of one sbx start-up, and re-runs
# itself as that user: sbx is only ever used rootless, so that is the only
# measurement that means anything. Started as a normal user, it runs the
# cases directly (without the seccomp filters for bwrap and without strace).
#
# The network rule holds: nothing here resolves a name or contacts anything
# but loopback, the slirp gateway 10.0.2.2 (the host's 127.0.0.1 with
# --allow-host-loopback) and servers this script starts on 127.0.0.1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_USER=${BENCH_USER:-sbxtest}
BENCH_CASES=${BENCH_CASES:-startup netstart throughput build rss concurrency}
SBX=${SBX:-$HERE/../build/sbx}

# Knobs; BENCH_QUICK=1 changes the defaults to a quick validation run.
if [ "${BENCH_QUICK:-0}" = 1 ]; then q=1; else q=0; fi
pick() { if [ "$q" = 1 ]; then echo "$2"; else echo "$1"; fi; }
BENCH_RUNS=${BENCH_RUNS:-$(pick 50 10)}
BENCH_PROFILE_RUNS=${BENCH_PROFILE_RUNS:-$(pick 30 5)}
BENCH_IPERF_SECONDS=${BENCH_IPERF_SECONDS:-$(pick 5 2)}
BENCH_IPERF_ROUNDS=${BENCH_IPERF_ROUNDS:-$(pick 5 1)}
BENCH_MTU=${BENCH_MTU:-65520}
BENCH_BUILD_FILES=${BENCH_BUILD_FILES:-$(pick 400 60)}
BENCH_BUILD_ROUNDS=${BENCH_BUILD_ROUNDS:-$(pick 5 1)}
BENCH_RSS_ROUNDS=${BENCH_RSS_ROUNDS:-$(pick 9 1)}
BENCH_PARALLEL=${BENCH_PARALLEL:-64}
export BENCH_USER BENCH_CASES BENCH_QUICK BENCH_RUNS BENCH_PROFILE_RUNS BENCH_IPERF_SECONDS \
	BENCH_IPERF_ROUNDS BENCH_MTU BENCH_BUILD_FILES BENCH_BUILD_ROUNDS BENCH_RSS_ROUNDS BENCH_PARALLEL

die() {
	echo "bench: $*" >&2
	exit 1
}

[ -x "$SBX" ] || die "$SBX is not executable; run make first, or set SBX"
SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX")
for v in BENCH_RUNS BENCH_PROFILE_RUNS BENCH_IPERF_SECONDS BENCH_IPERF_ROUNDS BENCH_BUILD_FILES \
	BENCH_BUILD_ROUNDS BENCH_RSS_ROUNDS BENCH_PARALLEL BENCH_MTU; do
	[ "${!v}" -ge 1 ] 2>/dev/null || die "$v must be a positive number"
done
for c in $BENCH_CASES; do
	[ -f "$HERE/cases/$c.sh" ] || die "unknown case '$c' (cases: startup netstart throughput build rss concurrency)"
done

# Command -> Debian package, for what the cases use.
TOOLS="bwrap:bubblewrap rootlesskit:rootlesskit iperf3:iperf3 slirp4netns:slirp4netns
hyperfine:hyperfine python3:python3 unshare:util-linux /usr/bin/time:time strace:strace
make:make cc:gcc"
missing_pkgs() {
	local t
	for t in $TOOLS; do command -v "${t%%:*}" >/dev/null || echo "${t#*:}"; done
}

# --- as root: install, prepare the user, stage, profile, re-run ---------------

if [ "$(id -u)" -eq 0 ]; then
	pkgs=$(missing_pkgs | sort -u | tr '\n' ' ')
	if [ -n "$pkgs" ]; then
		echo "bench: installing $pkgs" >&2
		# shellcheck disable=SC2086 # one word per package
		DEBIAN_FRONTEND=noninteractive apt-get install -y $pkgs >&2
	fi
	if ! id -u "$BENCH_USER" >/dev/null 2>&1; then
		useradd -m -s /bin/bash "$BENCH_USER"
	fi
	uid=$(id -u "$BENCH_USER")
	if ! grep -Eq "^($BENCH_USER|$uid):[0-9]+:[1-9]" /etc/subuid 2>/dev/null ||
		! grep -Eq "^($BENCH_USER|$uid):[0-9]+:[1-9]" /etc/subgid 2>/dev/null; then
		start=$(cat /etc/subuid /etc/subgid 2>/dev/null |
			awk -F: 'BEGIN { e = 200000 } NF == 3 && $2 + $3 > e { e = $2 + $3 } END { print e }')
		usermod --add-subuids "$start-$((start + 65535))" \
			--add-subgids "$start-$((start + 65535))" "$BENCH_USER"
	fi
	# slirp4netns (for sbx and rootlesskit) opens /dev/net/tun as the user.
	if [ -c /dev/net/tun ] && ! runuser -u "$BENCH_USER" -- test -r /dev/net/tun -a -w /dev/net/tun; then
		echo "bench: /dev/net/tun is not usable by $BENCH_USER; setting mode 0666 as udev does" >&2
		chmod 0666 /dev/net/tun
	fi
	home=$(getent passwd "$BENCH_USER" | cut -d: -f6)
	STAGE=$(mktemp -d /tmp/sbx-bench.XXXXXX)
	PROF=
	# shellcheck disable=SC2317 # called by the trap
	cleanup_root() {
		rm -rf "$STAGE"
		[ -z "$PROF" ] || rm -rf "$PROF"
	}
	trap cleanup_root EXIT
	mkdir "$STAGE/bench"
	cp "$SBX" "$STAGE/sbx"
	cp -r "$HERE/run.sh" "$HERE/lib.sh" "$HERE/cases" "$HERE/tools" "$STAGE/bench/"
	chmod -R a+rX "$STAGE"
	as_user() {
		runuser -u "$BENCH_USER" -- env -i HOME="$home" USER="$BENCH_USER" \
			LOGNAME="$BENCH_USER" SHELL=/bin/bash LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	}
	PROF=$(as_user mktemp -d "$home/sbx-bench-prof.XXXXXX")

	# sbx's seccomp filters, read out of a running sandbox's payload with
	# PTRACE_SECCOMP_GET_FILTER (needs CAP_SYS_ADMIN, hence here), so that
	# bwrap can load the very same programs with --add-seccomp-fd.
	if [[ " $BENCH_CASES " == *" startup "* ]]; then
		(cd "$PROF" && as_user "$STAGE/sbx" run --net none --json-status-fd 3 -- sleep 5 \
			3>"$STAGE/status.json") &
		spid=$!
		init=
		for _ in $(seq 200); do
			init=$(sed -n 's/.*"started": {"pid": \([0-9]*\).*/\1/p' "$STAGE/status.json" 2>/dev/null)
			[ -n "$init" ] && payload=$(cat "/proc/$init/task/$init/children" 2>/dev/null) &&
				[ -n "$payload" ] && grep -q '^Seccomp_filters:[[:space:]]*[1-9]' "/proc/${payload%% *}/status" &&
				break
			sleep 0.05
		done
		if [ -n "$init" ] && [ -n "${payload:-}" ] &&
			python3 "$HERE/tools/seccomp-dump.py" "${payload%% *}" "$STAGE/seccomp" >&2; then
			chmod a+r "$STAGE"/seccomp.*
		else
			echo "bench: could not read sbx's seccomp filters; bwrap runs without them" >&2
		fi
		kill "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
		rm -f "$STAGE/status.json"

		# One start-up under strace, as root with -u so that newuidmap
		# stays setuid: system time per call, and a timeline of the
		# processes (clone, execve, wait, exit).
		if (cd "$PROF" && env -i HOME="$home" USER="$BENCH_USER" LOGNAME="$BENCH_USER" \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
			strace -u "$BENCH_USER" -f -c -S time -o "$STAGE/strace-c.txt" \
			"$STAGE/sbx" run --net none true) >/dev/null 2>&1 &&
			(cd "$PROF" && env -i HOME="$home" USER="$BENCH_USER" LOGNAME="$BENCH_USER" \
				PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
				strace -u "$BENCH_USER" -f -tt -e trace=process,mount,pivot_root,seccomp,prctl \
				-o "$STAGE/strace-tt.txt" "$STAGE/sbx" run --net none true) >/dev/null 2>&1; then
			chmod a+r "$STAGE"/strace-*.txt
		else
			echo "bench: sbx did not run under strace; no strace profile" >&2
			rm -f "$STAGE"/strace-*.txt
		fi
	fi

	rc=0
	(cd "$STAGE" && as_user SBX="$STAGE/sbx" BENCH_STAGE="$STAGE" BENCH_USER="$BENCH_USER" \
		BENCH_CASES="$BENCH_CASES" BENCH_QUICK="${BENCH_QUICK:-0}" BENCH_RUNS="$BENCH_RUNS" \
		BENCH_PROFILE_RUNS="$BENCH_PROFILE_RUNS" BENCH_IPERF_SECONDS="$BENCH_IPERF_SECONDS" \
		BENCH_IPERF_ROUNDS="$BENCH_IPERF_ROUNDS" BENCH_MTU="$BENCH_MTU" \
		BENCH_BUILD_FILES="$BENCH_BUILD_FILES" BENCH_BUILD_ROUNDS="$BENCH_BUILD_ROUNDS" \
		BENCH_RSS_ROUNDS="$BENCH_RSS_ROUNDS" BENCH_PARALLEL="$BENCH_PARALLEL" \
		bash "$STAGE/bench/run.sh") || rc=$?
	exit "$rc"
fi

# --- as the user ----------------------------------------------------------------

missing=$(missing_pkgs | sort -u | tr '\n' ' ')
[ -z "$missing" ] || die "missing: $missing- install them (sudo apt-get install -y $missing) or run this script as root"

BENCH_STAGE=${BENCH_STAGE:-}
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

WORK=$(mktemp -d "$HOME/sbx-bench.XXXXXX")
CLEANUP=()
cleanup() {
	local c
	for c in "${CLEANUP[@]}"; do eval "$c" || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The project directory sbx shares by default: an empty one below $HOME.
mkdir "$WORK/cwd"
cd "$WORK/cwd"

header
for c in $BENCH_CASES; do
	echo
	# shellcheck source=/dev/null
	. "$HERE/cases/$c.sh"
done
echo
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the end"
