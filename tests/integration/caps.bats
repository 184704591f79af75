#!/usr/bin/env bats
# --cap-add CAP: the payload keeps that one capability, scoped to the
# sandbox's user namespace (DESIGN.md section 2), in every set so that it
# survives the exec; nothing else changes: no_new_privs and seccomp stay.

load ../lib/common

# CAP_NET_ADMIN is bit 12, CAP_CHOWN bit 0, CAP_SYS_ADMIN bit 21.
CAPS='grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status'

@test "without --cap-add the payload has no capability at all" {
	run --separate-stderr sbx run --net none sh -c "$CAPS"
	assert_status 0
	assert_output "CapInh:	0000000000000000
CapPrm:	0000000000000000
CapEff:	0000000000000000
CapBnd:	0000000000000000
CapAmb:	0000000000000000
NoNewPrivs:	1"
}

@test "--cap-add CAP_NET_ADMIN keeps exactly that one, in every set, with no_new_privs" {
	run --separate-stderr sbx run --net none --cap-add CAP_NET_ADMIN sh -c "$CAPS"
	assert_status 0
	assert_output "CapInh:	0000000000001000
CapPrm:	0000000000001000
CapEff:	0000000000001000
CapBnd:	0000000000001000
CapAmb:	0000000000001000
NoNewPrivs:	1"
}

@test "with CAP_NET_ADMIN the payload may change its own network, without it not" {
	run --separate-stderr sbx run --net none --cap-add NET_ADMIN sh -c \
		'ip link set lo mtu 1280 && cat /sys/class/net/lo/mtu'
	assert_status 0
	assert_output 1280
	run --separate-stderr sbx run --net none sh -c 'ip link set lo mtu 1280'
	[ "$status" -ne 0 ] || fail "changed the MTU without the capability"
	[[ $stderr == *"Operation not permitted"* ]] || fail "unexpected: $stderr"
}

@test "--cap-add takes CAP_X, cap_x and X, and accumulates" {
	run --separate-stderr sbx run --net none --cap-add cap_chown --cap-add NET_ADMIN \
		--cap-add CAP_SYS_ADMIN sh -c 'grep ^CapEff: /proc/self/status'
	assert_status 0
	assert_output "CapEff:	0000000000201001"
}

@test "--cap-add works for --user root as well, and keeps nothing more" {
	run --separate-stderr sbx run --net none --user root --cap-add CHOWN sh -c "$CAPS"
	assert_status 0
	assert_output "CapInh:	0000000000000001
CapPrm:	0000000000000001
CapEff:	0000000000000001
CapBnd:	0000000000000001
CapAmb:	0000000000000001
NoNewPrivs:	1"
}

@test "a capability kept is the namespace's: CAP_SYS_ADMIN still cannot mount (seccomp)" {
	run --separate-stderr sbx run --net none --cap-add CAP_SYS_ADMIN sh -c \
		'grep ^CapEff: /proc/self/status; mount -t tmpfs none /tmp && echo mounted'
	[[ $output == "CapEff:	0000000000200000" ]] || fail "unexpected output: $output"
	[ "$status" -ne 0 ] || fail "mount worked"
}

@test "an unknown or malformed capability name exits 125 with one line" {
	local name
	for name in BOGUS cap_ '' CAP_NET-ADMIN 'CAP_NET_ADMIN ' "$(printf 'x%.0s' $(seq 100))"; do
		run --separate-stderr sbx run --net none --cap-add "$name" true
		assert_status 125
		[ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "not one line for '$name': $stderr"
		[[ $stderr == "sbx: --cap-add "*"not a capability name"* ]] ||
			fail "unexpected for '$name': $stderr"
	done
}
