#ifndef COLLECTSTATIC_CLINUX_H
#define COLLECTSTATIC_CLINUX_H

// Linux calls that Swift's Glibc module does not declare (they need _GNU_SOURCE or <malloc.h>),
// given to Swift with their real prototypes. Each returns what the call returns; on a system
// without the call it fails with errno ENOSYS.

#include <stddef.h>
#include <stdint.h>

/// renameat2(2); `flags` 2 is RENAME_EXCHANGE.
int collectstatic_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/// copy_file_range(2).
long collectstatic_copy_file_range(int fd_in, int64_t *off_in, int fd_out, int64_t *off_out, size_t len,
                                   unsigned int flags);

/// mallopt(3).
int collectstatic_mallopt(int param, int value);

/// malloc_trim(3).
int collectstatic_malloc_trim(size_t pad);

/// <malloc.h>'s mallopt parameters.
#define COLLECTSTATIC_M_TRIM_THRESHOLD (-1)
#define COLLECTSTATIC_M_MMAP_THRESHOLD (-3)
#define COLLECTSTATIC_M_ARENA_MAX (-8)

/// <stdio.h>'s RENAME_EXCHANGE.
#define COLLECTSTATIC_RENAME_EXCHANGE 2

#endif
