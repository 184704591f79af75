/* SPDX-License-Identifier: MIT */
/*
 * sbx doctor: can sbx run here with its defaults?  One line per check,
 * "OK   <what>", "FAIL <what>: <why> (fix: <command>)" or "INFO <what>: ...".
 */
#ifndef SBX_DOCTOR_H
#define SBX_DOCTOR_H

/* Runs every check; returns 0 when sbx can run with its defaults, else 1. */
int doctor_main(void);

#endif
