#!/usr/bin/env bash
# Packaging CI, run as root from the top of a clone (after `make check`,
# which creates the test user): builds the .deb (`make deb`, with lintian),
# installs it with apt-get, runs the installed /usr/bin/sbx as an
# unprivileged user with subordinate ids, removes and purges it and checks
# nothing is left; then builds the .rpm (`make rpm`, with rpmlint) and
# checks its files and requirements. The last line is "packaging: PASS" or
# "packaging: FAIL ..."; the exit status is non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec </dev/null

BUILD=${BUILD:-build}
TEST_USER=${SBX_TEST_USER:-sbxtest}
version=$(cat VERSION)
passed=0 failed=0

# dpkg's state of the sbx package: installed, config-files, ..., or empty.
pkg_state() { dpkg-query -W -f='${db:Status-Status}' sbx 2>/dev/null || true; }
# True if dpkg has anything of sbx (installed, or its configuration left).
pkg_present() {
	local state
	state=$(pkg_state)
	[ -n "$state" ] && [ "$state" != not-installed ]
}
# True if user $1 (uid $2) has a subordinate range in both files.
has_subids() {
	grep -Eq "^($1|$2):[0-9]+:[1-9]" /etc/subuid && grep -Eq "^($1|$2):[0-9]+:[1-9]" /etc/subgid
}

finish() {
	local rc=$?
	if [ -n "${cleanup_pkg:-}" ] && pkg_present; then
		echo "== cleanup: purging the sbx package this run installed"
		apt-get purge -y -q sbx >/dev/null || true
	fi
	[ -z "${proj:-}" ] || rm -rf "$proj"
	if [ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]; then
		echo "packaging: PASS ($passed checks)"
	else
		echo "packaging: FAIL ($passed passed, $failed failed$([ "$rc" -eq 0 ] || echo ", stopped with exit status $rc"))"
		[ "$rc" -ne 0 ] || exit 1
	fi
}
trap finish EXIT

# check DESCRIPTION COMMAND...: one "ok"/"FAIL" line; a failure is counted
# and the run goes on, so one run reports every broken check.
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
		passed=$((passed + 1))
	else
		echo "FAIL: $what"
		failed=$((failed + 1))
	fi
}

not() { ! "$@"; }

# Run a shell command line as the test user, in its project directory,
# with a clean environment as a login would give it.
as_user() {
	local home
	home=$(getent passwd "$TEST_USER" | cut -d: -f6)
	(cd "$proj" && runuser -u "$TEST_USER" -- env -i HOME="$home" USER="$TEST_USER" \
		LOGNAME="$TEST_USER" SHELL=/bin/bash LANG=C.UTF-8 \
		PATH=/usr/local/bin:/usr/bin:/bin sh -c "$1")
}

[ "$(id -u)" -eq 0 ] || { echo "packaging/ci.sh: run as root: it installs and removes the .deb" >&2; exit 1; }
if pkg_present; then
	echo "packaging/ci.sh: the sbx package is installed already ($(pkg_state)); purge it first" >&2
	exit 1
fi

echo "== packaging tools"
tools=(debhelper dh-apparmor dpkg-dev lintian rpm rpmlint apparmor libcap2-bin
	pkg-config libcap-dev libseccomp-dev libcmocka-dev)
missing=()
for p in "${tools[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "installing ${missing[*]}"
	install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}")
	"${install[@]}" || { apt-get update -q && "${install[@]}"; }
fi

echo "== test user $TEST_USER"
# As tests/check.sh makes it: a user with a subordinate id range past all
# those given out, and /dev/net/tun usable as udev would leave it.
id -u "$TEST_USER" >/dev/null 2>&1 || useradd -m -s /bin/bash "$TEST_USER"
for f in /etc/subuid /etc/subgid; do
	[ -e "$f" ] || install -m 644 /dev/null "$f"
done
uid=$(id -u "$TEST_USER")
if ! has_subids "$TEST_USER" "$uid"; then
	start=$(cat /etc/subuid /etc/subgid |
		awk -F: 'BEGIN { e = 200000 } NF == 3 && $2 + $3 > e { e = $2 + $3 } END { print e }')
	usermod --add-subuids "$start-$((start + 65535))" --add-subgids "$start-$((start + 65535))" "$TEST_USER"
fi
if [ -c /dev/net/tun ] && ! runuser -u "$TEST_USER" -- test -r /dev/net/tun -a -w /dev/net/tun; then
	echo "/dev/net/tun is not usable by $TEST_USER; setting mode 0666 as udev does"
	chmod 0666 /dev/net/tun
fi

echo "== make deb (with lintian)"
make BUILD="$BUILD" deb
debs=("$BUILD"/pkg/sbx_"$version"-*_*.deb)
check "make deb built ${debs[*]}" test -f "${debs[0]}"

echo "== install the .deb"
cleanup_pkg=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./${debs[0]}"
check "dpkg lists /usr/bin/sbx" sh -c 'dpkg -L sbx | grep -qx /usr/bin/sbx'
check "sbx --version is 'sbx $version'" test "$(/usr/bin/sbx --version)" = "sbx $version"

setid=$(dpkg -L sbx | while read -r f; do [ ! -f "$f" ] || find "$f" -maxdepth 0 -perm /6000; done)
check "no installed file is setuid or setgid${setid:+: $setid}" test -z "$setid"
caps=$(getcap /usr/bin/sbx || echo "getcap failed")
check "/usr/bin/sbx has no file capabilities${caps:+: $caps}" test -z "$caps"

if [ -e /etc/apparmor.d/abi/4.0 ]; then
	check "AppArmor 4: /etc/apparmor.d/sbx is the shipped profile" \
		cmp -s /usr/share/sbx/apparmor/sbx /etc/apparmor.d/sbx
else
	check "AppArmor < 4 (no abi/4.0): no /etc/apparmor.d/sbx, which could not be parsed" \
		test ! -e /etc/apparmor.d/sbx
fi

if has_subids root 0; then
	check "as root: sbx run -- true" /usr/bin/sbx run -- true
else
	echo "skip: as root: sbx run -- true (root has no subordinate range; sbx refuses to run as root without one)"
fi

echo "== installed sbx as $TEST_USER"
home=$(getent passwd "$TEST_USER" | cut -d: -f6)
proj=$(runuser -u "$TEST_USER" -- mktemp -d "$home/proj.pkgci.XXXXXX")
check "sbx run -- sh -c 'id -u; echo ok' prints $uid and ok" \
	test "$(as_user "sbx run -- sh -c 'id -u; echo ok'")" = "$uid"$'\n'"ok"
check "sbx run --net none -- true" as_user "sbx run --net none -- true"
check "sbx run --profile strict -- true (shipped profile)" as_user "sbx run --profile strict -- true"
profiles=$(as_user "sbx profiles" || true)
echo "$profiles"
for p in build net-build strict; do
	check "sbx profiles lists $p from /usr/share/sbx/profiles" \
		grep -Eq "^$p[[:space:]].*/usr/share/sbx/profiles/$p" <<<"$profiles"
done
check "sbx doctor exits 0" as_user "sbx doctor"
check "bash completion is installed and completes sbx" \
	bash -c '. /usr/share/bash-completion/completions/sbx && complete -p sbx >/dev/null'
if command -v man >/dev/null; then
	check "man sbx renders" sh -c 'MANPAGER=cat MANWIDTH=80 man sbx 2>/dev/null | grep -q "rootless sandbox"'
else
	echo "skip: man sbx (man-db is not installed)"
fi

echo "== remove and purge"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q sbx
check "after remove: /usr/bin/sbx is gone" test ! -e /usr/bin/sbx
check "after remove: /usr/share/sbx is gone" test ! -e /usr/share/sbx
[ ! -e /etc/apparmor.d/abi/4.0 ] ||
	check "after remove: /etc/apparmor.d/sbx is gone" test ! -e /etc/apparmor.d/sbx
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q sbx
cleanup_pkg=
check "after purge: dpkg -L sbx knows no files" sh -c '! dpkg -L sbx >/dev/null 2>&1'
check "after purge: dpkg has nothing of sbx" not pkg_present
left=$(ls -d /usr/bin/sbx /usr/share/sbx /usr/share/doc/sbx /usr/share/man/man1/sbx.1.gz \
	/usr/share/bash-completion/completions/sbx /etc/apparmor.d/sbx /etc/apparmor.d/local/sbx 2>/dev/null || true)
check "after purge: nothing of sbx is left${left:+: $left}" test -z "$left"

echo "== make rpm (with rpmlint)"
make BUILD="$BUILD" rpm
rpms=("$BUILD"/pkg/sbx-"$version"-*.rpm)
check "make rpm built ${rpms[*]}" test -f "${rpms[0]}"
files=$(rpm -qpl "${rpms[0]}")
for f in /usr/bin/sbx /usr/share/man/man1/sbx.1.gz /usr/share/bash-completion/completions/sbx \
	/usr/share/sbx/profiles/build /usr/share/sbx/profiles/net-build /usr/share/sbx/profiles/strict; do
	check "rpm -qpl lists $f" grep -qx "$f" <<<"$files"
done
requires=$(rpm -qpR "${rpms[0]}")
for r in shadow-utils slirp4netns /usr/bin/newuidmap /usr/bin/newgidmap; do
	check "rpm -qpR requires $r" grep -qx "$r" <<<"$requires"
done
modes=$(rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "${rpms[0]}" | grep -E '^...[sS]|^......[sS]' || true)
check "no file in the rpm is setuid or setgid${modes:+: $modes}" test -z "$modes"
fcaps=$(rpm -qp --qf '[%{FILECAPS}\n]' "${rpms[0]}" | grep -v '^$' || true)
check "no file in the rpm has file capabilities${fcaps:+: $fcaps}" test -z "$fcaps"
