#define _GNU_SOURCE
#include "CSlipwayBuild.h"
#include <sched.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

// scripts/release writes build_commit.h (git-ignored) with
//   #define SLIPWAY_COMMIT "<40 hex digits>"
// Any other build has none, and reports no commit.
#if __has_include("build_commit.h")
#include "build_commit.h"
#endif
#ifndef SLIPWAY_COMMIT
#define SLIPWAY_COMMIT ""
#endif

const char *slipway_build_commit(void) { return SLIPWAY_COMMIT; }

int slipway_affinity_cpus(void) {
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
    return CPU_COUNT(&set);
#else
    return 0;
#endif
}

int slipway_pidfd_open(int pid) {
#if defined(__linux__) && defined(SYS_pidfd_open)
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int slipway_pipe_cloexec(int fds[2]) {
#ifdef __linux__
    return pipe2(fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}
