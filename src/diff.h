/* SPDX-License-Identifier: MIT */
/*
 * sbx diff: what a run with --overlay DIR:UPPER changed, read from the
 * overlayfs upper directory UPPER against DIR (named in .NAME.sbx-work/source
 * beside it),
 * and --apply to copy those changes into a directory without following any
 * symlink that is already there.
 *
 * The pure parts are exported for the unit tests.
 */
#ifndef SBX_DIFF_H
#define SBX_DIFF_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* The letters of the report, as in `git status --short`. */
enum diff_change {
	DIFF_NONE = 0,
	DIFF_ADDED = 'A',
	DIFF_MODIFIED = 'M',
	DIFF_DELETED = 'D',
	DIFF_TYPE_CHANGED = 'T',
};

/* One side (lower = DIR, upper = UPPER) of a path, as lstat saw it. */
struct diff_side {
	bool present;
	mode_t mode;
	dev_t rdev;
	off_t size;
};

/* Overlayfs records a deleted entry as a character device 0/0. */
bool diff_is_whiteout(const struct diff_side *s);
/* What the upper entry makes of the lower one.  same_content says whether
 * two regular files hold the same bytes or two symlinks the same target
 * (the caller reads them); it is ignored for other types. */
enum diff_change diff_classify(const struct diff_side *lower, const struct diff_side *upper,
			       bool same_content);
/* "file", "dir", "symlink" or "other". */
const char *diff_type_name(mode_t mode);
/* Would a symlink at link_path (relative to DIR, no "." or ".." in it)
 * with this target resolve outside DIR?  Conservative: absolute targets,
 * leading ".." that climb above DIR, and any ".." after a name (it could
 * climb back out through a symlink) all count as escaping. */
bool diff_symlink_escapes(const char *link_path, const char *target);
/* s as a JSON string with its quotes.  Valid UTF-8 passes through; each
 * byte of an invalid sequence is written as \u00XX (its Latin-1 reading),
 * so such a path is not told apart from its UTF-8 spelling — the text
 * format is exact. */
void diff_json_string(FILE *out, const char *s);
/* s as in the text report: as is, or C-quoted in double quotes (like git)
 * when it holds a control character, a quote or a backslash, so a file name
 * cannot forge a line of the report. */
void diff_text_path(FILE *out, const char *s);

/* argv[0] is "diff".  Returns the exit status: 0, or 125 after printing
 * the one error line. */
int diff_main(int argc, char **argv);

#endif
