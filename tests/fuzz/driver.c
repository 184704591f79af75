/* SPDX-License-Identifier: MIT */
/*
 * A main() for the fuzz targets without libFuzzer, so `make check` can
 * run them with gcc and the sanitizers on any machine:
 *
 *   fuzz_X CORPUS_DIR [MUTATIONS]   every corpus file, then MUTATIONS
 *                                   (default 20000) deterministic mutants
 *   fuzz_X FILE...                  just these inputs (reproduce a crash)
 *
 * The mutations come from a fixed seed, so two runs try the same inputs;
 * a crash aborts (under ASan with a report) after saving the input as
 * fuzz_X.crash in $FUZZ_CRASH_DIR or the current directory; otherwise the last line is
 * "fuzz_X: N inputs, 0 crashes".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT_BYTES 4096
#define MAX_CORPUS_FILES 4096
#define DEFAULT_MUTATIONS 20000UL

struct input {
	uint8_t *data;
	size_t size;
};

static const char *prog = "fuzz";

static void die(const char *what, const char *path)
{
	fprintf(stderr, "%s: %s %s: %s\n", prog, what, path, strerror(errno));
	exit(2);
}

static struct input read_input(const char *path)
{
	struct input in = {NULL, 0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		die("open", path);
	in.data = malloc(MAX_INPUT_BYTES);
	if (!in.data)
		die("malloc for", path);
	while (in.size < MAX_INPUT_BYTES) {
		n = read(fd, in.data + in.size, MAX_INPUT_BYTES - in.size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read", path);
		if (n == 0)
			break;
		in.size += (size_t)n;
	}
	close(fd);
	return in;
}

/* The input under test, saved to "<prog>.crash" in $FUZZ_CRASH_DIR (else
 * the current directory) when the target dies: from the sanitizers' death callback, or from a
 * signal handler in a build without them. */
static const uint8_t *current_data;
static size_t current_size;

void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static void save_current(void)
{
	const char *dir = getenv("FUZZ_CRASH_DIR");
	char path[4096];
	int fd;

	if (!current_data && current_size)
		return;
	snprintf(path, sizeof(path), "%s/%s.crash", dir && dir[0] ? dir : ".", prog);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, current_data, current_size) == (ssize_t)current_size) {
		static const char msg[] = "fuzz driver: crashing input saved to ";
		(void)!write(2, msg, sizeof(msg) - 1);
		(void)!write(2, path, strlen(path));
		(void)!write(2, "\n", 1);
	}
	close(fd);
}

static void on_fatal_signal(int sig)
{
	save_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_crashes(void)
{
	static const int sigs[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE};

	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_current);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal_signal);
}

/* Run the target on an exact-size heap copy, so an over-read of one byte
 * is an ASan report rather than silence. */
static void run_one(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(2);
	}
	if (size)
		memcpy(copy, data, size);
	current_data = copy;
	current_size = size;
	LLVMFuzzerTestOneInput(copy, size);
	current_data = NULL;
	current_size = 0;
	free(copy);
}

/* xorshift64*: small, fast, and the same sequence on every machine. */
static uint64_t rng_state = 0x5bd1e9955bd1e995ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t rng_below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

/* Bytes and words that matter to the parsers under test. */
static const char *const tokens[] = {
    "\0",
    ":",
    "=",
    "/",
    "..",
    "-",
    "--",
    "\n",
    "#",
    " ",
    "\t",
    "\r",
    "0",
    "4294967295",
    "4294967294",
    "65536",
    "size=",
    "k",
    "g",
    "run",
    "-e",
    "--bind",
    "--tmpfs",
    "--user",
    "--cwd",
    "--home",
    "-w",
    "--hostname",
    "root",
    "keep",
    "ro",
    "rw",
    "none",
    "tmpfs",
    "/tmp",
    "/home/alice",
    "alice",
    "1000",
    "99999999999999999999",
    "18446744073709551615",
};

static size_t mutate(uint8_t *buf, size_t size, const struct input *corpus, size_t n_corpus)
{
	size_t rounds = 1 + rng_below(4);

	for (size_t r = 0; r < rounds; r++) {
		size_t pos = rng_below(size + 1);

		switch (rng_below(8)) {
		case 0: /* flip a bit */
			if (size)
				buf[rng_below(size)] ^= (uint8_t)(1u << rng_below(8));
			break;
		case 1: /* a random byte */
			if (size)
				buf[rng_below(size)] = (uint8_t)rng();
			break;
		case 2: /* delete a run */
			if (size) {
				size_t at = rng_below(size), len = 1 + rng_below(size - at);
				memmove(buf + at, buf + at + len, size - at - len);
				size -= len;
			}
			break;
		case 3:	  /* insert a token */
		case 4: { /* (twice as likely: it is what reaches deep) */
			const char *t = tokens[rng_below(sizeof(tokens) / sizeof(tokens[0]))];
			size_t len = t[0] ? strlen(t) : 1;
			if (size + len <= MAX_INPUT_BYTES) {
				memmove(buf + pos + len, buf + pos, size - pos);
				memcpy(buf + pos, t, len);
				size += len;
			}
			break;
		}
		case 5: /* duplicate a run at another place */
			if (size) {
				static uint8_t run[MAX_INPUT_BYTES];
				size_t at = rng_below(size), len = 1 + rng_below(size - at);
				if (size + len <= MAX_INPUT_BYTES) {
					memcpy(run, buf + at, len);
					memmove(buf + pos + len, buf + pos, size - pos);
					memcpy(buf + pos, run, len);
					size += len;
				}
			}
			break;
		case 6: { /* splice the tail of another corpus entry */
			const struct input *o = &corpus[rng_below(n_corpus)];
			size_t from = rng_below(o->size + 1), len = o->size - from;
			if (pos + len > MAX_INPUT_BYTES)
				len = MAX_INPUT_BYTES - pos;
			memcpy(buf + pos, o->data + from, len);
			size = pos + len;
			break;
		}
		default: /* truncate */
			size = pos;
			break;
		}
	}
	return size;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every regular file of dir, in name order so runs are reproducible. */
static size_t load_corpus(const char *dir, struct input *corpus)
{
	struct dirent **names;
	size_t n = 0;
	int count = scandir(dir, &names, not_hidden, by_name);

	if (count < 0)
		die("scan", dir);
	for (int i = 0; i < count; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && n < MAX_CORPUS_FILES)
			corpus[n++] = read_input(path);
		free(names[i]);
	}
	free(names);
	return n;
}

int main(int argc, char **argv)
{
	static struct input corpus[MAX_CORPUS_FILES];
	struct stat st;
	unsigned long mutations = DEFAULT_MUTATIONS, inputs = 0;
	size_t n_corpus;
	uint8_t *buf;

	prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	catch_crashes();
	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS] | %s FILE...\n", prog, prog);
		return 2;
	}
	if (stat(argv[1], &st) < 0)
		die("stat", argv[1]);
	if (!S_ISDIR(st.st_mode)) {
		for (int i = 1; i < argc; i++) {
			struct input in = read_input(argv[i]);
			run_one(in.data, in.size);
			free(in.data);
			inputs++;
		}
		printf("%s: %lu inputs, 0 crashes\n", prog, inputs);
		return 0;
	}
	if (argc > 2) {
		char *end;
		errno = 0;
		mutations = strtoul(argv[2], &end, 10);
		if (errno || *end || argv[2][0] == '\0') {
			fprintf(stderr, "%s: invalid mutation count '%s'\n", prog, argv[2]);
			return 2;
		}
	}

	n_corpus = load_corpus(argv[1], corpus);
	for (size_t i = 0; i < n_corpus; i++, inputs++)
		run_one(corpus[i].data, corpus[i].size);
	/* The empty input is always worth one try. */
	run_one(NULL, 0);
	inputs++;

	buf = malloc(MAX_INPUT_BYTES);
	if (!buf)
		die("malloc", "buffer");
	for (unsigned long m = 0; m < mutations && n_corpus; m++, inputs++) {
		const struct input *base = &corpus[rng_below(n_corpus)];
		size_t size;

		memcpy(buf, base->data, base->size);
		size = mutate(buf, base->size, corpus, n_corpus);
		run_one(buf, size);
	}
	free(buf);
	for (size_t i = 0; i < n_corpus; i++)
		free(corpus[i].data);
	printf("%s: %lu inputs, 0 crashes\n", prog, inputs);
	return 0;
}
