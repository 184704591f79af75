# shellcheck shell=bash
# shellcheck disable=SC2154 # $us is set by time_us (lib.sh)
# Case 4: a real build (configure, make -j$(nproc), make test) of a synthetic
# C project, outside and inside `sbx run --net none` with the project as the
# shared current directory, alternating. Sourced by bench/run.sh.
#
# The project is generated here (no download): BENCH_BUILD_FILES modules of
# a few functions each (loops, a table, a switch: enough for the optimiser
# to do some work), a static library of them, a program, a configure script
# that probes the compiler like autoconf does (writes and compiles small
# test programs), and a test target that runs the program and a second
# test binary against expected output.

gen_project() {
	local dir=$1 n=$2 i
	mkdir -p "$dir/src" "$dir/tests"
	cat >"$dir/configure" <<'CONF'
#!/bin/sh
# A small autoconf-style configure: probe the compiler, write config.h/config.mk.
set -e
CC=${CC:-cc}
: >config.log
probe() { # NAME HEADER CODE
	printf '#include <%s>\nint main(void) { %s; return 0; }\n' "$2" "$3" >conftest.c
	if $CC -O2 -o conftest conftest.c >>config.log 2>&1 && ./conftest; then
		echo "#define HAVE_$1 1" >>config.h.tmp; echo "checking for $1... yes"
	else
		echo "/* #undef HAVE_$1 */" >>config.h.tmp; echo "checking for $1... no"
	fi
}
echo "checking whether $CC works..."
printf 'int main(void) { return 0; }\n' >conftest.c
$CC -o conftest conftest.c >>config.log 2>&1
: >config.h.tmp
probe STDINT_H stdint.h 'uint32_t x = 1; (void)x'
probe STRING_H string.h 'char b[4]; memset(b, 0, 4)'
probe STDLIB_H stdlib.h 'void *p = malloc(1); free(p)'
probe UNISTD_H unistd.h '(void)getpid()'
probe MATH_H math.h 'volatile double d = 2.0; (void)d'
probe TIME_H time.h '(void)time(0)'
probe ERRNO_H errno.h 'errno = 0'
probe CTYPE_H ctype.h '(void)isalpha(65)'
mv config.h.tmp config.h
printf 'CC = %s\nCFLAGS = -O2 -Wall -Iinclude -I.\n' "$CC" >config.mk
rm -f conftest conftest.c
echo "configure: done"
CONF
	chmod +x "$dir/configure"
	mkdir -p "$dir/include"
	{
		echo "#ifndef PROJ_H"
		echo "#define PROJ_H"
		echo "#include <stdint.h>"
		for i in $(seq "$n"); do echo "uint32_t mod${i}_run(uint32_t seed);"; done
		echo "#endif"
	} >"$dir/include/proj.h"
	for i in $(seq "$n"); do
		cat >"$dir/src/mod$i.c" <<MOD
#include "config.h"
#include "proj.h"
#include <string.h>

static const uint32_t table${i}[16] = { $((i * 7 % 13)), $((i * 3 % 17)), 5, 7, 11, 13, 17, 19,
	23, 29, 31, 37, 41, 43, 47, $((i % 97)) };

static uint32_t mix$i(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU + $i;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	return x ^ (x >> 16);
}

static uint32_t step$i(uint32_t x, int k)
{
	switch (k & 7) {
	case 0: return x + table${i}[k & 15];
	case 1: return x ^ table${i}[(k * 3) & 15];
	case 2: return mix$i(x);
	case 3: return x * 33U + $i;
	case 4: return (x << 5) | (x >> 27);
	case 5: return x - table${i}[(k * 5) & 15];
	case 6: return ~x + (uint32_t)k;
	default: return x;
	}
}

uint32_t mod${i}_run(uint32_t seed)
{
	uint32_t acc = seed, buf[32];
	int k;

	memset(buf, 0, sizeof(buf));
	for (k = 0; k < 64; k++) {
		acc = step$i(acc, k);
		buf[k & 31] ^= acc;
	}
	for (k = 0; k < 32; k++)
		acc += mix$i(buf[k]);
	return acc;
}
MOD
	done
	cat >"$dir/src/main.c" <<'MAIN'
#include <stdio.h>
#include "proj.h"
uint32_t proj_all(uint32_t seed);
int main(void)
{
	printf("%08x\n", (unsigned)proj_all(1));
	return 0;
}
MAIN
	{
		echo '#include "proj.h"'
		echo 'uint32_t proj_all(uint32_t seed)'
		echo '{'
		echo '	uint32_t acc = seed;'
		for i in $(seq "$n"); do echo "	acc = mod${i}_run(acc);"; done
		echo '	return acc;'
		echo '}'
	} >"$dir/src/all.c"
	cat >"$dir/tests/t_all.c" <<'TEST'
#include <stdio.h>
#include "proj.h"
uint32_t proj_all(uint32_t seed);
int main(void)
{
	uint32_t a = proj_all(1), b = proj_all(1);
	if (a != b) { puts("not deterministic"); return 1; }
	if (mod1_run(0) == mod1_run(1)) { puts("mod1 ignores its seed"); return 1; }
	puts("ok");
	return 0;
}
TEST
	cat >"$dir/Makefile" <<'MK'
-include config.mk
MODS := $(patsubst %.c,%.o,$(wildcard src/mod*.c))
all: prog tests/t_all
libproj.a: $(MODS) src/all.o
	ar rcs $@ $^
prog: src/main.o libproj.a
	$(CC) -o $@ $^
tests/t_all: tests/t_all.o libproj.a
	$(CC) -o $@ $^
%.o: %.c config.h include/proj.h
	$(CC) $(CFLAGS) -c -o $@ $<
test: all
	./prog >out.txt
	./prog | cmp - out.txt
	./tests/t_all
clean:
	rm -f src/*.o tests/*.o libproj.a prog tests/t_all out.txt config.h config.mk config.log
.PHONY: all test clean
MK
}

PROJ=$WORK/cwd/proj
gen_project "$PROJ" "$BENCH_BUILD_FILES"
JOBS=$(nproc)
BUILD_CMD="make -s clean >/dev/null 2>&1; ./configure >/dev/null && make -s -j$JOBS && make -s test"
b_out() { (cd "$PROJ" && sh -c "$BUILD_CMD"); }
b_in() { (cd "$PROJ" && "$SBX" run --net none -- sh -c "$BUILD_CMD"); }
# Warm-up (page cache, compiler) and correctness: both must build and pass.
time_us b_out
time_us b_in
: >"$WORK/t.b_out"
: >"$WORK/t.b_in"
for _ in $(seq "$BENCH_BUILD_ROUNDS"); do
	time_us b_out
	echo "$us" >>"$WORK/t.b_out"
	time_us b_in
	echo "$us" >>"$WORK/t.b_in"
done
read -r bo bo_min bo_max < <(median_min <"$WORK/t.b_out")
read -r bi bi_min bi_max < <(median_min <"$WORK/t.b_in")

title "4. build: configure, make -j$JOBS, make test of $BENCH_BUILD_FILES generated C files, median of $BENCH_BUILD_ROUNDS, alternating"
row "" "median s" "(min - max)"
row "outside (plain sh)" "$(secs "$bo")" "($(secs "$bo_min") - $(secs "$bo_max"))"
row "inside sbx run --net none (project shared rw)" "$(secs "$bi")" "($(secs "$bi_min") - $(secs "$bi_max"))"
row "ratio inside / outside (goal <= 1.02)" "$(ratio "$bi" "$bo")" ""
