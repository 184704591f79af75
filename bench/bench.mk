# Included from the Makefile.  By hand only, never part of check: numbers
# depend on the machine, and benchmarks print instead of asserting.
#   make bench                       all cases (as root: installs tools, runs as sbxtest)
#   make bench BENCH_QUICK=1         a quick validation run
#   make bench BENCH_CASES="startup rss"
.PHONY: bench
bench: all
	SBX="$(abspath $(BUILD)/sbx)" bench/run.sh
