#ifndef SCIMSYNC_CMARIADB_SHIM_H
#define SCIMSYNC_CMARIADB_SHIM_H
#include <mysql.h>
#include <mariadb_rpl.h>
#endif
