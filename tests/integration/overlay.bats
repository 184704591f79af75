#!/usr/bin/env bats
# Copy-on-write overlays (--overlay DIR[:UPPER]): DIR appears at its own path,
# writes land in UPPER (as DESIGN.md says) or in a private tmpfs, and the
# host's DIR is never modified. The variable STATE below is UPPER. The
# end-to-end test at the bottom also uses `sbx diff`.

load ../lib/common

# tests/check.sh runs this file a second time through the fuse-overlayfs
# fallback (SBX_TEST_FORCE_FUSE_OVERLAYFS=1); the mounts then say so.
OVERLAY_FSTYPE=overlay
[ "${SBX_TEST_FORCE_FUSE_OVERLAYFS:-}" != 1 ] || OVERLAY_FSTYPE=fuse.fuse-overlayfs

setup() {
	common_setup
	# State directories live outside the project (a sibling of it, as the
	# shipped build profile puts them), so the sandbox cannot reach them
	# other than through the overlay. Named proj.* so check.sh cleans up
	# what an interrupted run leaves.
	STATES=$(mktemp -d "$HOME/proj.XXXXXX")
	STATE=$STATES/upper
	# Where sbx keeps overlayfs' work directory and DIR's path: beside UPPER.
	SIDE=$STATES/.upper.sbx-work
	printf 'kept\n' >"$PROJ/keep.txt"
	printf 'old\n' >"$PROJ/edit.txt"
	printf 'bye\n' >"$PROJ/gone.txt"
	mkdir "$PROJ/olddir" "$PROJ/sub"
	printf 'x\n' >"$PROJ/olddir/x"
	printf 'y\n' >"$PROJ/olddir/y"
	printf 'deep\n' >"$PROJ/sub/deep.txt"
	printf '#!/bin/sh\necho run\n' >"$PROJ/exec.sh"
	chmod 644 "$PROJ/exec.sh"
}

teardown() {
	cd /
	if [ -n "${STATES:-}" ] && [ -d "$STATES" ]; then
		chmod -R u+rwX "$STATES" 2>/dev/null || true
		rm -rf "$STATES" 2>/dev/null || true
	fi
	common_teardown
}

# The changes of the end-to-end tests: writes, an edit, a delete, a
# directory removed and re-created, a chmod, a symlink, a new directory.
CHANGES='
	echo new > new.txt
	mkdir newdir && echo n > newdir/n.txt
	echo changed >> edit.txt
	rm gone.txt
	rm -r olddir && mkdir olddir && echo z > olddir/z
	chmod 755 exec.sh
	ln -s keep.txt link'

# Skip when this build has no `sbx diff` yet.
require_sbx_diff() {
	local out
	out=$(sbx diff "$STATE" 2>&1) || true
	case $out in
	*"unknown command"*) skip "sbx diff is not available in this build" ;;
	esac
}

# The one line of `sbx diff` output ($output) for PATH, which must start with
# the letter $1: "A new.txt", "M edit.txt", "D gone.txt" (a "./" before the
# path is accepted).
assert_diff_line() {
	local letter=$1 path=$2
	if ! printf '%s\n' "$output" | grep -Eq "^${letter}[[:space:]]+(\./)?${path}/?\$"; then
		printf 'expected a line "%s %s" in sbx diff\n' "$letter" "$path" >&2
		_show_run
		return 1
	fi
}

@test "inside an overlay of my project I see its files and can change them" {
	run --separate-stderr sbx run --net none --overlay "$PROJ" sh -c '
		cat keep.txt
		echo new > new.txt && cat new.txt
		echo more >> edit.txt && cat edit.txt
		rm gone.txt && [ ! -e gone.txt ] && echo removed'
	assert_status 0
	assert_output "kept
new
old
more
removed"
}

@test "an overlay of my project leaves the host directory byte-identical" {
	local before inside
	before=$(tree_listing "$PROJ")
	run --separate-stderr sbx run --net none --overlay "$PROJ" sh -c "set -e; $CHANGES"'
		sh -c "$0" sh .' "$TREE_LISTING_SH"
	assert_status 0
	inside=$output
	# The script really changed what the sandbox saw...
	[ "$inside" != "$before" ] || fail "the changes were not visible inside"
	[[ "$inside" == *"./new.txt f"* ]] || fail "new.txt missing inside: $inside"
	# ...and none of it reached the host.
	assert_same_tree "$before" "$(tree_listing "$PROJ")"
}

@test "without an upper directory, the overlay's writes are gone after the run" {
	local tmp_before
	tmp_before=$(tmp_snapshot)
	run --separate-stderr sbx run --net none --overlay "$PROJ" sh -c 'echo one > scratch.txt; rm keep.txt'
	assert_status 0
	run --separate-stderr sbx run --net none --overlay "$PROJ" sh -c 'ls'
	assert_status 0
	assert_output "edit.txt
exec.sh
gone.txt
keep.txt
olddir
sub"
	[ ! -e "$PROJ/scratch.txt" ] || fail "scratch.txt reached the host"
	# Nothing left behind in the temp directories either.
	[ "$(tmp_snapshot)" = "$tmp_before" ] ||
		fail "left behind:" "$(comm -13 <(printf '%s\n' "$tmp_before") <(tmp_snapshot))"
}

@test "the overlay of my project is an overlayfs mounted at its own path" {
	run --separate-stderr sbx run --net none --overlay "$PROJ" sh -c '
		pwd
		findmnt -n -o FSTYPE --target "$0"' "$PROJ"
	assert_status 0
	assert_output "$PROJ
$OVERLAY_FSTYPE"
}

@test "the overlay replaces the read-write bind of my project: nothing I write reaches it" {
	run --separate-stderr sbx run --net none --overlay "$PROJ" sh -c '
		echo inside > keep.txt; touch new-file; mkdir new-dir; echo done'
	assert_status 0
	assert_output "done"
	[ "$(cat "$PROJ/keep.txt")" = kept ] || fail "keep.txt changed on the host"
	[ ! -e "$PROJ/new-file" ] && [ ! -e "$PROJ/new-dir" ] ||
		fail "a file created inside appeared on the host"
}

@test "with an upper directory, writes land in UPPER itself and are kept" {
	local real
	real=$(realpath "$PROJ")
	[ ! -e "$STATE" ]
	run --separate-stderr sbx run --net none --overlay "$PROJ:$STATE" sh -c 'echo from-inside > new.txt'
	assert_status 0
	[ -d "$STATE" ] || fail "$STATE was not created"
	[ -d "$SIDE" ] || fail "no $SIDE beside it"
	[ "$(stat -c %a "$SIDE")" = 700 ] || fail "$SIDE has mode $(stat -c %a "$SIDE"), expected 700"
	[ -d "$SIDE/work" ] || fail "no $SIDE/work"
	[ "$(cat "$SIDE/source")" = "$real" ] ||
		fail "$SIDE/source says '$(cat "$SIDE/source")', expected '$real'"
	[ "$(cat "$STATE/new.txt")" = from-inside ] || fail "new.txt is not in $STATE"
	[ "$(stat -c %u "$STATE/new.txt")" = "$(id -u)" ] ||
		fail "new.txt in the upper dir belongs to uid $(stat -c %u "$STATE/new.txt")"
	[ ! -e "$PROJ/new.txt" ] || fail "new.txt reached the host directory"
}

@test "a second run with the same upper directory continues where the first stopped" {
	run --separate-stderr sbx run --net none --overlay "$PROJ:$STATE" sh -c 'echo one > notes; rm gone.txt'
	assert_status 0
	run --separate-stderr sbx run --net none --overlay "$PROJ:$STATE" sh -c 'echo two >> notes; ls'
	assert_status 0
	assert_output "edit.txt
exec.sh
keep.txt
notes
olddir
sub"
	run --separate-stderr sbx run --net none --overlay "$PROJ:$STATE" cat notes
	assert_status 0
	assert_output "one
two"
	[ -e "$PROJ/gone.txt" ] && [ ! -e "$PROJ/notes" ] || fail "the host directory changed"
}

@test "an upper directory made for another directory is refused with 125" {
	local other marker
	other=$PROJ/sub
	run --separate-stderr sbx run --net none --overlay "$PROJ:$STATE" true
	assert_status 0
	marker=$PROJ/ran
	run --separate-stderr sbx run --net none --overlay "$other:$STATE" touch "$marker"
	assert_status 125
	assert_one_error_line
	[ ! -e "$marker" ] || fail "the command ran"
	[ "$(cat "$SIDE/source")" = "$(realpath "$PROJ")" ] || fail "$SIDE/source was changed"
}

@test "an overlay of a directory that does not exist exits 125 with one line naming it" {
	local missing=$PROJ/no-such-dir
	run --separate-stderr sbx run --net none --overlay "$missing" true
	assert_status 125
	assert_one_error_line "$missing"
	run --separate-stderr sbx run --net none --overlay "$missing:$STATE" true
	assert_status 125
	assert_one_error_line "$missing"
}

@test "several overlays at once each keep their own writes" {
	local other before_a before_b
	mkdir "$PROJ/a"
	printf 'in a\n' >"$PROJ/a/file"
	# One overlay below my project, one elsewhere in my (otherwise hidden) home.
	other=$STATES/b
	mkdir "$other"
	printf 'in b\n' >"$other/file"
	before_a=$(tree_listing "$PROJ/a")
	before_b=$(tree_listing "$other")
	run --separate-stderr sbx run --net none \
		--overlay "$PROJ/a:$STATES/sa" --overlay "$other:$STATES/sb" sh -c '
		cat "$0/file" "$1/file"
		echo A > "$0/new"; echo B > "$1/new"; rm "$0/file" "$1/file"
		findmnt -n -o FSTYPE --target "$0"; findmnt -n -o FSTYPE --target "$1"' \
		"$PROJ/a" "$other"
	assert_status 0
	assert_output "in a
in b
$OVERLAY_FSTYPE
$OVERLAY_FSTYPE"
	assert_same_tree "$before_a" "$(tree_listing "$PROJ/a")"
	assert_same_tree "$before_b" "$(tree_listing "$other")"
	[ "$(cat "$STATES/sa/new")" = A ] || fail "sa/new is not A"
	[ "$(cat "$STATES/sb/new")" = B ] || fail "sb/new is not B"
}

@test "an overlay named by a relative path appears at the directory's absolute path" {
	mkdir "$PROJ/tree"
	printf 'lower\n' >"$PROJ/tree/file"
	run --separate-stderr sbx run --net none --overlay "tree:$STATE" sh -c '
		cat "$0/file"; echo w > "$0/new"
		findmnt -n -o TARGET,FSTYPE --target "$0"' "$PROJ/tree"
	assert_status 0
	assert_output "lower
$(realpath "$PROJ/tree") $OVERLAY_FSTYPE"
	[ "$(cat "$SIDE/source")" = "$(realpath "$PROJ/tree")" ] ||
		fail "$SIDE/source says '$(cat "$SIDE/source")'"
	[ ! -e "$PROJ/tree/new" ] || fail "the write reached the host"
}

@test "an overlay named through a symlink is refused with one line asking for the real path" {
	mkdir "$PROJ/real"
	ln -s real "$PROJ/link"
	run --separate-stderr sbx run --net none --overlay "$PROJ/link:$STATE" touch ran
	assert_status 125
	assert_one_error_line "$PROJ/link"
	[ ! -e "$PROJ/ran" ] || fail "the command ran"
}

@test "inside an overlay, the directory keeps its own mode and owner" {
	mkdir "$PROJ/tree"
	chmod 750 "$PROJ/tree"
	local want
	want=$(stat -c '%a %u %g' "$PROJ/tree")
	run --separate-stderr sbx run --net none --overlay "$PROJ/tree" stat -c '%a %u %g' "$PROJ/tree"
	assert_status 0
	assert_output "$want"
	run --separate-stderr sbx run --net none --overlay "$PROJ/tree:$STATE" stat -c '%a %u %g' "$PROJ/tree"
	assert_status 0
	assert_output "$want"
}

@test "an overlay works with the slirp network too" {
	run --separate-stderr sbx run --overlay "$PROJ" sh -c 'echo inside > new.txt; cat new.txt'
	assert_status 0
	assert_output "inside"
	[ ! -e "$PROJ/new.txt" ] || fail "the write reached the host"
}

@test "I can delete the upper directory and its work directory after the run, whatever the run did" {
	run --separate-stderr sbx run --net none --overlay "$PROJ:$STATE" sh -c "set -e; $CHANGES"
	assert_status 0
	run rm -rf "$STATE" "$SIDE"
	assert_status 0
	[ ! -e "$STATE" ] || fail "$STATE is still there: $(find "$STATE" -ls 2>&1)"
	[ ! -e "$SIDE" ] || fail "$SIDE is still there: $(find "$SIDE" -ls 2>&1)"
}

@test "an upper directory inside the overlaid directory is refused with 125" {
	run --separate-stderr sbx run --net none --overlay "$PROJ:$PROJ/up" touch ran
	assert_status 125
	assert_one_error_line "must be outside"
	[ ! -e "$PROJ/ran" ] && [ ! -e "$PROJ/up" ] || fail "the command ran or UPPER was made"
}

@test "sbx diff lists what a run changed in the overlay, and --apply makes my directory match" {
	require_sbx_diff
	local before inside line
	before=$(tree_listing "$PROJ")
	run --separate-stderr sbx run --net none --overlay "$PROJ:$STATE" sh -c "set -e; $CHANGES"'
		sh -c "$0" sh .' "$TREE_LISTING_SH"
	assert_status 0
	inside=$output
	assert_same_tree "$before" "$(tree_listing "$PROJ")"

	run --separate-stderr sbx diff "$STATE"
	assert_status 0
	assert_diff_line A new.txt
	assert_diff_line A newdir/n.txt
	assert_diff_line M edit.txt
	assert_diff_line D gone.txt
	assert_diff_line D olddir/x
	assert_diff_line D olddir/y
	assert_diff_line A olddir/z
	assert_diff_line M exec.sh
	assert_diff_line A link
	# Nothing about what the run did not touch.
	while IFS= read -r line; do
		case $line in
		*keep.txt* | *sub*) fail "unexpected line in sbx diff: $line" ;;
		esac
	done <<<"$output"
	# Looking at the changes does not apply them.
	assert_same_tree "$before" "$(tree_listing "$PROJ")"

	run --separate-stderr sbx diff "$STATE" --apply "$PROJ"
	assert_status 0
	# The mode of the top directory itself has a test of its own above.
	assert_same_tree "$(grep -v '^\. ' <<<"$inside")" "$(tree_listing "$PROJ" | grep -v '^\. ')"
}

@test "the fuse-overlayfs daemon of the fallback is out of the payload's reach" {
	[ "${SBX_TEST_FORCE_FUSE_OVERLAYFS:-}" = 1 ] || skip "only through the fuse-overlayfs fallback"
	run --separate-stderr sbx run --net none --overlay "$PROJ" sh -c '
		pid=$(pgrep -x fuse-overlayfs) || { echo "no daemon"; exit 1; }
		ls "/proc/$pid/root/" >/dev/null 2>&1 && echo "its root is readable"
		readlink "/proc/$pid/fd/3" >/dev/null 2>&1 && echo "its descriptors can be followed"
		head -c1 "/proc/$pid/environ" >/dev/null 2>&1 && echo "its environment is readable"
		grep -E "^(CapEff|NoNewPrivs):" "/proc/$pid/status"
		echo done'
	assert_status 0
	# CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID: nothing more.
	assert_output "CapEff:	000000000000001f
NoNewPrivs:	1
done"
}
