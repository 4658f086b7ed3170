#include <zlib.h>

// deflateInit2 is a macro; Swift cannot call macros.
static inline int slipway_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
