// Build facts a release build passes on the compiler's command line (scripts/release):
//   swift build ... -Xcc -DSLIPWAY_COMMIT='"<40 hex digits>"'
// Any other build leaves them empty.
#ifndef SLIPWAY_COMMIT
#define SLIPWAY_COMMIT ""
#endif

static inline const char *slipway_build_commit(void) { return SLIPWAY_COMMIT; }
