#!/usr/bin/env bats
# The command line: version, help, option syntax, usage errors.

load ../lib/common

@test "sbx --version prints its name and version" {
	run --separate-stderr sbx --version
	assert_status 0
	[[ "$output" =~ ^sbx\ [0-9]+\.[0-9]+[^[:space:]]*$ ]] || fail "unexpected version line: '$output'"
}

@test "sbx --help prints the usage and exits 0" {
	run --separate-stderr sbx --help
	assert_status 0
	assert_output_contains "sbx run"
	assert_output_contains "--version"
}

@test "sbx run --help lists the options of run and exits 0" {
	run --separate-stderr sbx run --help
	assert_status 0
	local opt
	for opt in --user --net --hostname --bind --ro-bind --tmpfs --cwd --home \
		--workdir --env --clearenv; do
		assert_output_contains "$opt"
	done
}

@test "options stop at the first word that is not an option" {
	run --separate-stderr sbx run echo -n --user root --net none
	assert_status 0
	assert_output "--user root --net none"
}

@test "ls -l style arguments reach the command" {
	touch "$PROJ/listed-file"
	run --separate-stderr sbx run ls -1 -a
	assert_status 0
	assert_output "$(printf '.\n..\nlisted-file')"
}

@test "a double dash ends the options of run" {
	run --separate-stderr sbx run --hostname box -- sh -c 'echo "$(hostname) $*"' sh --user root
	assert_status 0
	assert_output "box --user root"
}

@test "an option takes its value as the next word or after =" {
	run --separate-stderr sbx run --hostname alpha hostname
	assert_status 0
	assert_output "alpha"
	run --separate-stderr sbx run --hostname=beta hostname
	assert_status 0
	assert_output "beta"
}

@test "an unknown option exits 125 with one line naming it" {
	run --separate-stderr sbx run --no-such-option true
	assert_status 125
	assert_one_error_line "--no-such-option"
	assert_output ""
}

@test "an option without its value exits 125 with one line" {
	run --separate-stderr sbx run --hostname
	assert_status 125
	assert_one_error_line "--hostname"
}

@test "a bad value for --user exits 125 with one line" {
	run --separate-stderr sbx run --user nobody-such true
	assert_status 125
	assert_one_error_line
}

@test "a bad size for --tmpfs exits 125 with one line" {
	run --separate-stderr sbx run --tmpfs /scratch:size=lots true
	assert_status 125
	assert_one_error_line
}

@test "a hostname longer than the kernel allows exits 125 with one line" {
	run --separate-stderr sbx run --hostname "$(printf 'h%.0s' {1..65})" true
	assert_status 125
	assert_one_error_line
}

@test "a bad value for --cwd exits 125 with one line" {
	run --separate-stderr sbx run --cwd sideways true
	assert_status 125
	assert_one_error_line
}

@test "run without a command exits 125 with one line" {
	run --separate-stderr sbx run
	assert_status 125
	assert_one_error_line
	run --separate-stderr sbx run --
	assert_status 125
	assert_one_error_line
	run --separate-stderr sbx run --hostname x
	assert_status 125
	assert_one_error_line
}

@test "an unknown subcommand exits 125 with one line" {
	run --separate-stderr sbx frobnicate
	assert_status 125
	assert_one_error_line "frobnicate"
}

@test "--tty auto without a terminal and --tty never run the command on my plain fds" {
	run --separate-stderr sbx run --tty auto -- sh -c 'echo auto'
	assert_status 0
	assert_output auto
	run --separate-stderr sbx run --tty=never -- sh -c 'echo never'
	assert_status 0
	assert_output never
}
