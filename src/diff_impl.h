/* SPDX-License-Identifier: MIT */
/*
 * What the parts of sbx diff share: the sorted list of changes the walk
 * (diff_walk.c) yields and the report (diff.c) and --apply (diff_apply.c)
 * read.
 */
#ifndef SBX_DIFF_IMPL_H
#define SBX_DIFF_IMPL_H

#include "diff.h"

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads and copies of file contents go in chunks of this size. */
#define DIFF_COPY_CHUNK_BYTES 65536

struct diff_entry {
	char *path;  /* relative to DIR */
	char change; /* enum diff_change */
	mode_t mode; /* of the new entry; of the removed one for D */
};

struct diff_list {
	struct diff_entry *v;
	size_t n, cap;
};

static inline void cleanup_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
#define _cleanup_closedir_ __attribute__((cleanup(cleanup_closedirp)))

void diff_list_free(struct diff_list *l);
/* Byte order of the paths, as the report promises. */
int diff_entry_cmp(const void *a, const void *b);
/* A directory opened with O_NOFOLLOW. */
DIR *diff_dir_open(int at, const char *name);

/* Walk the upper directory against the lower one into l, sorted.  fuse:
 * the upper directory was written by fuse-overlayfs, whose whiteouts may
 * also be ".wh.NAME" files and whose opaque directories hold ".wh..wh..opq"
 * or carry user.fuseoverlayfs.opaque. */
int diff_walk(int upper_fd, int lower_fd, bool fuse, struct diff_list *l);

struct diff_apply {
	int upper_fd;
	int dir_fd;
	const char *dir;
	bool dry_run, json;
	unsigned int tmp_seq;
};

/* Refuse the whole list, before anything changes, if one entry cannot be
 * applied safely. */
int diff_apply_check(const struct diff_apply *a, const struct diff_list *l);
/* Change DIR (or, with dry_run, say what would change). */
int diff_apply_all(struct diff_apply *a, const struct diff_list *l);

#endif
