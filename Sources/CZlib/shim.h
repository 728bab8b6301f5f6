#ifndef SCIMSYNC_CZLIB_SHIM_H
#define SCIMSYNC_CZLIB_SHIM_H
#include <zlib.h>
#endif
