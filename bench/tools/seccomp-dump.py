#!/usr/bin/env python3
"""seccomp-dump.py PID PREFIX: write the seccomp filters of process PID, as
classic BPF programs, to PREFIX.0, PREFIX.1, ... (oldest first).

Uses ptrace(PTRACE_SECCOMP_GET_FILTER), which needs CAP_SYS_ADMIN: run as
root. bench/run.sh uses it to give bwrap the very filters sbx loads."""
import ctypes
import os
import sys

PTRACE_ATTACH, PTRACE_DETACH, PTRACE_SECCOMP_GET_FILTER = 16, 17, 0x420C
WALL = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


def main():
    pid, prefix = int(sys.argv[1]), sys.argv[2]
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) < 0:
        sys.exit("seccomp-dump: attach %d: %s" % (pid, os.strerror(ctypes.get_errno())))
    progs = []
    try:
        os.waitpid(pid, WALL)
        while True:
            n = libc.ptrace(PTRACE_SECCOMP_GET_FILTER, pid, ctypes.c_void_p(len(progs)), None)
            if n < 0:
                break
            buf = ctypes.create_string_buffer(n * 8)
            if libc.ptrace(PTRACE_SECCOMP_GET_FILTER, pid, ctypes.c_void_p(len(progs)), buf) != n:
                sys.exit("seccomp-dump: read filter %d: %s" % (len(progs), os.strerror(ctypes.get_errno())))
            progs.append(buf.raw)
    finally:
        libc.ptrace(PTRACE_DETACH, pid, None, None)
    if not progs:
        sys.exit("seccomp-dump: process %d has no seccomp filter" % pid)
    # Index 0 is the most recently installed filter.
    for k, p in enumerate(reversed(progs)):
        with open("%s.%d" % (prefix, k), "wb") as f:
            f.write(p)
    print("seccomp-dump: %d filters of %s instructions" % (len(progs), "+".join(str(len(p) // 8) for p in reversed(progs))),
          file=sys.stderr)


main()
