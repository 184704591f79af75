#!/usr/bin/env bats
# Who the payload is: id maps (keep, root, UID[:GID], the single-id
# fallback), file ownership on the host, capabilities, no_new_privs.

load ../lib/common

ZERO_CAPS=$'CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000'

@test "my uid and gid inside are my own by default" {
	run --separate-stderr sbx run sh -c 'id -u; id -g'
	assert_status 0
	assert_output "$(id -u)
$(id -g)"
}

@test "--user keep is the default" {
	run --separate-stderr sbx run --user keep sh -c 'id -u; id -g; cat /proc/self/uid_map'
	assert_status 0
	local keep=$output
	run --separate-stderr sbx run sh -c 'id -u; id -g; cat /proc/self/uid_map'
	assert_status 0
	assert_output "$keep"
}

@test "a file I create in my project belongs to me on the host" {
	run --separate-stderr sbx run sh -c 'echo made > made-inside'
	assert_status 0
	[ "$(stat -c %u:%g "$PROJ/made-inside")" = "$(id -u):$(id -g)" ]
	[ "$(cat "$PROJ/made-inside")" = made ]
}

@test "a file of mine in the project is mine inside too" {
	echo host >"$PROJ/from-host"
	run --separate-stderr sbx run stat -c %u:%g from-host
	assert_status 0
	assert_output "$(id -u):$(id -g)"
}

@test "the uid map follows the keep-id layout around my uid" {
	require_subids
	local s n
	read -r s n < <(subid_range /etc/subuid)
	run --separate-stderr sbx run cat /proc/self/uid_map
	assert_status 0
	output=$(normalize_map <<<"$output")
	assert_output "$(keep_id_map "$(id -u)" "$s" "$n")"
}

@test "the gid map follows the keep-id layout around my gid" {
	require_subids
	local s n
	read -r s n < <(subid_range /etc/subgid)
	run --separate-stderr sbx run cat /proc/self/gid_map
	assert_status 0
	output=$(normalize_map <<<"$output")
	assert_output "$(keep_id_map "$(id -g)" "$s" "$n")"
}

@test "--user root makes me uid 0 and gid 0 inside" {
	run --separate-stderr sbx run --user root sh -c 'id -u; id -g'
	assert_status 0
	assert_output "0
0"
}

@test "--user root maps my uid to 0 and my range from 1" {
	require_subids
	local s n
	read -r s n < <(subid_range /etc/subuid)
	run --separate-stderr sbx run --user root cat /proc/self/uid_map
	assert_status 0
	output=$(normalize_map <<<"$output")
	assert_output "0 $(id -u) 1
1 $s $n"
	read -r s n < <(subid_range /etc/subgid)
	run --separate-stderr sbx run --user root cat /proc/self/gid_map
	assert_status 0
	output=$(normalize_map <<<"$output")
	assert_output "0 $(id -g) 1
1 $s $n"
}

@test "a file root creates inside belongs to me on the host" {
	run --separate-stderr sbx run --user root touch made-by-root
	assert_status 0
	[ "$(stat -c %u:%g "$PROJ/made-by-root")" = "$(id -u):$(id -g)" ]
}

@test "--user UID:GID runs the payload as that uid and gid" {
	require_subids
	# -w /: my project directory is mode 700, closed to another uid.
	run --separate-stderr sbx run --user 1234:2345 -w / sh -c 'id -u; id -g'
	assert_status 0
	assert_output "1234
2345"
}

@test "--user UID alone uses the same number for the gid" {
	require_subids
	run --separate-stderr sbx run --user 4321 -w / sh -c 'id -u; id -g'
	assert_status 0
	assert_output "4321
4321"
}

@test "--user with an id outside the mapped range exits 125" {
	local n=0
	if have_subids; then read -r _ n < <(subid_range /etc/subuid); fi
	run --separate-stderr sbx run --user "$((n + 1000))" true
	assert_status 125
	assert_one_error_line
	run --separate-stderr sbx run --user "0:$((n + 1000))" true
	assert_status 125
	assert_one_error_line
}

@test "the payload has no capabilities" {
	run --separate-stderr sbx run grep ^Cap /proc/self/status
	assert_status 0
	assert_output "$ZERO_CAPS"
}

@test "the payload has no capabilities even as root inside" {
	run --separate-stderr sbx run --user root grep ^Cap /proc/self/status
	assert_status 0
	assert_output "$ZERO_CAPS"
}

@test "the payload runs with no_new_privs" {
	run --separate-stderr sbx run grep ^NoNewPrivs /proc/self/status
	assert_status 0
	assert_output $'NoNewPrivs:\t1'
}

@test "root inside cannot change its uid to another mapped id" {
	require_subids
	# no CAP_SETUID: setpriv needs it to switch identity.
	run -127 --separate-stderr sbx run --user root setpriv --reuid 1000 --regid 1000 --clear-groups id -u
	[ "$status" -ne 0 ] || fail "setpriv succeeded inside the sandbox: $output"
	assert_output ""
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "unexpected error: $stderr"
}

@test "when newuidmap is missing sbx falls back to a single-id map and warns" {
	[ -n "${SBX_NOHELPER:-}" ] || skip "SBX_NOHELPER (a build whose helpers do not exist) is not set"
	require_subids
	run --separate-stderr timeout 60 "$SBX_NOHELPER" run sh -c 'id -u; cat /proc/self/uid_map; cat /proc/self/setgroups'
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	[ "${lines[0]}" = "$(id -u)" ] || fail "uid inside: ${lines[0]}"
	[ "$(normalize_map <<<"${lines[1]}")" = "$(id -u) $(id -u) 1" ] || fail "uid_map: ${lines[1]}"
	[ "${lines[2]}" = deny ] || fail "setgroups: ${lines[2]}"
	[ "${#lines[@]}" -eq 3 ] || fail "unexpected output: $output"
	[ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one warning line, got: $stderr"
	[[ "$stderr" == *newuidmap*uidmap* ]] || fail "warning does not name the helper and the fix: $stderr"
}

# check.sh runs the tests below as a user without any subordinate range.

@test "without a subordinate range sbx falls back to a single-id map and warns" {
	require_no_subids
	run --separate-stderr sbx run sh -c 'id -u; id -g; cat /proc/self/uid_map; cat /proc/self/setgroups'
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	[ "${lines[0]}" = "$(id -u)" ] || fail "uid inside: ${lines[0]}"
	[ "${lines[1]}" = "$(id -g)" ] || fail "gid inside: ${lines[1]}"
	[ "$(normalize_map <<<"${lines[2]}")" = "$(id -u) $(id -u) 1" ] || fail "uid_map: ${lines[2]}"
	[ "${lines[3]}" = deny ] || fail "setgroups: ${lines[3]}"
	[ "${#lines[@]}" -eq 4 ] || fail "unexpected output: $output"
	[ "$(printf '%s\n' "$stderr" | grep -c '')" -eq 1 ] || fail "expected one warning line, got: $stderr"
	[[ "$stderr" == *"usermod --add-subuids"* ]] || fail "warning lacks the fix: $stderr"
}

@test "without a subordinate range --user root still maps me to 0" {
	require_no_subids
	run --separate-stderr sbx run --user root sh -c 'id -u; cat /proc/self/uid_map'
	assert_status 0
	[ "$(head -n1 <<<"$output")" = 0 ] || fail "uid inside: $output"
	[ "$(tail -n +2 <<<"$output" | normalize_map)" = "0 $(id -u) 1" ] || fail "uid_map: $output"
	[[ "$stderr" == *"usermod --add-subuids"* ]] || fail "warning lacks the fix: $stderr"
}

@test "without a subordinate range files I create still belong to me" {
	require_no_subids
	run --separate-stderr sbx run touch fallback-file
	assert_status 0
	[ "$(stat -c %u:%g "$PROJ/fallback-file")" = "$(id -u):$(id -g)" ]
}
