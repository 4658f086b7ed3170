#define _GNU_SOURCE
#include "CSlipwayBuild.h"
#include <sched.h>

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
