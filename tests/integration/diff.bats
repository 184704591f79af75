#!/usr/bin/env bats
# sbx diff UPPER: what a run with --overlay DIR:UPPER changed, and --apply.
# The state is made here as sbx run would leave it, by kernel overlayfs in a
# user namespace (userxattr), so whiteouts, opaque directories and copy-ups
# are the real thing.  With SBX_TEST_FORCE_FUSE_OVERLAYFS=1 (tests/check.sh
# runs this file a second time so) fuse-overlayfs makes it instead, as sbx
# run's fallback would, marker file included.

load ../lib/common

setup() {
	common_setup
	# UPPER is "st"; sbx keeps overlayfs' work directory and DIR's path
	# beside it, in .st.sbx-work.
	mkdir -p src st .st.sbx-work/work mnt
	realpath src >.st.sbx-work/source
	if [ "${SBX_TEST_FORCE_FUSE_OVERLAYFS:-}" = 1 ]; then
		: >.st.sbx-work/fuse-overlayfs
		return
	fi
	# An unprivileged overlay mount needs Linux 5.11; without it there is
	# nothing of the kind to test.
	unshare -rm sh -c 'mount -t overlay overlay -o lowerdir=src,upperdir=st,workdir=.st.sbx-work/work,userxattr mnt && umount mnt' ||
		skip "overlayfs cannot be mounted in a user namespace here"
}

# A listing with modes, link targets and checksums of directory $PWD.
LISTING='find . -mindepth 1 -printf "%p %y %m %l\n" | LC_ALL=C sort; find . -type f -exec sha256sum {} + | LC_ALL=C sort'

# Run shell code $1 in the merged view (lower src, upper st), then unmount.
in_overlay() {
	if [ "${SBX_TEST_FORCE_FUSE_OVERLAYFS:-}" = 1 ]; then
		# fusermount3 is setuid and not ours to use: unmount with umount.
		unshare -rm sh -c 'fuse-overlayfs -o "lowerdir=$1,upperdir=$2,workdir=$3" "$4" || exit 99
			cd "$4" && sh -c "$5"; rc=$?; cd / && umount "$4"; exit $rc' \
			sh "$PROJ/src" "$PROJ/st" "$PROJ/.st.sbx-work/work" "$PROJ/mnt" "$1"
		return
	fi
	unshare -rm sh -c 'mount -t overlay overlay -o "lowerdir=$1,upperdir=$2,workdir=$3,userxattr" "$4" || exit 99
		cd "$4" && sh -c "$5"; rc=$?; cd / && umount "$4"; exit $rc' \
		sh "$PROJ/src" "$PROJ/st" "$PROJ/.st.sbx-work/work" "$PROJ/mnt" "$1"
}

listing() { (cd "$1" && sh -c "$LISTING"); }

# A project with a bit of everything, and a run that changes a bit of everything.
make_changes() {
	mkdir -p src/d/sub src/keep src/tfile
	echo a >src/f
	echo b >src/d/x
	echo c >src/d/sub/y
	echo g >src/g
	echo h >src/h
	echo same >src/same
	echo t >src/tdir
	echo q >src/tfile/q
	echo k >src/keep/k
	ln -s g src/ln
	in_overlay '
		rm f && rm -rf d && mkdir d && echo new >d/z &&
		chmod 600 g && echo more >>h && touch same && cat same >/dev/null &&
		rm tdir && mkdir tdir && echo in >tdir/in &&
		rm -rf tfile && ln -s g tfile && ln -sfn h ln &&
		echo n >new && mkdir nd && echo 1 >nd/1'
}

@test "diff lists added, modified, deleted and retyped entries, sorted by path" {
	make_changes
	run --separate-stderr sbx diff st
	assert_status 0
	assert_stderr_empty
	assert_output "D d/sub
D d/sub/y
D d/x
A d/z
D f
M g
M h
M ln
A nd
A nd/1
A new
T tdir
A tdir/in
T tfile
D tfile/q"
}

@test "a chmod alone is a modification, a copy-up without a change is none" {
	echo x >src/a
	echo y >src/b
	mkdir src/dd
	in_overlay 'chmod 700 a && touch b && chmod 700 dd'
	run --separate-stderr sbx diff st
	assert_status 0
	assert_output "M a
M dd"
}

@test "a directory removed and re-created hides all it held (opaque)" {
	mkdir -p src/d/deep/er
	echo 1 >src/d/one
	echo 2 >src/d/deep/er/two
	echo 3 >src/d/kept
	in_overlay 'rm -rf d && mkdir d && echo 3 >d/kept && echo 4 >d/four'
	run --separate-stderr sbx diff st
	assert_status 0
	assert_output "D d/deep
D d/deep/er
D d/deep/er/two
A d/four
D d/one"
}

@test "no changes: nothing printed, exit 0" {
	echo x >src/a
	in_overlay 'cat a >/dev/null'
	run --separate-stderr sbx diff st
	assert_status 0
	assert_output ""
	assert_stderr_empty
}

@test "--json prints one object per change that python3 parses, odd names included" {
	make_changes
	in_overlay 'printf x >"q\"uo\\te
nl" && printf x >"$(printf "lat\351n")"'
	run --separate-stderr sbx diff st --json
	assert_status 0
	run python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin.read().splitlines()]
for r in rows:
    assert set(r) == {"change", "path", "type"}, r
got = [(r["change"], r["path"], r["type"]) for r in rows]
want = [("D", "d/sub", "dir"), ("D", "d/sub/y", "file"), ("D", "d/x", "file"),
        ("A", "d/z", "file"), ("D", "f", "file"), ("M", "g", "file"), ("M", "h", "file"),
        ("A", "lat\u00e9n", "file"),
        ("M", "ln", "symlink"), ("A", "nd", "dir"), ("A", "nd/1", "file"), ("A", "new", "file"),
        ("A", "q\"uo\\te\nnl", "file"),
        ("T", "tdir", "dir"), ("A", "tdir/in", "file"), ("T", "tfile", "symlink"),
        ("D", "tfile/q", "file")]
assert got == want, got
print("ok")' <<<"$output"
	assert_output ok
}

@test "--apply makes DIR match the merged view of the overlay" {
	make_changes
	mkdir -p src/ro/in
	echo r >src/ro/in/r
	in_overlay 'echo s >ro/in/s && chmod 555 ro/in ro && ln -s ../g d/up'
	merged=$(in_overlay "$LISTING")
	cp -a src dir
	run --separate-stderr sbx diff st --apply dir
	assert_status 0
	assert_output_contains "A d/up"
	[ "$(listing dir)" = "$merged" ] || fail "after --apply:" "$(diff <(echo "$merged") <(listing dir))"
}

@test "--apply --dry-run says what it would do and changes nothing" {
	make_changes
	cp -a src dir
	before=$(listing dir)
	run --separate-stderr sbx diff st --apply dir --dry-run
	assert_status 0
	assert_output_contains "D f"
	assert_output_contains "would remove f"
	assert_output_contains "would copy h"
	assert_output_contains "would symlink tfile"
	assert_output_contains "would mkdir 0755 nd"
	[ "$(listing dir)" = "$before" ] || fail "--dry-run changed dir"
}

@test "--apply refuses a symlink that points outside DIR, and applies nothing" {
	echo a >src/a
	mkdir src/d
	in_overlay 'rm a && echo n >new && ln -s ../../etc/passwd d/esc'
	cp -a src dir
	before=$(listing dir)
	run --separate-stderr sbx diff st --apply dir
	assert_status 125
	assert_one_error_line "points outside"
	assert_output ""
	[ "$(listing dir)" = "$before" ] || fail "--apply changed dir"
	in_overlay 'rm d/esc && ln -s /etc/passwd abs'
	run --separate-stderr sbx diff st --apply dir --dry-run
	assert_status 125
	assert_one_error_line "abs -> /etc/passwd"
}

@test "--apply refuses a fifo in the upper layer" {
	in_overlay 'mkfifo p && echo n >new'
	mkdir dir
	run --separate-stderr sbx diff st --apply dir
	assert_status 125
	assert_one_error_line "fifo"
	[ ! -e dir/new ] || fail "--apply wrote new"
}

@test "a symlink planted in DIR cannot redirect --apply outside" {
	mkdir -p src/d outside
	echo x >src/d/x
	in_overlay 'echo evil >d/new && rm d/x'
	mkdir dir
	ln -s "$PROJ/outside" dir/d
	echo x >outside/x
	run --separate-stderr sbx diff st --apply dir
	assert_status 125
	assert_one_error_line "symlink"
	[ ! -e outside/new ] || fail "--apply wrote through the planted symlink"
	[ -e outside/x ] || fail "--apply removed through the planted symlink"
}

@test "bad UPPER, bad options and --dry-run without --apply exit 125 with one line" {
	local args
	mkdir -p nosrc
	while IFS= read -r args; do
		run --separate-stderr sbx diff $args
		assert_status 125
		assert_one_error_line
	done <<-EOF
		nonexistent
		src
		nosrc
		st --bogus
		st --dry-run
		st --apply
		st --apply nonexistent
		st st
		--json
	EOF
	run --separate-stderr sbx diff --help
	assert_status 0
	assert_output_contains "usage: sbx diff UPPER"
}
