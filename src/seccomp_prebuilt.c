/* SPDX-License-Identifier: MIT */
/*
 * The default seccomp programs, and their rules as text, as
 * tools/seccomp-gen.c compiled them at build time with the build's
 * libseccomp into seccomp_prebuilt.h.  The generator itself is linked
 * without that header and has none.
 */
#include "seccomp.h"

#ifdef SBX_SECCOMP_PREBUILT
/* The --print-seccomp text (some 60 KiB) is read only by that command: in
 * a section of its own, aligned to the kernel's fault-around window, so
 * that touching the data next to it does not map it into every sbx. */
#define SBX_COLD __attribute__((section(".sbx_cold"), aligned(65536)))
#include "seccomp_prebuilt.h"

const unsigned char *seccomp_prebuilt(bool allow_userns, size_t *len)
{
	*len = allow_userns ? sizeof(prebuilt_allow_userns) : sizeof(prebuilt_default);
	return allow_userns ? prebuilt_allow_userns : prebuilt_default;
}

const char *seccomp_prebuilt_text(bool allow_userns)
{
	return allow_userns ? prebuilt_allow_userns_text : prebuilt_default_text;
}
#else
const unsigned char *seccomp_prebuilt(bool allow_userns, size_t *len)
{
	(void)allow_userns;
	*len = 0;
	return NULL;
}

const char *seccomp_prebuilt_text(bool allow_userns)
{
	(void)allow_userns;
	return NULL;
}
#endif
