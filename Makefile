# sbx — rootless sandbox launcher.  Plain make; honours CC, CFLAGS,
# CPPFLAGS, LDFLAGS, PREFIX and DESTDIR (distribution packaging relies on it).

VERSION := $(shell cat VERSION)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/sbx
PKG_CONFIG ?= pkg-config
# The setuid helpers of shadow-utils, by absolute path: never from $PATH.
NEWUIDMAP ?= /usr/bin/newuidmap
NEWGIDMAP ?= /usr/bin/newgidmap
SLIRP4NETNS ?= /usr/bin/slirp4netns
# Run inside the sandbox's root, for --overlay where the kernel refuses overlayfs.
FUSE_OVERLAYFS ?= /usr/bin/fuse-overlayfs

CFLAGS ?= -O2 -g
ifeq ($(SANITIZE),1)
BUILD ?= build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SAN_FLAGS :=
endif

PKGS := libcap libseccomp
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# sbx itself links libcap only: libseccomp compiles its default filters at
# build time (tools/seccomp-gen.c), and the tests check them against it.
SBX_LIBS := $(shell $(PKG_CONFIG) --libs libcap 2>/dev/null)
CMOCKA_CFLAGS := $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

WARN_FLAGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wno-missing-field-initializers
HARDEN_CPPFLAGS := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2
HARDEN_CFLAGS := -fstack-protector-strong -fPIE -fstack-clash-protection
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack

ALL_CPPFLAGS := -DSBX_VERSION='"$(VERSION)"' -DSBX_NEWUIDMAP='"$(NEWUIDMAP)"' \
	-DSBX_NEWGIDMAP='"$(NEWGIDMAP)"' -DSBX_SLIRP4NETNS='"$(SLIRP4NETNS)"' -DSBX_DATADIR='"$(DATADIR)"' \
	-DSBX_FUSE_OVERLAYFS='"$(FUSE_OVERLAYFS)"' \
	$(HARDEN_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS := -std=gnu11 $(WARN_FLAGS) $(HARDEN_CFLAGS) $(SAN_FLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(HARDEN_LDFLAGS) $(SAN_FLAGS) $(LDFLAGS)

SRCS := $(wildcard src/*.c)
ALL_OBJS := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
# What the sbx binary is made of: all but the libseccomp rules.
OBJS := $(filter-out $(BUILD)/obj/seccomp_rules.o,$(ALL_OBJS))
LIB_OBJS := $(filter-out $(BUILD)/obj/main.o,$(ALL_OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all check unit clean install uninstall format format-check deps-check man-check
MANDIR ?= $(PREFIX)/share/man

all: deps-check $(BUILD)/sbx

deps-check:
	@$(PKG_CONFIG) --exists $(PKGS) || { \
	  echo "sbx: missing build dependencies (libcap, libseccomp development files): run helpers/install-deps" >&2; \
	  exit 1; }

$(BUILD)/sbx: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(SBX_LIBS) $(LDLIBS)

$(BUILD)/obj/%.o: src/%.c VERSION Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The default seccomp programs, compiled once at build time by a generator
# linked against everything but the prebuilt programs themselves.
GEN_DIR := $(BUILD)/gen
$(GEN_DIR)/seccomp_prebuilt_none.o: src/seccomp_prebuilt.c VERSION Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<
$(GEN_DIR)/seccomp-gen: tools/seccomp-gen.c $(filter-out $(BUILD)/obj/main.o \
		$(BUILD)/obj/seccomp_prebuilt.o,$(ALL_OBJS)) $(GEN_DIR)/seccomp_prebuilt_none.o
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Isrc $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)
$(GEN_DIR)/seccomp_prebuilt.h: $(GEN_DIR)/seccomp-gen
	$< >$@.tmp && mv $@.tmp $@
$(BUILD)/obj/seccomp_prebuilt.o: src/seccomp_prebuilt.c $(GEN_DIR)/seccomp_prebuilt.h VERSION Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) -DSBX_SECCOMP_PREBUILT -I$(GEN_DIR) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -Isrc $(ALL_LDFLAGS) -o $@ $< \
		$(LIB_OBJS) $(CMOCKA_LIBS) $(PKG_LIBS) $(LDLIBS)

unit: $(UNIT_BINS)

# The escape suite's probe: makes one system call and prints its errno.
$(BUILD)/sbx-probe: tests/security/probe.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# A test build whose helpers do not exist, for the fallback test: the helper
# path is fixed at build time on purpose, so no variable of the caller's
# environment can redirect it.
NOHELPER_CPPFLAGS := $(subst $(NEWGIDMAP),/nonexistent/newgidmap,$(subst \
	$(NEWUIDMAP),/nonexistent/newuidmap,$(ALL_CPPFLAGS)))
$(BUILD)/nohelper/userns.o: src/userns.c VERSION Makefile
	@mkdir -p $(@D)
	$(CC) $(NOHELPER_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/sbx-nohelper: $(filter-out $(BUILD)/obj/userns.o,$(OBJS)) $(BUILD)/nohelper/userns.o
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(SBX_LIBS) $(LDLIBS)
# Likewise without slirp4netns, for the "slirp4netns is missing" test.
NOSLIRP_CPPFLAGS := $(subst $(SLIRP4NETNS),/nonexistent/slirp4netns,$(ALL_CPPFLAGS))
$(BUILD)/noslirp/net.o: src/net.c VERSION Makefile
	@mkdir -p $(@D)
	$(CC) $(NOSLIRP_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/sbx-noslirp: $(filter-out $(BUILD)/obj/net.o,$(OBJS)) $(BUILD)/noslirp/net.o
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(SBX_LIBS) $(LDLIBS)

# Unit tests, then the integration suite as an unprivileged user; the last
# line is "check: N passed, N failed, N skipped".
# The man page documents exactly the options of `sbx run --help`.
man-check: $(BUILD)/sbx
	tests/man-check.sh $(BUILD)/sbx docs/sbx.1 completions/sbx.bash

check: all unit fuzz-regress man-check $(BUILD)/sbx-nohelper $(BUILD)/sbx-noslirp $(BUILD)/sbx-probe
	SBX="$(abspath $(BUILD)/sbx)" SBX_NOHELPER="$(abspath $(BUILD)/sbx-nohelper)" \
	SBX_NOSLIRP="$(abspath $(BUILD)/sbx-noslirp)" SBX_PROBE="$(abspath $(BUILD)/sbx-probe)" \
	UNIT_TESTS="$(abspath $(UNIT_BINS))" tests/check.sh

install: $(BUILD)/sbx
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BUILD)/sbx $(DESTDIR)$(BINDIR)/sbx
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 docs/sbx.1 $(DESTDIR)$(MANDIR)/man1/sbx.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 completions/sbx.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/sbx
	install -d $(DESTDIR)$(DATADIR)/profiles
	install -m 0644 profiles/* $(DESTDIR)$(DATADIR)/profiles/
	install -d $(DESTDIR)$(DATADIR)/apparmor
	install -m 0644 packaging/apparmor/sbx $(DESTDIR)$(DATADIR)/apparmor/sbx

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sbx
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/sbx.1
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/sbx

format:
	clang-format -i src/*.c src/*.h tools/*.c tests/unit/*.c tests/fuzz/*.c tests/fuzz/*.h

format-check:
	clang-format --dry-run --Werror src/*.c src/*.h tools/*.c tests/unit/*.c tests/fuzz/*.c tests/fuzz/*.h

clean:
	rm -rf build build-san

-include $(ALL_OBJS:.o=.d)
-include tests/fuzz/fuzz.mk
# `make bench` (by hand only, never part of check: numbers depend on the machine).
-include bench/bench.mk
# `make stress` (the long reliability suite).
-include tests/stress/stress.mk
# `make deb`, `make rpm`.
-include packaging/packaging.mk
