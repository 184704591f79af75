#!/usr/bin/env bats
# The environment policy (DESIGN.md §4): a short allow-list, -e, --clearenv.

load ../lib/common

# Run sbx with exactly the environment given before "--", plus what a
# sanitizer build of sbx needs for itself.
sbx_with_env() {
	local envs=()
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	local v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!v:-}" ] || envs+=("$v=${!v}")
	done
	timeout --kill-after=5 "$SBX_TEST_TIMEOUT_S" env -i "${envs[@]}" "$SBX" "$@"
}

KEPT=(
	PATH=/usr/local/bin:/usr/bin:/bin
	TERM=xterm-sbx-test
	LANG=C.UTF-8
	LC_TIME=C
	LC_MESSAGES=C.UTF-8
	TZ=UTC
	SHELL=/bin/sh
)

kept_env() {
	printf '%s\n' "${KEPT[@]}" "HOME=$HOME" "USER=$(id -un)" "LOGNAME=$(id -un)"
}

@test "a canary variable from my environment does not arrive" {
	SBX_CANARY=tweet-tweet run --separate-stderr sbx run env
	assert_status 0
	assert_output_contains "PATH="
	assert_output_lacks "SBX_CANARY"
	assert_output_lacks "tweet-tweet"
}

@test "tokens and session sockets are dropped" {
	run --separate-stderr sbx_with_env "${KEPT[@]}" HOME="$HOME" \
		SSH_AUTH_SOCK=/tmp/agent.sock DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/bus \
		DISPLAY=:0 GITHUB_TOKEN=ghp_canary AWS_SECRET_ACCESS_KEY=canary \
		LD_PRELOAD=/nonexistent.so -- run env
	assert_status 0
	local v
	for v in SSH_AUTH_SOCK DBUS_SESSION_BUS_ADDRESS DISPLAY GITHUB_TOKEN AWS_SECRET_ACCESS_KEY LD_PRELOAD; do
		assert_output_lacks "$v="
	done
}

@test "PATH, TERM, LANG, LC_*, TZ, HOME, USER, LOGNAME and SHELL are kept and nothing else" {
	run --separate-stderr sbx_with_env "${KEPT[@]}" HOME="$HOME" USER="$(id -un)" LOGNAME="$(id -un)" \
		CANARY=1 EDITOR=vi -- run /usr/bin/env
	assert_status 0
	output=$(sort <<<"$output")
	assert_output "$(kept_env | sort)"
}

@test "-e and --env set variables inside" {
	run --separate-stderr sbx run -e FOO=bar --env BAZ=qux --env=WITH_EQ=a=b -e EMPTY= \
		sh -c 'printf "%s|%s|%s|%s|%s\n" "$FOO" "$BAZ" "$WITH_EQ" "${EMPTY-unset}" "${EMPTY+set}"'
	assert_status 0
	assert_output "bar|qux|a=b||set"
}

@test "-e overrides a variable I have" {
	TZ=UTC run --separate-stderr sbx run -e TZ=Asia/Tokyo -e HOME=/elsewhere sh -c 'echo "$TZ $HOME"'
	assert_status 0
	assert_output "Asia/Tokyo /elsewhere"
}

@test "--clearenv starts from nothing but -e" {
	run --separate-stderr sbx run --clearenv -e ONLY=this /usr/bin/env
	assert_status 0
	assert_output "ONLY=this"
}

@test "--clearenv alone gives an empty environment" {
	run --separate-stderr sbx run --clearenv /usr/bin/env
	assert_status 0
	assert_output ""
}

@test "HOME inside is my home" {
	run --separate-stderr sbx run sh -c 'echo "$HOME"'
	assert_status 0
	assert_output "$HOME"
}
