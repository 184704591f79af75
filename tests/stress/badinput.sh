#!/usr/bin/env bash
# Bad input: every option of `sbx run --help` (and of sbx diff, profiles,
# doctor) with a missing, empty, overlong (64 KiB), non-UTF-8 and negative
# value; malformed profile files; malformed subordinate id files (through
# sbx doctor's test-only SBX_DOCTOR_SUBUID/SBX_DOCTOR_SUBGID). Each must
# give a clear outcome: 125 with one "sbx: " line (or 0 where the value is
# legitimately fine, said per case), never a crash, a hang or a sanitizer
# report.
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

LONG=$(head -c 65536 /dev/zero | tr '\0' a)
NONUTF=$'\xff\xfe\x80'

# Options that take a value, by their names in `sbx run --help`.
VALUE_OPTS=(--user --net -p --publish --mtu --hostname --bind --ro-bind --tmpfs --cwd --home
	-w --workdir -e --env --tty --seccomp --cap-add --timeout --kill-after --rlimit --memory --pids
	--cpus --json-status-fd --overlay --rootfs --profile)
# Options that take none.
FLAG_OPTS=(--allow-host-loopback --clearenv --allow-userns --print-seccomp --stats --rootfs-rw
	-v --verbose -h --help -t)

# The corpus must follow `sbx run --help`: a new option gets its cases here.
help_covered() {
	local opt listed missing=""
	sx run --help
	[ "$RC" -eq 0 ] || { show_last && return 1; }
	listed=$(grep -oE '(^|[ ,])--?[a-z][a-z-]*' "$T_OUT" | sed 's/^[ ,]*//' | sort -u)
	for opt in $listed; do
		[[ " ${VALUE_OPTS[*]} ${FLAG_OPTS[*]} " == *" $opt "* ]] || missing+=" $opt"
	done
	[ -z "$missing" ] || fail "options of 'sbx run --help' with no bad-input cases:$missing"
}
t "every option of 'sbx run --help' has bad-input cases here" help_covered

# Values that are legitimately fine, as "OPTION KIND" -> why:
#   --hostname neg: '-1' is a valid hostname (letters, digits, '-', '.').
#   -e/--env long|nonutf|neg: "-e KEY" passes KEY from the caller's
#     environment; a KEY that is not set there is simply not passed, so the
#     run goes on (as with env(1), any byte string names an unset variable).
legit() {
	case "$1 $2" in
	"--hostname neg" | "-e long" | "-e nonutf" | "-e neg" | "--env long" | "--env nonutf" | "--env neg")
		return 0
		;;
	esac
	return 1
}

# run_case OPT KIND: sbx run --net none with OPT's bad value, then `true`.
run_case() {
	local opt=$1 kind=$2 want=125
	case $kind in
	missing) sx run --net none "$opt" ;;
	empty) sx run --net none "$opt" "" true ;;
	eqempty) sx run --net none "$opt=" true ;;
	long) sx run --net none "$opt" "$LONG" true ;;
	nonutf) sx run --net none "$opt" "$NONUTF" true ;;
	neg) sx run --net none "$opt" -1 true ;;
	esac
	! legit "$opt" "$kind" || want=0
	expect_status "$want"
}

for opt in "${VALUE_OPTS[@]}"; do
	for kind in missing empty eqempty long nonutf neg; do
		t "sbx run $opt with a $kind value" run_case "$opt" "$kind"
	done
done

# Options without a value, given one with '=': 125. (-t VALUE is not a
# value: VALUE is the COMMAND, see below.)
flag_value() {
	sx run --net none "$1=x" true
	expect_status 125
}
for opt in "${FLAG_OPTS[@]}"; do
	t "sbx run $opt=x (takes no value)" flag_value "$opt"
done

# "-t X": X is the command. Empty or missing: 125; '-1': an unknown option,
# 125; 64 KiB of 'a': not executable (ENAMETOOLONG), 126, or not found,
# 127; non-UTF-8: not found, 127. Each with one line.
tty_command() {
	sx run --net none -t "$@"
	expect_status "125 126 127"
}
t "sbx run -t (no command)" tty_command
t "sbx run -t '' (empty command)" tty_command ""
t "sbx run -t <64 KiB command>" tty_command "$LONG"
t "sbx run -t <non-UTF-8 command>" tty_command "$NONUTF"
t "sbx run -t -1" tty_command -1

# --cap-add: a real name works, anything else is 125 with one line.
cap_add() {
	sx run --net none --cap-add "$1" true
	expect_status "$2"
}
t "sbx run --cap-add CAP_NET_RAW" cap_add CAP_NET_RAW 0
t "sbx run --cap-add <64 KiB>" cap_add "$LONG" 125
t "sbx run --cap-add <non-UTF-8>" cap_add "$NONUTF" 125

# Option names themselves, and the top-level command line.
words() {
	local want=$1
	shift
	sx "$@"
	expect_status "$want"
}
t "sbx run --<non-UTF-8> true" words 125 run "--$NONUTF" true
t "sbx run -<non-UTF-8> true" words 125 run "-$NONUTF" true
t "sbx run --<64 KiB> true" words 125 run "--$LONG" true
t "sbx run --net none -- (no command)" words 125 run --net none --
t "sbx run --net none '' (empty command)" words 125 run --net none ''
t "sbx (no subcommand)" words 125
t "sbx ''" words 125 ''
t "sbx <64 KiB>" words 125 "$LONG"
t "sbx <non-UTF-8>" words 125 "$NONUTF"
t "sbx -1" words 125 -1
t "sbx --version=x" words 125 --version=x
# Extra words after --help are ignored: the help is what was asked for.
t "sbx --help x" words "0 125" --help x

# sbx diff STATE [--json] | STATE --apply DIR [--dry-run]
mkdir -p "$PROJ/notstate/upper"
for v in "" "$LONG" "$NONUTF" -1; do
	case $v in "") k=empty ;; -1) k=negative ;; "$LONG") k=64KiB ;; *) k=non-UTF-8 ;; esac
	t "sbx diff STATE ($k)" words 125 diff "$v"
	t "sbx diff STATE --json ($k STATE)" words 125 diff "$v" --json
	t "sbx diff notstate --apply ($k DIR)" words 125 diff notstate --apply "$v"
	t "sbx diff notstate --apply ($k DIR) --dry-run" words 125 diff notstate --apply "$v" --dry-run
done
t "sbx diff (no STATE)" words 125 diff
t "sbx diff --json (no STATE)" words 125 diff --json
t "sbx diff --json=x" words 125 diff --json=x
t "sbx diff notstate --apply (no DIR)" words 125 diff notstate --apply
t "sbx diff notstate --dry-run (no --apply)" words 125 diff notstate --dry-run
t "sbx diff notstate (not a state directory)" words 125 diff notstate
t "sbx diff a b (extra argument)" words 125 diff a b
t "sbx diff --<64 KiB>" words 125 diff "--$LONG"

# sbx profiles, sbx doctor: no arguments.
for v in "" "$LONG" "$NONUTF" -1; do
	case $v in "") k=empty ;; -1) k=negative ;; "$LONG") k=64KiB ;; *) k=non-UTF-8 ;; esac
	t "sbx profiles <$k argument>" words 125 profiles "$v"
	t "sbx doctor <$k argument>" words 125 doctor "$v"
done
# Odd profile directories are not errors: nothing is found there.
odd_env_profiles() {
	local v
	for v in "" "$LONG" "$NONUTF" relative; do
		XDG_CONFIG_HOME=$v sx profiles
		expect_status 0 || return 1
		HOME=$v sx profiles
		expect_status "0 125" || return 1
	done
}
t "sbx profiles with odd \$XDG_CONFIG_HOME and \$HOME" odd_env_profiles

# --- malformed profiles ------------------------------------------------------

PD=$(mktemp -d "$PROJ/profiles.XXXXXX")
mkprof() { printf -- "$2" >"$PD/$1"; }
# Fine (0): empty, comments only, CRLF line ends (the CR is blank space),
# blank space around an option, a tab between option and value, no final
# newline.
mkprof empty ''
mkprof comments '# only\n\n   \n#x\n'
mkprof crlf '--net none\r\n'
mkprof space '  --net none  \n'
mkprof tab '--net\tnone\n'
mkprof nonl '--net none'
# Malformed (125).
mkprof unknown '--bogus\n'
mkprof missing '--net\n'
mkprof nul '--net\0none\n'
mkprof nonutf '--hostname \xff\xfe\n'
mkprof self "--profile $PD/self\n"
mkprof a "--profile $PD/b\n"
mkprof b "--profile $PD/a\n"
mkprof dollar '--hostname ${\n'
mkprof dollar2 '--hostname ${NOPE}\n'
mkprof dollar3 '--bind ${HOME\n'
mkprof command 'true\n'
mkprof dashdash '--\n'
mkprof eqempty '--net=\n'
mkprof twoopts '--net none --hostname x\n'
mkprof quote '--hostname "x y"\n'
mkprof negative '--mtu -1\n'
mkprof negtimeout '--timeout -5\n'
printf -- '--hostname %s\n' "$LONG" >"$PD/longline"
printf -- '--env %s\n' "$LONG" >"$PD/longenv"
yes -- '--net none' | head -n 100000 >"$PD/manylines"
head -c 1048576 /dev/zero | tr '\0' a >"$PD/huge"
cp /bin/true "$PD/binary"
head -c 70000 /dev/urandom >"$PD/random"
head -c 2000 /dev/urandom | tr -d '\0' >"$PD/smallrandom"
mkdir "$PD/dir"
ln -s "$PD/loop1" "$PD/loop2"
ln -s "$PD/loop2" "$PD/loop1"
mkprof noperm '--net none\n'
chmod 000 "$PD/noperm"

profile_case() {
	sx run --net none --profile "$2" true
	expect_status "$1"
}
for f in empty comments crlf space tab nonl; do
	t "profile '$f' is fine" profile_case 0 "$PD/$f"
done
for f in unknown missing nul nonutf self a dollar dollar2 dollar3 command dashdash eqempty twoopts \
	quote negative negtimeout longline longenv manylines huge binary random smallrandom dir loop1 \
	noperm nonexistent; do
	t "malformed profile '$f': 125 with one line" profile_case 125 "$PD/$f"
done
for f in /dev/null /dev/zero /dev/urandom /proc/self/environ / /etc/shadow; do
	t "profile $f: 125 with one line" profile_case 125 "$f"
done

# A FIFO as the profile must not block sbx in open(2) (it once did):
# 125 "not a regular file", as for /dev/zero.
fifo_profile() {
	local fifo=$PD/fifo
	mkfifo "$fifo"
	SBX_TIMEOUT_S=5 sx run --net none --profile "$fifo" true
	expect_status 125
}
t "profile FIFO: 125 with one line, no hang" fifo_profile

# --- malformed subordinate id files (sbx doctor) -----------------------------

SD=$(mktemp -d "$PROJ/subid.XXXXXX")
U=$(id -un)
mksub() { printf -- "$2" >"$SD/$1"; }
# Ranges sbx run would use: doctor says OK.
mksub ok "$U:231072:65536\n"
mksub nonl "$U:231072:65536"
mksub byuid "$ME:231072:65536\n"
mksub dup "$U:231072:65536\n$U:300000:65536\n"
{
	head -c 65536 /dev/zero | tr '\0' x
	printf ':1:2\n%s:231072:65536\n' "$U"
} >"$SD/longname"
# No usable range: doctor says FAIL (exit 1).
mksub alpha "$U:abc:65536\n"
mksub short "$U:100000\n"
mksub empties "$U::\n"
mksub neg "$U:-1:65536\n"
mksub negcount "$U:100000:-5\n"
mksub zero "$U:100000:0\n"
mksub overflow "$U:4294967295:65536\n"
mksub wrap "$U:4294967000:65536\n"
mksub huge "$U:99999999999999999999999:65536\n"
mksub nul "$U:231072\0:65536\n"
mksub nonutf "$U\xff:231072:65536\n\xff\xfe\n"
mksub blank '\n\n\n'
mksub empty ''
mksub extra "$U:231072:65536:extra\n"
mksub comment "# $U:231072:65536\n"
printf '%s:%s:65536\n' "$U" "$(head -c 65536 /dev/zero | tr '\0' 1)" >"$SD/longnum"
{
	printf '%s:231072:' "$U"
	head -c 65536 /dev/zero | tr '\0' 9
	echo
} >"$SD/longcount"
head -c 65536 /dev/urandom >"$SD/random"
mkdir "$SD/dir"
# Ranges sbx run refuses (src/userns.c userns_layout: "contains host id 0"
# / "contains your own id"), so a default run cannot work: FAIL.
mksub hostroot "$U:0:65536\n"
mksub ownuid "$U:$((ME - 1)):65536\n"

# doctor_subid FILE WANT: WANT is OK or FAIL for both subordinate lines.
doctor_subid() {
	SBX_DOCTOR_SUBUID=$1 SBX_DOCTOR_SUBGID=$1 sx doctor
	local bad
	bad=$(bad_outcome)
	[ -z "$bad" ] || { echo "$bad" && show_last && return 1; }
	[ ! -s "$T_ERR" ] || { echo "expected nothing on stderr" && show_last && return 1; }
	local n
	n=$(grep -cE "^$2 +subordinate (uids|gids)" "$T_OUT")
	if [ "$n" -ne 2 ]; then
		echo "expected '$2' for subordinate uids and gids"
		grep -i subordinate "$T_OUT"
		return 1
	fi
	if [ "$2" = FAIL ] && [ "$RC" -ne 1 ]; then
		echo "expected exit 1 after a FAIL line, got $RC"
		return 1
	fi
	[ "$RC" -eq 0 ] || [ "$RC" -eq 1 ] || { echo "doctor exited $RC" && return 1; }
}
for f in ok nonl byuid dup longname; do
	t "doctor with subid file '$f': OK" doctor_subid "$SD/$f" OK
done
for f in alpha short empties neg negcount zero overflow wrap huge nul nonutf blank empty extra \
	comment longnum longcount random dir nonexistent; do
	t "doctor with malformed subid file '$f': FAIL, exit 1" doctor_subid "$SD/$f" FAIL
done
# Ranges sbx run refuses with 125: doctor must say FAIL too (it once said OK).
t "doctor with a range holding host id 0: FAIL" doctor_subid "$SD/hostroot" FAIL
t "doctor with a range holding my own uid: FAIL" doctor_subid "$SD/ownuid" FAIL

t_done
