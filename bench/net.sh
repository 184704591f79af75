#!/usr/bin/env bash
# The network part of the benchmark suite: start-up with slirp4netns against
# rootlesskit, and TCP throughput to the host's loopback. Kept for its old
# name; it is `bench/run.sh` with BENCH_CASES="netstart throughput" (see
# bench/README.md for the knobs; as root it installs and runs as sbxtest).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_CASES=${BENCH_CASES:-netstart throughput} exec "$HERE/run.sh" "$@"
