#include "CSlipwayBuild.h"

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
