#!/usr/bin/env bats
# What sbx must not hand the payload by accident: descriptors, paths that
# lead out of the new root, symlinks planted by an earlier run, core dumps,
# secrets in the environment.

load ../lib/common

@test "descriptors 7 and 8 I leave open do not leak inside" {
	require_probe
	# Control: the probe sees them outside.
	run "$SBX_PROBE" fds 7</dev/null 8>"$PROJ/eight"
	[[ " ${output#fds: } " == *" 7 8 "* ]] || fail "control: fds 7 and 8 not open outside: $output"
	run_probe -- fds 7</dev/null 8>"$PROJ/eight"
	assert_status 0
	assert_output "fds: 0 1 2"
	run_probe --user root -- fds 7</dev/null 8>"$PROJ/eight"
	assert_status 0
	assert_output "fds: 0 1 2"
}

@test "-w under /proc is refused with 125 and one line (CVE-2024-21626)" {
	local dir
	for dir in /proc/self/fd /proc/self/cwd /proc/1/cwd /proc /proc/self/root; do
		run --separate-stderr sbx run --net none -w "$dir" true
		assert_status 125
		assert_one_error_line "$dir"
		assert_output ""
	done
}

@test "the working directory inside is always reachable from the new root" {
	run --separate-stderr sbx run --net none sh -c 'pwd -P; readlink /proc/self/cwd'
	assert_status 0
	assert_output "$PROJ
$PROJ"
	run --separate-stderr sbx run --net none -w /tmp sh -c 'pwd -P; readlink /proc/self/cwd'
	assert_status 0
	assert_output "/tmp
/tmp"
}

@test "core dumps are off inside" {
	# Raise my own soft limit first, so the 0 inside is sbx's doing.
	run --separate-stderr bash -c 'ulimit -S -c "$(ulimit -H -c)" 2>/dev/null
		echo "outside $(ulimit -c)"
		exec timeout --kill-after=5 "$1" "$2" run --net none sh -c "ulimit -c"' \
		bash "$SBX_TEST_TIMEOUT_S" "$SBX"
	assert_status 0
	[ "$(head -n1 <<<"$output")" != "outside 0" ] ||
		echo "# my hard core limit is 0, so this shows nothing of sbx" >&3
	[ "$(tail -n1 <<<"$output")" = 0 ] || fail "core limit inside:" "$output"
}

@test "a symlink planted in my project cannot redirect a bind to my secrets" {
	mkdir "$PROJ/secret" "$PROJ/work"
	echo "private key" >"$PROJ/secret/id_ed25519"
	# What an earlier run inside could leave in the shared directory.
	ln -s "$PROJ/secret/id_ed25519" "$PROJ/work/config"
	ln -s "$PROJ/secret" "$PROJ/work/cache"
	local opt src
	for opt in --bind --ro-bind; do
		for src in "$PROJ/work/config" "$PROJ/work/cache"; do
			run --separate-stderr sbx run --net none --cwd none "$opt" "$src:/data" cat /data/id_ed25519 /data
			assert_status 125
			assert_one_error_line "$src"
			[[ "${stderr,,}" == *symlink* || "${stderr,,}" == *"symbolic link"* ]] ||
				fail "the error does not say it is a symlink: $stderr"
			assert_output ""
		done
	done
}

@test "a bind source whose path passes through a symlink is refused" {
	mkdir -p "$PROJ/secret/sub" "$PROJ/work"
	echo "token" >"$PROJ/secret/sub/token"
	ln -s "$PROJ/secret" "$PROJ/work/link"
	local src
	for src in "$PROJ/work/link/sub" "$PROJ/work/link/sub/token"; do
		run --separate-stderr sbx run --net none --cwd none --ro-bind "$src:/data" true
		assert_status 125
		assert_one_error_line
		[[ "${stderr,,}" == *symlink* || "${stderr,,}" == *"symbolic link"* ]] ||
			fail "the error does not say it is a symlink: $stderr"
	done
	# Control: the same directory by its real path binds.
	run --separate-stderr sbx run --net none --cwd none --ro-bind "$PROJ/secret/sub:/data" cat /data/token
	assert_status 0
	assert_output "token"
}

@test "SBX_CANARY, SSH_AUTH_SOCK and DBUS_SESSION_BUS_ADDRESS do not reach the payload" {
	SBX_CANARY=chirp SSH_AUTH_SOCK=/tmp/agent.sock \
		DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1/bus \
		run --separate-stderr sbx run --net none env
	assert_status 0
	assert_output_lacks "SBX_CANARY"
	assert_output_lacks "SSH_AUTH_SOCK"
	assert_output_lacks "DBUS_SESSION_BUS_ADDRESS"
	assert_output_lacks "chirp"
	# Control: named explicitly, it does reach it.
	SBX_CANARY=chirp run --separate-stderr sbx run --net none -e SBX_CANARY printenv SBX_CANARY
	assert_status 0
	assert_output "chirp"
}

@test "the payload has no controlling terminal" {
	run_probe -- open_read /dev/tty
	assert_status 0
	assert_output "open_read: ENXIO"
	run --separate-stderr sbx run --net none sh -c 'ps -o sid= -p $$; ps -o tty= -p $$' </dev/null
	assert_status 0
	# Its own session (not pid 1's 1, not mine), and no terminal.
	local sid
	sid=$(head -n1 <<<"$output" | tr -d ' ')
	[ "$sid" -ne 1 ] || fail "the payload shares pid 1's session"
	[ "$(tail -n1 <<<"$output" | tr -d ' ')" = "?" ] || fail "a controlling terminal: $output"
}
