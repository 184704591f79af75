# Facts about processes and the caller, and waiting for them, shared by the bats suites (through
# common.bash) and the stress suite (tests/stress/lib.bash). Plain bash.

# First subordinate range of the caller in FILE (/etc/subuid or /etc/subgid),
# matched by user name or numeric uid as shadow does (both files are keyed by
# the user, not the group). Prints "START COUNT".
subid_range() {
	local file=$1 name
	name=$(id -un)
	[ -r "$file" ] || return 1
	awk -F: -v n="$name" -v i="$(id -u)" '
		/^[ \t]*#/ { next }
		NF == 3 && ($1 == n || $1 == i) && $3 > 0 { print $2, $3; found = 1; exit }
		END { exit !found }' "$file"
}

# True once process $1 is gone or a zombie (an orphan may wait a while for a
# reaper that is slow or absent in a container; it runs no more either way).
pid_gone() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 0
	[ -z "$st" ] || [ "$st" = Z ]
}

# True if process $1 belongs to me: its real or effective uid is mine or one
# of my subordinate ids (slirp4netns becomes root of the sandbox's user
# namespace, so its effective uid is the first id of my range).
pid_is_mine() {
	local uids range start=-1 count=0 u
	uids=$(awk '$1 == "Uid:" { print $2, $3 }' "/proc/$1/status" 2>/dev/null) || return 1
	if range=$(subid_range /etc/subuid); then
		read -r start count <<<"$range"
	fi
	for u in $uids; do
		[ "$u" -eq "$(id -u)" ] && return 0
		[ "$u" -ge "$start" ] && [ "$u" -lt $((start + count)) ] && return 0
	done
	return 1
}

# slirp4netns processes of mine whose sandbox is gone, one "PID ARGS" line
# each: slirp4netns is started as "slirp4netns [OPTIONS] PID tap0", and a
# live one whose PID no longer runs serves nobody. Those of other sandboxes that still run (another test
# run of the same user) are not counted.
orphan_slirps() {
	local pid args target
	for pid in $(pgrep -x slirp4netns); do
		pid_gone "$pid" && continue
		pid_is_mine "$pid" || continue
		mapfile -d '' -t args <"/proc/$pid/cmdline" 2>/dev/null || continue
		[ "${#args[@]}" -ge 3 ] || continue
		target=${args[${#args[@]} - 2]}
		[[ $target =~ ^[0-9]+$ ]] || continue
		pid_gone "$target" && echo "$pid ${args[*]}"
	done
	return 0
}

# Wait up to $1 tenths of a second for the command in "$@" to succeed.
wait_until() {
	local tenths=$1 i=0
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -le "$tenths" ] || return 1
		sleep 0.1
	done
}
