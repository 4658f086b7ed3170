#ifndef CSLIPWAYBUILD_H
#define CSLIPWAYBUILD_H

/// The commit a release build was made from (40 hex digits, "-dirty" appended for a tree with
/// changes), or "" for any other build. scripts/release writes it to build_commit.h beside
/// build.c; only that one C file is compiled again when it changes.
const char *slipway_build_commit(void);

#endif
