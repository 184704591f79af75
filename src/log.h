/* SPDX-License-Identifier: MIT */
/*
 * One error convention for all of sbx (STYLE.md rule 4): a function that
 * fails records one message with err_set() and returns -1; the one place
 * that reports (main, or the sandbox side through the report pipe) prints
 * it once as "sbx: <what>: <why> (<hint>)".
 */
#ifndef SBX_LOG_H
#define SBX_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define SBX_ERR_MAX 1024

/* Record "<what>: strerror(errnum)"; errnum 0 records "<what>" alone.
 * Always returns -1 so callers can write `return err_set(...)`. */
int err_set(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attach a fix to the recorded error; cleared by the next err_set(). */
void err_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The recorded error as one line without the "sbx: " prefix. */
const char *err_line(void);
/* Print the recorded error to stderr as one line. */
void err_print(void);

void warn_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void notice_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* -v: trace each setup step with the time since start. */
extern bool log_verbose_on;
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
