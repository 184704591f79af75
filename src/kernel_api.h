/* SPDX-License-Identifier: MIT */
/*
 * Local copies of the kernel's newer mount and open interfaces (openat2,
 * mount_setattr, open_tree): glibc 2.36 and linux/mount.h clash when both
 * are included, and older glibc lacks them.
 */
#ifndef SBX_KERNEL_API_H
#define SBX_KERNEL_API_H

#include <stdint.h>
#include <sys/syscall.h>

#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

struct sbx_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define SBX_RESOLVE_NO_MAGICLINKS 0x02
#define SBX_RESOLVE_NO_SYMLINKS 0x04
#define SBX_RESOLVE_IN_ROOT 0x10

struct sbx_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;
	uint64_t userns_fd;
};
#define SBX_ATTR_RDONLY 0x1
#define SBX_ATTR_NOSUID 0x2
#define SBX_ATTR_NODEV 0x4
#define SBX_ATTR_NOEXEC 0x8

#define SBX_OPEN_TREE_CLONE 1
#define SBX_AT_RECURSIVE 0x8000

#endif
