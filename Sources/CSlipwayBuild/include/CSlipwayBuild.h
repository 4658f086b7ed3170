#ifndef CSLIPWAYBUILD_H
#define CSLIPWAYBUILD_H

#ifdef __linux__
// epoll(7) for SlipwayProcess's reactor (Swift's Glibc module does not export it).
#include <sys/epoll.h>
#endif

/// The commit a release build was made from (40 hex digits, "-dirty" appended for a tree with
/// changes), or "" for any other build. scripts/release writes it to build_commit.h beside
/// build.c; only that one C file is compiled again when it changes.
const char *slipway_build_commit(void);

/// The number of CPUs in this process's affinity mask (sched_getaffinity(2) and CPU_COUNT, which
/// Swift's Glibc module does not export), or 0 when it cannot be read.
int slipway_affinity_cpus(void);

/// pidfd_open(2) (Linux 5.3+; glibc has no wrapper before 2.36): a descriptor that becomes
/// readable when process `pid` exits, or -1 with errno set (ENOSYS on older kernels).
int slipway_pidfd_open(int pid);

/// pipe2(fds, O_CLOEXEC) (Swift's Glibc module exports only pipe(2)): 0, or -1 with errno set.
int slipway_pipe_cloexec(int fds[2]);

#endif
