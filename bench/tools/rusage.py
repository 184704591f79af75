#!/usr/bin/env python3
"""rusage.py N CMD...: run CMD N times (output discarded) and print one line
per run: wall_us user_us sys_us minflt, from wait4() of CMD, which covers CMD
and every descendant it waited for. Exits non-zero if a run fails."""
import os
import sys
import time

n, cmd = int(sys.argv[1]), sys.argv[2:]
devnull = os.open(os.devnull, os.O_RDWR)
for _ in range(n):
    t0 = time.monotonic_ns()
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.monotonic_ns()
    if status != 0:
        sys.exit("rusage: %s failed (wait status %d)" % (" ".join(cmd), status))
    print((t1 - t0) // 1000, int(ru.ru_utime * 1e6), int(ru.ru_stime * 1e6), ru.ru_minflt)
