# Fuzzing of the pure parts of sbx (included from the Makefile, which
# defines BUILD, LIB_OBJS, ALL_CPPFLAGS, ALL_CFLAGS, ALL_LDFLAGS, PKG_LIBS).
#
#   make fuzz-regress   each target built with gcc and our own flags (and the
#                       sanitizers under SANITIZE=1) over its seed corpus plus
#                       FUZZ_MUTATIONS (FUZZ_MUTATIONS_<target> if set)
#                       deterministic mutants; a few seconds
#   make fuzz           each target built with clang's libFuzzer, ASan and
#                       UBSan, run for FUZZ_SECONDS; new inputs go to
#                       $(BUILD)/fuzz-clang/corpus-<target>, crashes to
#                       $(BUILD)/fuzz-clang/artifacts-<target>/
#
# Reproduce a crash: $(BUILD)/fuzz/fuzz_<target> CRASH_FILE (or the clang
# binary with the same argument).

FUZZ_TARGETS ?= cli subid mountplan specs diff
FUZZ_MUTATIONS ?= 20000
# diff builds and removes a small tree per input (~0.2 ms): a quarter as many.
FUZZ_MUTATIONS_diff ?= $(shell expr $(FUZZ_MUTATIONS) / 4)
FUZZ_SECONDS ?= 60
FUZZ_CLANG_CC ?= clang
FUZZ_SRC := tests/fuzz
FUZZ_OUT := $(BUILD)/fuzz
FUZZ_CLANG_OUT := $(BUILD)/fuzz-clang

.PHONY: fuzz fuzz-regress

# ---- gcc, our flags, a plain driver ---------------------------------------

$(FUZZ_OUT)/fuzz_%: $(FUZZ_SRC)/fuzz_%.c $(FUZZ_SRC)/driver.c $(FUZZ_SRC)/fuzz_common.h $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -iquote src $(ALL_LDFLAGS) -o $@ $< $(FUZZ_SRC)/driver.c \
		$(LIB_OBJS) $(PKG_LIBS) $(LDLIBS)

fuzz-regress: $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)
	@$(foreach t,$(FUZZ_TARGETS),\
	  FUZZ_CRASH_DIR=$(FUZZ_OUT) $(FUZZ_OUT)/fuzz_$(t) $(FUZZ_SRC)/corpus/$(t) \
	    $(or $(FUZZ_MUTATIONS_$(t)),$(FUZZ_MUTATIONS)) || { \
	    echo "fuzz_$(t): CRASHED (reproduce: $(FUZZ_OUT)/fuzz_$(t) $(FUZZ_OUT)/fuzz_$(t).crash)" >&2; \
	    exit 1; };)

# ---- clang, libFuzzer ------------------------------------------------------

# Our defines and include path, without fortify (it hides overflows from
# ASan) and without warning flags clang may not share.  src only for
# "..." includes: with -Isrc, <limits.h> would be src/limits.h.
FUZZ_CLANG_CPPFLAGS := $(filter-out -D_FORTIFY_SOURCE% -U_FORTIFY_SOURCE,$(ALL_CPPFLAGS)) -iquote src
FUZZ_CLANG_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
	-Wno-missing-field-initializers \
	-fno-sanitize-recover=undefined $(PKG_CFLAGS)
FUZZ_CLANG_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
FUZZ_CLANG_OBJS := $(FUZZ_CLANG_SRCS:src/%.c=$(FUZZ_CLANG_OUT)/obj/%.o)

$(FUZZ_CLANG_OUT)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CLANG_CC) $(FUZZ_CLANG_CPPFLAGS) $(FUZZ_CLANG_CFLAGS) \
		-fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<

$(FUZZ_CLANG_OUT)/fuzz_%: $(FUZZ_SRC)/fuzz_%.c $(FUZZ_SRC)/fuzz_common.h $(FUZZ_CLANG_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CLANG_CC) $(FUZZ_CLANG_CPPFLAGS) $(FUZZ_CLANG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_CLANG_OBJS) $(PKG_LIBS) $(LDLIBS)

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_CLANG_OUT)/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_CLANG_OUT)/corpus-$$t $(FUZZ_CLANG_OUT)/artifacts-$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s with libFuzzer"; \
	  $(FUZZ_CLANG_OUT)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -dict=$(FUZZ_SRC)/sbx.dict \
	    -artifact_prefix=$(FUZZ_CLANG_OUT)/artifacts-$$t/ -print_final_stats=1 \
	    $(FUZZ_CLANG_OUT)/corpus-$$t $(FUZZ_SRC)/corpus/$$t || exit 1; \
	done

# Keep the objects: make would remove them as intermediates of the links.
.SECONDARY: $(FUZZ_CLANG_OBJS)

-include $(FUZZ_CLANG_OBJS:.o=.d)
