#!/usr/bin/env bash
# Run the unit tests, the integration suite, the escape suite
# (tests/security) and the short stress suite (tests/stress/run.sh short),
# print their TAP, and end with one line CI can read:
#     check: N passed, N failed, N skipped
#
# Called by `make check` as
#     SBX=/abs/path/to/sbx UNIT_TESTS="/abs/a /abs/b" tests/check.sh
#
# The integration and escape suites must run as an unprivileged user,
# because that is the only way sbx is used. Started as root (as CI is), this
# script creates the test user "sbxtest" (with subordinate id ranges) and runs
# bats as that user, from a copy of the binaries and of tests/ in a
# world-readable temp directory;
# it also runs the "without a subordinate range" tests as "sbxtest2", a user
# with no ranges. Started as a normal user, it runs bats directly.
#
# SBX_NOHELPER=/abs/path: optional build of sbx whose newuidmap/newgidmap
# paths do not exist, for the missing-helper fallback test.
# SBX_NOSLIRP=/abs/path: optional build of sbx whose slirp4netns path does
# not exist, for the missing-slirp4netns test.
# SBX_PROBE=/abs/path: the escape suite's probe (tests/security/probe.c,
# built as build/sbx-probe); without it the tests that need it fail.
# SBX_TEST_FILTER=REGEX passes --filter REGEX to bats.
# The tests reach the repository's shipped profiles (profiles/) by file path
# through SBX_PROFILES: the staged copy when started as root, else the
# repository's own directory.
set -euo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROFILES_DIR=$(cd "$TESTS_DIR/.." && pwd)/profiles
TEST_USER=sbxtest
TEST_USER_NO_SUBIDS=sbxtest2
FALLBACK_PHRASE='without a subordinate range'

: "${SBX:?SBX must be the absolute path of the sbx binary}"
UNIT_TESTS=${UNIT_TESTS:-}
SBX_NOHELPER=${SBX_NOHELPER:-}
SBX_NOSLIRP=${SBX_NOSLIRP:-}
SBX_PROBE=${SBX_PROBE:-}
SBX_TEST_FILTER=${SBX_TEST_FILTER:-}

case $SBX in
/*) ;;
*) SBX=$(cd "$(dirname "$SBX")" && pwd)/$(basename "$SBX") ;;
esac
case $SBX_PROBE in
/* | '') ;;
*) SBX_PROBE=$(cd "$(dirname "$SBX_PROBE")" && pwd)/$(basename "$SBX_PROBE") ;;
esac
if [ ! -x "$SBX" ]; then
	echo "check: $SBX is not an executable file" >&2
	exit 2
fi
for tool in bats runuser timeout; do
	if ! command -v "$tool" >/dev/null; then
		echo "check: $tool not found; run helpers/install-deps --test" >&2
		exit 2
	fi
done

passed=0
failed=0
skipped=0
# In /tmp, not $TMPDIR: the test users must reach the staged copy.
WORK=$(mktemp -d /tmp/sbx-check.XXXXXX)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

. "$TESTS_DIR/lib/tap.bash"

# Run "$@" with its output shown and kept in $WORK/$1.tap; return its status.
run_tap() {
	local name=$1 rc
	shift
	set +e
	"$@" </dev/null 2>&1 | tee "$WORK/$name.tap"
	rc=${PIPESTATUS[0]}
	set -e
	return "$rc"
}

# --- unit tests -------------------------------------------------------------

n=0
for exe in $UNIT_TESTS; do
	n=$((n + 1))
	echo "# unit: $exe"
	rc=0
	run_tap "unit$n" env CMOCKA_MESSAGE_OUTPUT=TAP "$exe" || rc=$?
	count_tap "$WORK/unit$n.tap" "$rc" "$exe"
done

# --- integration tests --------------------------------------------------------

filter_args=()
[ -z "$SBX_TEST_FILTER" ] || filter_args=(--filter "$SBX_TEST_FILTER")

# True if the user named $1 has a range in both /etc/subuid and /etc/subgid.
user_has_subids() {
	local uid
	uid=$(id -u "$1")
	grep -Eq "^($1|$uid):[0-9]+:[1-9]" /etc/subuid &&
		grep -Eq "^($1|$uid):[0-9]+:[1-9]" /etc/subgid
}

ensure_user() {
	local user=$1
	if ! id -u "$user" >/dev/null 2>&1; then
		useradd -m -s /bin/bash "$user"
	fi
	local home
	home=$(getent passwd "$user" | cut -d: -f6)
	[ -d "$home" ] || mkdir -p "$home"
	chown "$user:" "$home"
	# Leftovers of interrupted runs (not of a run going on now).
	find "$home" -mindepth 1 -maxdepth 1 -name 'proj.*' -mmin +120 -exec rm -rf {} +
}

# Run bats as user $1 over the given paths, from the staged copy.
run_bats_as() {
	local user=$1 home
	shift
	home=$(getent passwd "$user" | cut -d: -f6)
	local envs=(
		HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/bash
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
		LANG=C.UTF-8 SBX="$STAGE/sbx"
	)
	[ ! -x "$STAGE/sbx-nohelper" ] || envs+=(SBX_NOHELPER="$STAGE/sbx-nohelper")
	[ ! -x "$STAGE/sbx-noslirp" ] || envs+=(SBX_NOSLIRP="$STAGE/sbx-noslirp")
	[ ! -x "$STAGE/sbx-probe" ] || envs+=(SBX_PROBE="$STAGE/sbx-probe")
	[ ! -d "$STAGE/profiles" ] || envs+=(SBX_PROFILES="$STAGE/profiles")
	local v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS SBX_TEST_TIMEOUT_S SBX_TEST_FORCE_FUSE_OVERLAYFS; do
		[ -z "${!v:-}" ] || envs+=("$v=${!v}")
	done
	(cd "$STAGE" && runuser -u "$user" -- env -i "${envs[@]}" bats --tap "$@")
}

# The --overlay fallback (fuse-overlayfs, for kernels that refuse overlayfs
# in a user namespace) runs overlay.bats and diff.bats a second time, forced
# through it, where fuse-overlayfs is installed and /dev/fuse usable by $1.
# Elsewhere the skip is counted and said.
fuse_overlay_usable() {
	local why=
	if [ ! -x /usr/bin/fuse-overlayfs ]; then
		why="fuse-overlayfs is not installed (helpers/install-deps installs it)"
	elif [ "$(id -u)" -eq 0 ] && ! runuser -u "$1" -- test -r /dev/fuse -a -w /dev/fuse; then
		why="/dev/fuse is not usable by $1"
	elif [ "$(id -u)" -ne 0 ] && ! { [ -r /dev/fuse ] && [ -w /dev/fuse ]; }; then
		why="/dev/fuse is not usable by $1"
	fi
	[ -n "$why" ] || return 0
	echo "# check: --overlay through fuse-overlayfs not tested: $why"
	skipped=$((skipped + 1))
	return 1
}

if [ "$(id -u)" -eq 0 ]; then
	for f in /etc/subuid /etc/subgid; do
		[ -e "$f" ] || install -m 644 /dev/null "$f"
	done
	ensure_user "$TEST_USER"
	if ! user_has_subids "$TEST_USER"; then
		# The first range past all those given out, so no two users overlap.
		start=$(cat /etc/subuid /etc/subgid |
			awk -F: 'BEGIN { e = 200000 } NF == 3 && $2 + $3 > e { e = $2 + $3 } END { print e }')
		usermod --add-subuids "$start-$((start + 65535))" \
			--add-subgids "$start-$((start + 65535))" "$TEST_USER"
	fi
	ensure_user "$TEST_USER_NO_SUBIDS"
	uid2=$(id -u "$TEST_USER_NO_SUBIDS")
	sed -i -e "/^$TEST_USER_NO_SUBIDS:/d" -e "/^$uid2:/d" /etc/subuid /etc/subgid
	# slirp4netns opens /dev/net/tun as the user. udev makes it 0666 on a
	# normal host; some containers and minimal images leave it 0600, and then
	# no rootless network can start. Give it the mode udev would.
	if [ -c /dev/net/tun ] && ! runuser -u "$TEST_USER" -- test -r /dev/net/tun -a -w /dev/net/tun; then
		echo "# check: /dev/net/tun is not usable by $TEST_USER; setting mode 0666 as udev does"
		chmod 0666 /dev/net/tun
	fi
	# fuse-overlayfs opens /dev/fuse as the user; udev makes it 0666 on a
	# normal host, minimal images and some containers leave it 0600.
	if [ -c /dev/fuse ] && ! runuser -u "$TEST_USER" -- test -r /dev/fuse -a -w /dev/fuse ; then
		echo "# check: /dev/fuse is not usable by $TEST_USER; setting mode 0666 as udev does"
		chmod 0666 /dev/fuse
	fi

	# Root's home and the CI clone may be unreachable for the test users.
	STAGE=$WORK/stage
	mkdir -p "$STAGE"
	cp "$SBX" "$STAGE/sbx"
	cp -R "$TESTS_DIR/integration" "$TESTS_DIR/lib" "$STAGE/"
	mkdir -p "$STAGE/security"
	cp "$TESTS_DIR"/security/*.bats "$STAGE/security/"
	[ -z "$SBX_NOHELPER" ] || cp "$SBX_NOHELPER" "$STAGE/sbx-nohelper"
	[ -z "$SBX_NOSLIRP" ] || cp "$SBX_NOSLIRP" "$STAGE/sbx-noslirp"
	[ -z "$SBX_PROBE" ] || cp "$SBX_PROBE" "$STAGE/sbx-probe"
	[ ! -d "$PROFILES_DIR" ] || cp -R "$PROFILES_DIR" "$STAGE/profiles"
	chmod -R a+rX "$WORK"
	chmod 755 "$STAGE"/sbx*

	# One check only real root can make: root's own supplementary group 0
	# must not reach into the sandbox (it kept host root's group access).
	echo "# root: sbx started by real root"
	{
		echo "1..1"
		name="real root's supplementary group 0 gives no group access inside"
		if ! grep -Eq '^(root|0):[0-9]+:[1-9]' /etc/subuid; then
			echo "ok 1 $name # skip root has no subordinate range (helpers/install-deps gives it one)"
		else
			gdir=$(mktemp -d "$WORK/rootgroup.XXXXXX")
			echo secret >"$gdir/f"
			chmod 0640 "$gdir/f"
			if out=$(cd "$gdir" && setpriv --groups 0 -- timeout 60 "$SBX" run --net none \
				--cwd ro -- cat f 2>&1); then
				echo "not ok 1 $name"
				echo "# read a root:root 0640 file: $out"
			elif [[ $out == *"Permission denied"* ]]; then
				echo "ok 1 $name"
			else
				echo "not ok 1 $name"
				echo "# expected Permission denied, got: $out"
			fi
		fi
	} >"$WORK/root.tap"
	cat "$WORK/root.tap"
	count_tap "$WORK/root.tap" 0 "root check"

	echo "# integration: as $TEST_USER"
	rc=0
	run_tap integration run_bats_as "$TEST_USER" "${filter_args[@]}" "$STAGE/integration" || rc=$?
	count_tap "$WORK/integration.tap" "$rc" "integration suite"

	# The fallback tests, as a user with no subordinate range. Run them only
	# when no filter is set or the filter selects one of them.
	# (Other tests would fail as that user: they expect no fallback warning.)
	run_fallback=1
	if [ -n "$SBX_TEST_FILTER" ] &&
		! grep -o '@test ".*'"$FALLBACK_PHRASE"'.*"' "$STAGE"/integration/*.bats |
		sed 's/^[^"]*"//; s/"[^"]*$//' | grep -Eq -- "$SBX_TEST_FILTER"; then
		run_fallback=0
	fi
	if [ "$run_fallback" -eq 1 ]; then
		echo "# integration: as $TEST_USER_NO_SUBIDS (no subordinate range)"
		rc=0
		run_tap fallback run_bats_as "$TEST_USER_NO_SUBIDS" --filter "$FALLBACK_PHRASE" \
			"$STAGE/integration" || rc=$?
		count_tap "$WORK/fallback.tap" "$rc" "fallback suite"
	fi

	echo "# security: as $TEST_USER"
	rc=0
	run_tap security run_bats_as "$TEST_USER" "${filter_args[@]}" "$STAGE/security" || rc=$?
	count_tap "$WORK/security.tap" "$rc" "security suite"

	if fuse_overlay_usable "$TEST_USER"; then
		echo "# integration: --overlay through fuse-overlayfs, as $TEST_USER"
		rc=0
		SBX_TEST_FORCE_FUSE_OVERLAYFS=1 run_tap fuse run_bats_as "$TEST_USER" \
			"${filter_args[@]}" "$STAGE/integration/overlay.bats" \
			"$STAGE/integration/diff.bats" || rc=$?
		count_tap "$WORK/fuse.tap" "$rc" "fuse-overlayfs suite"
	fi
else
	echo "# integration: as $(id -un)"
	rc=0
	run_tap integration env SBX="$SBX" SBX_NOHELPER="$SBX_NOHELPER" SBX_NOSLIRP="$SBX_NOSLIRP" \
		SBX_PROFILES="$PROFILES_DIR" bats --tap "${filter_args[@]}" "$TESTS_DIR/integration" || rc=$?
	count_tap "$WORK/integration.tap" "$rc" "integration suite"

	echo "# security: as $(id -un)"
	rc=0
	run_tap security env SBX="$SBX" SBX_PROBE="$SBX_PROBE" bats --tap "${filter_args[@]}" "$TESTS_DIR/security" || rc=$?
	count_tap "$WORK/security.tap" "$rc" "security suite"

	if fuse_overlay_usable "$(id -un)"; then
		echo "# integration: --overlay through fuse-overlayfs, as $(id -un)"
		rc=0
		run_tap fuse env SBX="$SBX" SBX_TEST_FORCE_FUSE_OVERLAYFS=1 bats --tap "${filter_args[@]}" \
			"$TESTS_DIR/integration/overlay.bats" "$TESTS_DIR/integration/diff.bats" || rc=$?
		count_tap "$WORK/fuse.tap" "$rc" "fuse-overlayfs suite"
	fi
fi

# --- stress (short version; `make stress` runs the long one) ------------------
# tests/stress/run.sh stages its own copy and drops to $TEST_USER when root.
# It runs when no filter is set, or when the filter matches "stress".
if [ -z "$SBX_TEST_FILTER" ] || [[ stress =~ $SBX_TEST_FILTER ]]; then
	if [ "$(id -u)" -eq 0 ]; then stress_user=$TEST_USER; else stress_user=$(id -un); fi
	echo "# stress: as $stress_user"
	rc=0
	run_tap stress env SBX="$SBX" SBX_NOHELPER="$SBX_NOHELPER" SBX_STRESS_USER="$TEST_USER" \
		"$TESTS_DIR/stress/run.sh" short || rc=$?
	count_tap "$WORK/stress.tap" "$rc" "stress suite"
fi

total=$((passed + failed + skipped))
if [ "$total" -eq 0 ] || [ "$((passed + failed))" -eq 0 ]; then
	echo "# check: no test ran"
	failed=$((failed + 1))
fi
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
