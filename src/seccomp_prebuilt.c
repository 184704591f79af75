/* SPDX-License-Identifier: MIT */
/*
 * The default seccomp programs as tools/seccomp-gen.c compiled them at
 * build time, with the build's libseccomp, into seccomp_prebuilt.h.  A
 * build without that header (the generator itself, the libFuzzer build)
 * has none, and sbx then compiles them at start.
 */
#include "seccomp.h"

#ifdef SBX_SECCOMP_PREBUILT
#include "seccomp_prebuilt.h"

const unsigned char *seccomp_prebuilt(bool allow_userns, size_t *len)
{
	*len = allow_userns ? sizeof(prebuilt_allow_userns) : sizeof(prebuilt_default);
	return allow_userns ? prebuilt_allow_userns : prebuilt_default;
}
#else
const unsigned char *seccomp_prebuilt(bool allow_userns, size_t *len)
{
	(void)allow_userns;
	*len = 0;
	return NULL;
}
#endif
