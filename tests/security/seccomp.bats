#!/usr/bin/env bats
# The default seccomp filter: each test makes the call an attacker would
# make and checks the filter's own answer (EPERM, ENOSYS, EAFNOSUPPORT),
# which the probe's arguments keep apart from the kernel's (EBADF, EFAULT,
# EINVAL, ENOTTY, ok: see the allow-all test below and tests/security/probe.c).

load ../lib/common

# A classic BPF program, one struct sock_filter (8 bytes) per argument:
# "CODE JT JF K" in hex, written little-endian as the kernel reads it.
write_bpf() {
	local file=$1 code jt jf k
	shift
	: >"$file"
	for insn; do
		read -r code jt jf k <<<"$insn"
		printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x' \
			$((code & 255)) $((code >> 8)) "$jt" "$jf" \
			$((k & 255)) $(((k >> 8) & 255)) $(((k >> 16) & 255)) $(((k >> 24) & 255)))" >>"$file"
	done
}

BPF_RET_K=0x06
BPF_LD_W_ABS=0x20
BPF_JEQ_K=0x15
SECCOMP_RET_ALLOW=0x7fff0000
SECCOMP_RET_ERRNO=0x00050000

require_x86_64() {
	[ "$(uname -m)" = x86_64 ] || skip "the probe's arguments for this test are x86_64's"
}

# --- terminals ------------------------------------------------------------

@test "TIOCSTI cannot push keystrokes into my terminal" {
	# fd 0 is /dev/null: unfiltered, the kernel would answer ENOTTY.
	run_probe -- tiocsti
	assert_status 0
	assert_output "tiocsti: EPERM"
}

@test "TIOCSTI with the high 32 bits of the request set is refused too (CVE-2019-10063)" {
	run_probe -- tiocsti_highbits
	assert_status 0
	assert_output "tiocsti_highbits: EPERM"
}

@test "TIOCLINUX is refused" {
	run_probe -- tioclinux
	assert_status 0
	assert_output "tioclinux: EPERM"
}

# Run "$@" on a new pseudo-terminal (its controlling terminal), print what
# appeared on the terminal, and exit with the command's status.
run_in_pty() {
	run timeout --kill-after=5 "$SBX_TEST_TIMEOUT_S" python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
' "$@"
}

@test "a sandbox started from my terminal can neither inject input into it nor make it its controlling terminal" {
	command -v python3 >/dev/null || skip "python3 is not installed (helpers/install-deps --test)"
	require_probe
	# Control: outside, on its controlling terminal, the probe's TIOCSTI
	# works and the terminal echoes the pushed "#" (unless the host has
	# dev.tty.legacy_tiocsti=0, which refuses it for everyone).
	if [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ]; then
		run_in_pty "$SBX_PROBE" tiocsti
		[ "$status" -eq 0 ] && [[ "$output" == *"#"*"tiocsti: ok"* ]] ||
			fail "control: TIOCSTI outside did not inject: $output"
	fi
	# Without a relay the payload has no controlling terminal at all.
	run_in_pty "$SBX" run --net none --tty never --ro-bind "$SBX_PROBE:$PROBE_IN" sh -c \
		"$PROBE_IN tiocsti; $PROBE_IN tiocsti_highbits; $PROBE_IN tioclinux; $PROBE_IN open_read /dev/tty"
	assert_status 0
	assert_output "tiocsti: EPERM
tiocsti_highbits: EPERM
tioclinux: EPERM
open_read: ENXIO"
	# With the relay (the default at a terminal) /dev/tty is the sandbox's
	# own pty, and the filter still refuses to push input into it.
	run_in_pty "$SBX" run --net none --ro-bind "$SBX_PROBE:$PROBE_IN" sh -c \
		"$PROBE_IN tiocsti; $PROBE_IN tiocsti_highbits; $PROBE_IN tioclinux; $PROBE_IN open_read /dev/tty; tty"
	assert_status 0
	assert_output "tiocsti: EPERM
tiocsti_highbits: EPERM
tioclinux: EPERM
open_read: ok
/dev/pts/0"
}

# --- the filter can be replaced, and the probe tells the layers apart ------

@test "with an allow-all --seccomp FILE the probe shows the kernel's own answers" {
	write_bpf "$PROJ/allow.bpf" "$BPF_RET_K 0 0 $SECCOMP_RET_ALLOW"
	run_probes --seccomp "$PROJ/allow.bpf" -- tiocsti tiocsti_highbits clone3 mount chroot \
		open_tree keyctl add_key setns socket_netlink_audit personality_query
	assert_status 0
	assert_output "tiocsti: ENOTTY
tiocsti_highbits: ENOTTY
clone3: EINVAL
mount: EFAULT
chroot: EFAULT
open_tree: ok
keyctl: EOPNOTSUPP
add_key: EFAULT
setns: EBADF
socket_netlink_audit: ok
personality_query: ok"
}

@test "--seccomp FILE replaces the default filter with my program" {
	require_x86_64
	# if (nr == keyctl) return ERRNO(ENOTBLK); return ALLOW;
	write_bpf "$PROJ/mine.bpf" "$BPF_LD_W_ABS 0 0 0" "$BPF_JEQ_K 0 1 250" \
		"$BPF_RET_K 0 0 $((SECCOMP_RET_ERRNO | 15))" "$BPF_RET_K 0 0 $SECCOMP_RET_ALLOW"
	run_probes --seccomp "$PROJ/mine.bpf" -- keyctl clone3
	assert_status 0
	assert_output "keyctl: ENOTBLK
clone3: EINVAL"
}

@test "--seccomp with an empty file fails with 125 and one line" {
	: >"$PROJ/empty.bpf"
	run --separate-stderr sbx run --seccomp "$PROJ/empty.bpf" true
	assert_status 125
	assert_one_error_line
	assert_output ""
}

@test "--seccomp with a file whose size is not a multiple of 8 fails with 125 and one line" {
	printf 'abcdefghijkl' >"$PROJ/odd.bpf"
	run --separate-stderr sbx run --seccomp "$PROJ/odd.bpf" true
	assert_status 125
	assert_one_error_line
	assert_output ""
}

@test "--seccomp with an unreadable or missing file fails with 125 and one line" {
	write_bpf "$PROJ/locked.bpf" "$BPF_RET_K 0 0 $SECCOMP_RET_ALLOW"
	chmod 000 "$PROJ/locked.bpf"
	run --separate-stderr sbx run --seccomp "$PROJ/locked.bpf" true
	assert_status 125
	assert_one_error_line "locked.bpf"
	run --separate-stderr sbx run --seccomp "$PROJ/missing.bpf" true
	assert_status 125
	assert_one_error_line "missing.bpf"
}

@test "--print-seccomp prints the rules of the default filter and exits 0" {
	run --separate-stderr sbx run --print-seccomp
	assert_status 0
	local name
	for name in keyctl clone3 unshare bpf perf_event_open personality socket ioctl; do
		grep -qw -- "$name" <<<"$output" || fail "the rule list does not name $name" "$output"
	done
}

# --- processes and namespaces --------------------------------------------

@test "clone3 fails with ENOSYS so libc falls back, and threads and fork still work" {
	run_probes -- clone3 thread fork
	assert_status 0
	assert_output "clone3: ENOSYS
thread: ok
fork: ok"
	# A real threaded program, through libc's clone3-then-clone path.
	command -v python3 >/dev/null || return 0
	run --separate-stderr sbx run --net none python3 -c '
import threading
t = threading.Thread(target=lambda: print("from a thread")); t.start(); t.join()'
	assert_status 0
	assert_output "from a thread"
}

@test "a nested user namespace cannot be created with unshare -U" {
	run --separate-stderr sbx run --net none unshare -U true
	assert_status 1
	[[ "$stderr" == *"Operation not permitted"* ]] || fail "unexpected error: $stderr"
	run_probes -- unshare_user unshare_user_net
	assert_probes EPERM unshare_user unshare_user_net
}

@test "clone with CLONE_NEWUSER or any other new-namespace flag is refused, and setns too" {
	run_probes -- clone_newuser clone_newns clone_newnet clone_newpid clone_newipc \
		clone_newuts clone_newcgroup setns
	assert_probes EPERM clone_newuser clone_newns clone_newnet clone_newpid clone_newipc \
		clone_newuts clone_newcgroup setns
}

@test "--allow-userns lets unshare -U and clone(CLONE_NEWUSER) work" {
	run --separate-stderr sbx run --net none --allow-userns unshare -U sh -c 'echo nested'
	assert_status 0
	assert_output "nested"
	run_probes --allow-userns -- unshare_user clone_newuser unshare_user_net keyctl clone3
	assert_status 0
	# Only the namespace rules are relaxed.
	assert_output "unshare_user: ok
clone_newuser: ok
unshare_user_net: ok
keyctl: EPERM
clone3: ENOSYS"
}

@test "debuggers still work inside: ptrace of a child, process_vm_readv, kcmp, pidfd_getfd" {
	run_probes -- ptrace_child process_vm_readv kcmp pidfd_getfd
	# kcmp exists only with CONFIG_CHECKPOINT_RESTORE.
	output=${output/kcmp: ENOSYS/kcmp: ok}
	assert_probes ok ptrace_child process_vm_readv kcmp pidfd_getfd
}

@test "a 32-bit system call (int 0x80) meets the same filter" {
	require_x86_64
	run_probes -- i386_unshare_user i386_keyctl i386_personality i386_socketcall
	# A kernel without IA32 emulation refuses all of them with ENOSYS.
	output=${output//: ENOSYS/: EPERM}
	assert_probes EPERM i386_unshare_user i386_keyctl i386_personality i386_socketcall
}

@test "an x32 system call kills the process" {
	require_x86_64
	run_probe -- x32_getpid
	# 128 + SIGSYS: the filter's verdict for an ABI it does not filter.
	assert_status 159
	assert_output ""
}

@test "a system call number above the newest one known fails with ENOSYS" {
	run_probe -- syscall 1000
	assert_status 0
	assert_output "syscall: ENOSYS"
	run_probe -- syscall 0x3fffffff
	assert_status 0
	assert_output "syscall: ENOSYS"
	# The kernel may know numbers the filter does not (x86_64 6.10 has
	# mseal, 462): those must be refused too, not let through. The filter
	# states its limit in --print-seccomp ("syscall > N -> ERRNO(ENOSYS)").
	require_x86_64
	local newest nr
	newest=$("$SBX" run --print-seccomp | sed -n 's/.*arch 3221225534, syscall > \([0-9]*\) -> ERRNO(ENOSYS).*/\1/p' | head -n1)
	if [ -z "$newest" ]; then
		echo "# --print-seccomp states no limit; only 1000 and 0x3fffffff were tried" >&3
		return 0
	fi
	for nr in $((newest + 1)) $((newest + 2)) $((newest + 3)) $((newest + 6)); do
		run_probe -- syscall "$nr"
		assert_status 0
		assert_output "syscall: ENOSYS"
	done
}

# --- mounts -----------------------------------------------------------------

@test "the new mount API fails with ENOSYS" {
	run_probes -- fsopen fsconfig fsmount fspick open_tree move_mount mount_setattr
	assert_probes ENOSYS fsopen fsconfig fsmount fspick open_tree move_mount mount_setattr
}

@test "mount, umount2 and pivot_root are refused" {
	run_probes --user root -- mount umount2 pivot_root
	assert_probes EPERM mount umount2 pivot_root
}

@test "chroot is refused" {
	run_probes --user root -- chroot
	assert_probes EPERM chroot
}

@test "a read-only bind cannot be remounted read-write" {
	local who
	for who in keep root; do
		run_probe --user "$who" -- remount_rw /usr
		assert_status 0
		assert_output "remount_rw: EPERM"
		run --separate-stderr sbx run --net none --user "$who" sh -c \
			'mount -o remount,rw,bind /usr 2>/dev/null; touch /usr/sbx-escape'
		assert_status 1
		[[ "$stderr" == *"Read-only file system"* ]] || fail "unexpected error: $stderr"
	done
	[ ! -e /usr/sbx-escape ] || fail "/usr/sbx-escape appeared on the host"
}

@test "the tmpfs covering /tmp cannot be unmounted to uncover the host's /tmp" {
	touch "/tmp/sbx-host-probe.$$"
	run_probe --user root -- umount2 /tmp
	local probe_out=$output probe_status=$status
	run --separate-stderr sbx run --net none --user root sh -c \
		'umount /tmp 2>/dev/null; umount -l /tmp 2>/dev/null; ls -A /tmp'
	rm -f "/tmp/sbx-host-probe.$$"
	[ "$probe_status" -eq 0 ] && [ "$probe_out" = "umount2: EPERM" ] ||
		fail "umount2 /tmp: $probe_out"
	assert_status 0
	assert_output_lacks "sbx-host-probe"
}

# --- keyrings ----------------------------------------------------------------

@test "the kernel keyrings are unreachable: add_key, keyctl, request_key" {
	run_probes -- add_key keyctl request_key
	assert_probes EPERM add_key keyctl request_key
}

@test "a key I add to my keyring on the host cannot be read from inside" {
	require_probe
	local secret=sbx-secret-$RANDOM$RANDOM serial
	run "$SBX_PROBE" host_add_key "sbx-test-$$" "$secret"
	[[ "$output" =~ ^host_add_key:\ ([0-9]+)$ ]] || skip "cannot add a key on this host: $output"
	serial=${BASH_REMATCH[1]}
	# Control: on the host the key reads back.
	run "$SBX_PROBE" keyctl_read "$serial"
	local control=$output
	run_probe -- keyctl_read "$serial"
	"$SBX_PROBE" host_unlink_key "$serial" >/dev/null || true
	[ "$control" = "keyctl_read: read $secret" ] || fail "control: the key does not read on the host: $control"
	assert_status 0
	assert_output "keyctl_read: EPERM"
}

# --- kernel attack surface --------------------------------------------------

@test "bpf, perf_event_open, userfaultfd and io_uring are refused" {
	run_probes -- bpf perf_event_open userfaultfd io_uring_setup io_uring_enter io_uring_register
	assert_probes EPERM bpf perf_event_open userfaultfd io_uring_setup io_uring_enter \
		io_uring_register
}

@test "kexec, kernel modules, reboot, swap and acct are refused, even as root inside" {
	local list=(kexec_load init_module finit_module delete_module reboot swapon swapoff acct)
	grep -qw kexec_file_load < <("$SBX_PROBE" --list) && list+=(kexec_file_load)
	run_probes --user root -- "${list[@]}"
	assert_probes EPERM "${list[@]}"
}

@test "clock, syslog, quota, vhangup, file handles and other host-wide calls are refused" {
	local list=(settimeofday clock_settime clock_adjtime syslog quotactl vhangup
		open_by_handle_at fanotify_init) name
	for name in lookup_dcookie uselib ustat sysfs; do
		grep -qw "$name" < <("$SBX_PROBE" --list) && list+=("$name")
	done
	run_probes --user root -- "${list[@]}"
	assert_probes EPERM "${list[@]}"
}

@test "NUMA memory policy calls are refused" {
	run_probes -- mbind set_mempolicy migrate_pages move_pages
	assert_probes EPERM mbind set_mempolicy migrate_pages move_pages
}

@test "iopl, ioperm and modify_ldt are refused" {
	require_x86_64
	run_probes --user root -- iopl ioperm modify_ldt
	assert_probes EPERM iopl ioperm modify_ldt
}

@test "personality(ADDR_NO_RANDOMIZE) is refused while the query and the allowed personas work" {
	run_probe -- personality
	assert_status 0
	assert_output "personality: EPERM"
	run --separate-stderr sbx run --net none setarch "$(uname -m)" -R true
	[ "$status" -ne 0 ] || fail "setarch -R succeeded inside"
	run_probes -- personality_query
	assert_probes ok personality_query
	local p
	for p in 0 8 0x20000 0x20008; do
		run_probe -- personality "$p"
		assert_status 0
		assert_output "personality: ok"
	done
}

# --- sockets ----------------------------------------------------------------

@test "AF_PACKET, AF_VSOCK, AF_ALG and AF_BLUETOOTH sockets fail with EAFNOSUPPORT" {
	run_probes --user root -- socket_packet socket_vsock socket_alg socket_bluetooth
	assert_probes EAFNOSUPPORT socket_packet socket_vsock socket_alg socket_bluetooth
}

@test "AF_INET, AF_INET6, AF_UNIX and AF_NETLINK sockets still work" {
	run_probes -- socket_inet socket_inet6 socket_unix socket_netlink
	assert_probes ok socket_inet socket_inet6 socket_unix socket_netlink
}

@test "an audit netlink socket fails with EAFNOSUPPORT" {
	run_probes --user root -- socket_netlink_audit
	assert_probes EAFNOSUPPORT socket_netlink_audit
}

@test "every socket family outside unix, inet, inet6 and netlink fails with EAFNOSUPPORT" {
	require_probe
	run --separate-stderr sbx run --net none --ro-bind "$SBX_PROBE:$PROBE_IN" sh -c '
		f=0
		while [ $f -le 63 ]; do
			case $f in 1|2|10|16) ;; *) echo "$f $($0 socket $f)" ;; esac
			f=$((f + 1))
		done' "$PROBE_IN" </dev/null
	assert_status 0
	local bad
	bad=$(grep -v ': EAFNOSUPPORT$' <<<"$output" || true)
	[ -z "$bad" ] || fail "families not refused:" "$bad"
	[ "$(grep -c '' <<<"$output")" -eq 60 ] || fail "expected 60 lines, got: $output"
}
