#!/usr/bin/env bats
# Hosts that will not give sbx what it needs: each ends in exit 125 and one
# line naming the cause and the exact fix (README "Troubleshooting", sbx(1)
# DIAGNOSTICS). The hosts are made for real, inside user namespaces of the
# test's own (unshare), not faked with an override.

load ../lib/common

# Run "$@" as a normal user (uid $(id -u)) in a user namespace whose parent
# allows only one more user namespace: the one this makes for us uses it, so
# sbx's own clone is over the limit.
over_the_limit() {
	local me
	me=$(id -u)
	unshare -Ur sh -c 'echo 1 >/proc/sys/user/max_user_namespaces &&
		exec unshare -U --map-user="$0" --map-group="$0" "$@"' "$me" "$@"
}

# The last line of stderr (sbx may warn first, e.g. that it maps one id).
last_line() { printf '%s\n' "$stderr" | tail -n 1; }

@test "with the user-namespace limit reached, sbx run exits 125 naming user.max_user_namespaces" {
	run --separate-stderr over_the_limit "$SBX" run --net none true
	assert_status 125
	local line
	line=$(last_line)
	[[ $line == "sbx: create the sandbox's namespaces: "*"user.max_user_namespaces"*"is reached"* ]] ||
		fail "unexpected last line: $line"
	[[ $line == *"(end other sandboxes or containers, or raise user.max_user_namespaces)" ]] ||
		fail "no fix in: $line"
}

@test "with the network-namespace limit reached, sbx run exits 125 naming user.max_net_namespaces" {
	# pid 1 makes the network namespace itself, in the user namespace sbx
	# cloned; the limit of the parent namespace counts it.
	local me
	me=$(id -u)
	run --separate-stderr unshare -Ur sh -c 'echo 0 >/proc/sys/user/max_net_namespaces &&
		exec unshare -U --map-user="$0" --map-group="$0" "$@"' "$me" "$SBX" run --net none true
	assert_status 125
	local line
	line=$(last_line)
	[[ $line == "sbx: create the sandbox's mount, network, IPC and UTS namespaces: No space left on device (end other sandboxes or containers, or raise user.max_net_namespaces and user.max_mnt_namespaces)" ]] ||
		fail "unexpected last line: $line"
	[ "$(printf '%s\n' "$stderr" | grep -c '^sbx: create')" -eq 1 ] || fail "not one error line: $stderr"
}

@test "sbx doctor says the same, with FAIL and the fix, and exits 1" {
	run --separate-stderr over_the_limit "$SBX" doctor
	assert_status 1
	[[ $output == *"FAIL user namespaces: unshare(CLONE_NEWUSER): No space left on device; the limit of user namespaces"*"(fix: "* ]] ||
		fail "no FAIL line for user namespaces: $output"
}

@test "with user.max_user_namespaces=0, sbx run exits 125 with the sysctl that turns them on" {
	# Inside unshare -r sbx is uid 0, and uid 0 needs root's subordinate range.
	grep -Eq '^(root|0):[0-9]+:[1-9]' /etc/subuid || skip "root has no subordinate range here"
	run --separate-stderr unshare -Ur sh -c 'echo 0 >/proc/sys/user/max_user_namespaces &&
		cd / && exec "$0" run --net none true' "$SBX"
	assert_status 125
	local line
	line=$(last_line)
	[[ $line == *"user namespaces are switched off: user.max_user_namespaces is 0 (sudo sysctl -w user.max_user_namespaces=28633, and set it in /etc/sysctl.d/ to keep it)" ]] ||
		fail "unexpected last line: $line"
	[ "$(printf '%s\n' "$stderr" | grep -c '^sbx: create')" -eq 1 ] || fail "not one error line: $stderr"
}

@test "without /dev/net/tun, a networked run exits 125 suggesting --net none" {
	# /dev/net hidden under an empty tmpfs, then back to a normal user.
	run --separate-stderr unshare -Urm sh -c 'mount -t tmpfs none /dev/net &&
		exec unshare -U --map-user="$1" --map-group="$1" "$0" run true' "$SBX" "$(id -u)"
	assert_status 125
	local line
	line=$(last_line)
	[[ $line == "sbx: "*"/dev/net/tun"*"No such file or directory ("*"run with --net none)" ]] ||
		fail "unexpected last line: $line"
}

@test "the same sandbox without /dev/net/tun runs with --net none" {
	run --separate-stderr unshare -Urm sh -c 'mount -t tmpfs none /dev/net &&
		exec unshare -U --map-user="$1" --map-group="$1" "$0" run --net none echo ok' "$SBX" "$(id -u)"
	assert_status 0
	assert_output ok
}
