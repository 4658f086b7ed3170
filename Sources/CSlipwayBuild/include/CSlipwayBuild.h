#ifndef CSLIPWAYBUILD_H
#define CSLIPWAYBUILD_H

/// The commit a release build was made from (40 hex digits, "-dirty" appended for a tree with
/// changes), or "" for any other build. scripts/release writes it to build_commit.h beside
/// build.c; only that one C file is compiled again when it changes.
const char *slipway_build_commit(void);

/// The number of CPUs in this process's affinity mask (sched_getaffinity(2) and CPU_COUNT, which
/// Swift's Glibc module does not export), or 0 when it cannot be read.
int slipway_affinity_cpus(void);

#endif
