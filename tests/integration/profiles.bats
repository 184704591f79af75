#!/usr/bin/env bats
# --profile NAME|FILE: sbx options read from a file, one per line; the
# lookup of NAME; precedence against the command line; line-numbered
# errors; the shipped profiles; `sbx profiles`.

load ../lib/common

setup() {
	common_setup
	# My own profile directory, empty unless a test puts a profile there; no
	# test reads or writes the real ~/.config except the one that says so.
	export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
	MINE=$XDG_CONFIG_HOME/sbx/profiles
	mkdir -p "$MINE"
	P=$BATS_TEST_TMPDIR/p.profile
	HOME_PROFILE=
	HOME_CONFIG_MADE=
}

teardown() {
	[ -z "$HOME_PROFILE" ] || rm -f "$HOME_PROFILE"
	[ -z "$HOME_CONFIG_MADE" ] || rm -rf "$HOME_CONFIG_MADE"
	# The shipped build profiles keep their upper directory beside the
	# project, and sbx its work directory beside that.
	local d
	for d in "${PROJ:-}.sbx-overlay" "$(dirname "${PROJ:-/x}")/.$(basename "${PROJ:-x}").sbx-overlay.sbx-work"; do
		if [ -n "${PROJ:-}" ] && [ -d "$d" ]; then
			chmod -R u+rwX "$d" 2>/dev/null || true
			rm -rf "$d"
		fi
	done
	common_teardown
}

# The shipped profile named $1, by file path.
shipped() {
	[ -n "${SBX_PROFILES:-}" ] && [ -f "$SBX_PROFILES/$1" ] ||
		fail "no shipped profile '$1' (SBX_PROFILES='${SBX_PROFILES:-}')" || return 1
	printf '%s\n' "$SBX_PROFILES/$1"
}

@test "a profile's options apply to the run, in both --opt value and --opt=value forms" {
	printf '%s\n' '--net none' '--hostname=from-profile' '-e SBX_P1=one' '--env=SBX_P2=two' >"$P"
	run --separate-stderr sbx run --profile "$P" sh -c 'hostname; echo "$SBX_P1 $SBX_P2"; ls /sys/class/net'
	assert_status 0
	assert_output "from-profile
one two
lo"
}

@test "--profile=FILE works like --profile FILE" {
	printf '%s\n' '--net none' '--hostname from-profile' >"$P"
	run --separate-stderr sbx run --profile="$P" hostname
	assert_status 0
	assert_output "from-profile"
}

@test "comment lines and blank lines in a profile are ignored" {
	printf '%s\n' '# a profile for this test' '' '--net none' '#--hostname commented-out' \
		'' '   ' '--hostname kept' '# the end' >"$P"
	run --separate-stderr sbx run --profile "$P" hostname
	assert_status 0
	assert_output "kept"
}

@test "options after --profile on the command line override the profile's" {
	printf '%s\n' '--net none' '--hostname a' '-e SBX_P=profile' >"$P"
	run --separate-stderr sbx run --profile "$P" --hostname b -e SBX_P=cmdline sh -c 'hostname; echo "$SBX_P"'
	assert_status 0
	assert_output "b
cmdline"
}

@test "options before --profile on the command line are overridden by the profile's" {
	printf '%s\n' '--net none' '--hostname a' '-e SBX_P=profile' >"$P"
	run --separate-stderr sbx run --hostname b -e SBX_P=cmdline --profile "$P" sh -c 'hostname; echo "$SBX_P"'
	assert_status 0
	assert_output "a
profile"
}

@test "\${HOME} and \${PWD} are expanded in a profile" {
	printf '%s\n' '--net none' '-e SBX_H=${HOME}/x' '-e SBX_W=${PWD}' '--workdir ${PWD}/sub' >"$P"
	mkdir "$PROJ/sub"
	run --separate-stderr sbx run --profile "$P" sh -c 'echo "$SBX_H"; echo "$SBX_W"; pwd'
	assert_status 0
	assert_output "$HOME/x
$PROJ
$PROJ/sub"
}

@test "nothing else in a profile is interpreted: quotes, \$X, backslashes and ~ stay literal" {
	# shellcheck disable=SC2016
	printf '%s\n' '--net none' \
		'-e SBX_Q1="double"' \
		"-e SBX_Q2='single'" \
		'-e SBX_D1=$HOME' \
		'-e SBX_D2=${USER}' \
		'-e SBX_D3=$(id)' \
		'-e SBX_B=a\tb\\c' \
		'-e SBX_T=~/x' >"$P"
	run --separate-stderr sbx run --profile "$P" sh -c '
		for v in SBX_Q1 SBX_Q2 SBX_D1 SBX_D2 SBX_D3 SBX_B SBX_T; do
			printf "%s=" "$v"; printenv "$v"
		done'
	assert_status 0
	# shellcheck disable=SC2016
	assert_output 'SBX_Q1="double"
SBX_Q2='"'single'"'
SBX_D1=$HOME
SBX_D2=${USER}
SBX_D3=$(id)
SBX_B=a\tb\\c
SBX_T=~/x'
}

@test "a profile NAME is found in \$XDG_CONFIG_HOME/sbx/profiles" {
	printf '%s\n' '--net none' '--hostname from-xdg' >"$MINE/sbx-test-mine"
	run --separate-stderr sbx run --profile sbx-test-mine hostname
	assert_status 0
	assert_output "from-xdg"
}

@test "without XDG_CONFIG_HOME, a profile NAME is found in ~/.config/sbx/profiles" {
	local name
	name=sbx-test-$$-$RANDOM
	local d
	for d in "$HOME/.config" "$HOME/.config/sbx" "$HOME/.config/sbx/profiles"; do
		[ -e "$d" ] || { HOME_CONFIG_MADE=$d && break; }
	done
	mkdir -p "$HOME/.config/sbx/profiles"
	HOME_PROFILE=$HOME/.config/sbx/profiles/$name
	printf '%s\n' '--net none' '--hostname from-home-config' >"$HOME_PROFILE"
	unset XDG_CONFIG_HOME
	run --separate-stderr sbx run --profile "$name" hostname
	assert_status 0
	assert_output "from-home-config"
}

@test "my profile shadows a shipped profile of the same name" {
	printf '%s\n' '--net none' '--hostname mine' >"$MINE/build"
	run --separate-stderr sbx run --profile build hostname
	assert_status 0
	assert_output "mine"
	[ ! -e "$PROJ.sbx-overlay" ] || fail "the shipped build profile was used"
}

@test "a profile file named by a relative path with a slash is read from there" {
	printf '%s\n' '--net none' '--hostname relative' >"$PROJ/local-profile"
	# A NAME of the same name in my profile directory must not be taken.
	printf '%s\n' '--net none' '--hostname by-name' >"$MINE/local-profile"
	run --separate-stderr sbx run --profile ./local-profile hostname
	assert_status 0
	assert_output "relative"
}

@test "a profile line that is not an option exits 125 naming the file and line" {
	printf '%s\n' '# comment' '' 'hostname nope' '--net none' >"$P"
	run --separate-stderr sbx run --profile "$P" touch ran
	assert_status 125
	assert_one_error_line "$P:3:"
	[[ $stderr == *"expected an option"* ]] || fail "stderr: $stderr"
	[ ! -e "$PROJ/ran" ] || fail "the command ran"
}

@test "an unknown option in a profile exits 125 naming the file, line and option" {
	printf '%s\n' '--net none' '--bogus' '--hostname x' >"$P"
	run --separate-stderr sbx run --profile "$P" touch ran
	assert_status 125
	assert_one_error_line "$P:2: unknown option '--bogus'"
	[ ! -e "$PROJ/ran" ] || fail "the command ran"
}

@test "a bad value in a profile exits 125 naming the file and line" {
	printf '%s\n' '# net' '--net carrier-pigeon' >"$P"
	run --separate-stderr sbx run --profile "$P" touch ran
	assert_status 125
	assert_one_error_line "$P:2:"
	[ ! -e "$PROJ/ran" ] || fail "the command ran"
}

@test "an option missing its value in a profile exits 125 naming the file and line" {
	printf '%s\n' '--net none' '--hostname' >"$P"
	run --separate-stderr sbx run --profile "$P" touch ran
	assert_status 125
	assert_one_error_line "$P:2:"
	[ ! -e "$PROJ/ran" ] || fail "the command ran"
}

@test "a missing profile exits 125 naming it" {
	run --separate-stderr sbx run --profile sbx-no-such-profile true
	assert_status 125
	assert_one_error_line "sbx-no-such-profile"
	run --separate-stderr sbx run --profile "$BATS_TEST_TMPDIR/no-such-file" true
	assert_status 125
	assert_one_error_line "$BATS_TEST_TMPDIR/no-such-file"
}

@test "a profile inside a profile is refused with 125" {
	local inner=$BATS_TEST_TMPDIR/inner.profile
	printf '%s\n' '--hostname inner' >"$inner"
	printf '%s\n' '--net none' "--profile $inner" >"$P"
	run --separate-stderr sbx run --profile "$P" touch ran
	assert_status 125
	assert_one_error_line "$P:2:"
	[ ! -e "$PROJ/ran" ] || fail "the command ran"
}

@test "the shipped build profile runs true with no network and my project behind an overlay" {
	local p
	p=$(shipped build) || return 1
	run --separate-stderr sbx run --profile "$p" true
	assert_status 0
	run --separate-stderr sbx run --profile "$p" sh -c '
		ls /sys/class/net; echo built > artifact; findmnt -n -o FSTYPE --target .'
	assert_status 0
	assert_output "lo
overlay"
	[ ! -e "$PROJ/artifact" ] || fail "the build wrote into my project"
	[ "$(cat "$PROJ.sbx-overlay/artifact")" = built ] ||
		fail "the build's output is not in $PROJ.sbx-overlay"
}

@test "the shipped net-build profile runs true with a network and my project behind an overlay" {
	local p
	p=$(shipped net-build) || return 1
	run --separate-stderr sbx run --profile "$p" sh -c '
		ls /sys/class/net | grep -vx lo | grep -c .; echo built > artifact; true'
	assert_status 0
	assert_output "1"
	[ ! -e "$PROJ/artifact" ] || fail "the build wrote into my project"
	[ "$(cat "$PROJ.sbx-overlay/artifact")" = built ] ||
		fail "the build's output is not in $PROJ.sbx-overlay"
}

@test "the shipped strict profile runs true with no project, an empty home and no network" {
	local p
	p=$(shipped strict) || return 1
	echo secret >"$PROJ/host-file"
	run --separate-stderr sbx run --profile "$p" true
	assert_status 0
	run --separate-stderr sbx run --profile "$p" sh -c '
		pwd; ls -A "$HOME"; ls /sys/class/net; [ -e "$0/host-file" ] && echo visible; true' "$PROJ"
	assert_status 0
	assert_output "$HOME
lo"
}

@test "sbx profiles lists my profiles first as NAME<TAB>PATH, each name once" {
	printf '%s\n' '--net none' >"$MINE/build"
	printf '%s\n' '--net none' >"$MINE/sbx-test-only-mine"
	run --separate-stderr sbx profiles
	assert_status 0
	local line name path n=0 seen_other=0 names=()
	while IFS= read -r line; do
		n=$((n + 1))
		[[ $line == *$'\t'* ]] || fail "line $n is not NAME<TAB>PATH: '$line'"
		name=${line%%$'\t'*}
		path=${line#*$'\t'}
		[ -f "$path" ] || fail "line $n names a file that does not exist: '$line'"
		[ "$(basename "$path")" = "$name" ] || fail "line $n: '$name' is not the file's name: '$line'"
		if [[ $path == "$MINE/"* ]]; then
			[ "$seen_other" -eq 0 ] || fail "my profile comes after another: '$line'"
		else
			seen_other=1
		fi
		names+=("$name")
	done <<<"$output"
	[[ $output == *$'build\t'"$MINE/build"* ]] || fail "my build profile is not listed:" "$output"
	[[ $output == *$'sbx-test-only-mine\t'"$MINE/sbx-test-only-mine"* ]] ||
		fail "sbx-test-only-mine is not listed:" "$output"
	[ -z "$(printf '%s\n' "${names[@]}" | sort | uniq -d)" ] || fail "a name is listed twice:" "$output"
}
