# `make stress`: the long reliability suite (tests/stress/run.sh long), as
# the test user when started as root. `make check` runs its short version.
.PHONY: stress
stress: $(BUILD)/sbx $(BUILD)/sbx-nohelper
	SBX="$(abspath $(BUILD)/sbx)" SBX_NOHELPER="$(abspath $(BUILD)/sbx-nohelper)" \
		tests/stress/run.sh long
