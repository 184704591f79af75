#!/usr/bin/env bash
# The stress suite: lifecycle.sh (many runs in a row and at once, and
# nothing left behind), faults.sh (SIGKILL at random moments, slirp4netns
# killed, helpers missing, no room for the run directory, tiny fd limits)
# and badinput.sh (bad values for every option, malformed profiles and
# subordinate id files). Prints their TAP and ends with
#     stress: N passed, N failed, N skipped
#
#     SBX=/abs/sbx [SBX_NOHELPER=/abs/sbx-nohelper] tests/stress/run.sh short|long
#
# short (part of `make check`, some 30 s) or long (`make stress`: 1000
# + 200 sequential runs, 64 at once, 200 SIGKILL trials).
#
# Started as root (as make check and CI are), it runs the scripts as the
# test user (SBX_STRESS_USER, default sbxtest, which tests/check.sh creates
# with subordinate ids) from a world-readable copy in /tmp, and gives them
# two tiny tmpfs directories of the user's, one full and one with a single
# free inode, for the "no room for the run directory" tests. Started as a
# normal user, it runs them directly and those two tests skip.
set -euo pipefail

MODE=${1:-short}
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST_USER=${SBX_STRESS_USER:-sbxtest}
: "${SBX:?SBX must be the absolute path of the sbx binary}"
SBX_NOHELPER=${SBX_NOHELPER:-}
case $SBX in /*) ;; *) SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX") ;; esac
case $SBX_NOHELPER in /* | '') ;; *) SBX_NOHELPER=$(cd "$(dirname "$SBX_NOHELPER")" && pwd)/$(basename "$SBX_NOHELPER") ;; esac

case $MODE in
short) sizes=(STRESS_SEQ_NONE=50 STRESS_SEQ_NET=20 STRESS_PUBLISH=3 STRESS_CONC=32 STRESS_KILLS=20) ;;
long) sizes=(STRESS_SEQ_NONE=1000 STRESS_SEQ_NET=200 STRESS_PUBLISH=20 STRESS_CONC=64 STRESS_KILLS=200) ;;
*)
	echo "usage: SBX=/abs/sbx $0 short|long" >&2
	exit 2
	;;
esac
SCRIPTS=(lifecycle.sh faults.sh badinput.sh)

passed=0 failed=0 skipped=0
. "$DIR/../lib/tap.bash"

WORK=$(mktemp -d /tmp/sbx-stress.XXXXXX)
MOUNTED=()
cleanup() {
	local m
	for m in "${MOUNTED[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

envs=("${sizes[@]}")
for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS SBX_TEST_TIMEOUT_S; do
	[ -z "${!v:-}" ] || envs+=("$v=${!v}")
done

if [ "$(id -u)" -eq 0 ]; then
	if ! id -u "$TEST_USER" >/dev/null 2>&1; then
		echo "Bail out! no user $TEST_USER: run 'make check' once (tests/check.sh creates it)"
		exit 2
	fi
	home=$(getent passwd "$TEST_USER" | cut -d: -f6)
	STAGE=$WORK/stage
	mkdir -p "$STAGE/stress"
	cp "$SBX" "$STAGE/sbx"
	[ -z "$SBX_NOHELPER" ] || cp "$SBX_NOHELPER" "$STAGE/sbx-nohelper"
	cp "$DIR"/*.sh "$DIR"/*.bash "$STAGE/stress/"
	mkdir -p "$STAGE/lib"
	cp "$DIR/../lib/procs.bash" "$STAGE/lib/"
	# Tiny tmpfs directories of the user's: one full, one with one free
	# inode (mkdtemp works there, the API socket cannot be made).
	for which in full almost; do
		d=$WORK/$which
		mkdir "$d"
		if mount -t tmpfs -o size=64k,nr_inodes=32,mode=0700 "sbx-stress-$which" "$d"; then
			MOUNTED+=("$d")
			i=0
			while (: 2>/dev/null >"$d/f$i"); do i=$((i + 1)); done
			cat /dev/zero 2>/dev/null >"$d/fill" || true
			[ "$which" = full ] || rm -f "$d/f0"
			chown -R "$TEST_USER:" "$d"
			envs+=("SBX_STRESS_${which^^}=$d")
		else
			echo "# stress: cannot mount a tmpfs at $d; the full-directory tests skip"
		fi
	done
	chmod -R a+rX "$STAGE"
	chmod 755 "$WORK" "$STAGE"/sbx*
	envs+=(HOME="$home" USER="$TEST_USER" LOGNAME="$TEST_USER" SHELL=/bin/bash
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
		SBX="$STAGE/sbx")
	[ ! -x "$STAGE/sbx-nohelper" ] || envs+=(SBX_NOHELPER="$STAGE/sbx-nohelper")
	runner=(runuser -u "$TEST_USER" -- env -i "${envs[@]}" bash)
	sdir=$STAGE/stress
	cd "$WORK"
else
	runner=(env "${envs[@]}" SBX="$SBX" SBX_NOHELPER="$SBX_NOHELPER" bash)
	sdir=$DIR
fi

echo "# stress ($MODE) as $( [ "$(id -u)" -eq 0 ] && echo "$TEST_USER" || id -un): ${sizes[*]}"
start=$(date +%s)
for s in "${SCRIPTS[@]}"; do
	echo "# stress: $s"
	set +e
	"${runner[@]}" "$sdir/$s" </dev/null 2>&1 | tee "$WORK/$s.tap"
	rc=${PIPESTATUS[0]}
	set -e
	count_tap "$WORK/$s.tap" "$rc" "stress: $s"
done
echo "# stress: $(($(date +%s) - start)) s"
echo "stress: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
