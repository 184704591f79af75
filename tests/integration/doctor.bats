#!/usr/bin/env bats
# sbx doctor: one line per check, the exact fix for every FAIL, exit 0 when
# sbx can run with its defaults.  The SBX_DOCTOR_* variables are test-only
# overrides that doctor alone honours.

load ../lib/common

every_line_is_a_verdict() {
	local line
	while IFS= read -r line; do
		[[ "$line" =~ ^(OK\ \ \ |FAIL\ |INFO\ ) ]] || fail "not an OK/FAIL/INFO line: '$line'"
	done <<<"$output"
}

@test "sbx doctor passes on a host set up for sbx" {
	require_subids
	run --separate-stderr sbx doctor
	assert_status 0
	every_line_is_a_verdict
	assert_output_lacks "FAIL"
	[[ "$output" =~ (^|$'\n')OK\ +user\ namespaces ]] || fail "no OK line for user namespaces"
	[[ "$output" =~ (^|$'\n')OK\ +subordinate\ uids ]] || fail "no OK line for subordinate uids"
	[[ "$output" =~ (^|$'\n')OK\ +subordinate\ gids ]] || fail "no OK line for subordinate gids"
	[[ "$output" =~ (^|$'\n')OK\ +newuidmap ]] || fail "no OK line for newuidmap"
	[[ "$output" =~ (^|$'\n')OK\ +newgidmap ]] || fail "no OK line for newgidmap"
	[[ "$output" =~ (^|$'\n')OK\ +slirp4netns[^$'\n']*[0-9]+\.[0-9]+ ]] ||
		fail "no OK line with a version for slirp4netns"
	[[ "$output" =~ (^|$'\n')OK\ +/dev/net/tun ]] || fail "no OK line for /dev/net/tun"
	[[ "$output" =~ (^|$'\n')OK\ +seccomp ]] || fail "no OK line for seccomp"
	[[ "$output" =~ (^|$'\n')INFO\ +cgroup ]] || fail "no INFO line for cgroup v2"
	[[ "$output" =~ (^|$'\n')INFO\ +overlayfs ]] || fail "no INFO line for overlayfs"
}

@test "sbx doctor fails with the usermod fix when the caller has no subordinate ids" {
	: >"$PROJ/subuid"
	SBX_DOCTOR_SUBUID="$PROJ/subuid" run --separate-stderr sbx doctor
	assert_status 1
	every_line_is_a_verdict
	[[ "$output" =~ (^|$'\n')FAIL\ subordinate\ uids[^$'\n']*sudo\ usermod\ --add-subuids ]] ||
		fail "no FAIL line with the usermod fix"
}

@test "sbx doctor fails with the uidmap fix when newuidmap is missing" {
	SBX_DOCTOR_NEWUIDMAP=/nonexistent run --separate-stderr sbx doctor
	assert_status 1
	every_line_is_a_verdict
	[[ "$output" =~ (^|$'\n')FAIL\ newuidmap\ at\ /nonexistent[^$'\n']*uidmap ]] ||
		fail "no FAIL line naming newuidmap with the uidmap fix"
}

@test "sbx doctor fails with the install fix when slirp4netns is missing" {
	SBX_DOCTOR_SLIRP4NETNS=/nonexistent run --separate-stderr sbx doctor
	assert_status 1
	every_line_is_a_verdict
	[[ "$output" =~ (^|$'\n')FAIL\ slirp4netns\ at\ /nonexistent[^$'\n']*install\ slirp4netns ]] ||
		fail "no FAIL line with the slirp4netns fix"
}

@test "sbx doctor leaves no temporary directory behind" {
	local before after
	before=$(ls -d /tmp/sbx-doctor.* 2>/dev/null | wc -l)
	run --separate-stderr sbx doctor
	after=$(ls -d /tmp/sbx-doctor.* 2>/dev/null | wc -l)
	[ "$before" -eq "$after" ] || fail "doctor left $((after - before)) /tmp/sbx-doctor.* behind"
}
