#ifndef SCIMSYNC_CLIBPQ_SHIM_H
#define SCIMSYNC_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
