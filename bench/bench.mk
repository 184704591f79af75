# Included from the Makefile.  By hand only, never part of check.
.PHONY: bench
bench: all
	SBX="$(abspath $(BUILD)/sbx)" bench/net.sh
