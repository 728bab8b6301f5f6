#ifndef SCIMSYNC_CFREETDS_SHIM_H
#define SCIMSYNC_CFREETDS_SHIM_H
#include <stddef.h>
#include <sybfront.h>
#include <sybdb.h>

/*
 * db-lib's login setters are macros over dbsetlname/dbsetlbool/dbsetlversion (sybdb.h:
 * "#define DBSETLUSER(x,y) dbsetlname((x), (y), DBSETUSER)"), which Swift does not import.
 * These wrappers give each one a function with the same contract.
 */

static inline RETCODE scimsync_dbsetluser(LOGINREC *login, const char *value) { return DBSETLUSER(login, value); }
static inline RETCODE scimsync_dbsetlpwd(LOGINREC *login, const char *value) { return DBSETLPWD(login, value); }
static inline RETCODE scimsync_dbsetlapp(LOGINREC *login, const char *value) { return DBSETLAPP(login, value); }
static inline RETCODE scimsync_dbsetlcharset(LOGINREC *login, const char *value) { return DBSETLCHARSET(login, value); }
static inline RETCODE scimsync_dbsetldbname(LOGINREC *login, const char *value) { return DBSETLDBNAME(login, value); }
/* UTF-16LE rather than UCS-2LE for NVARCHAR data, so characters outside the BMP survive as
   surrogate pairs (src/tds/iconv.c, tds_iconv_open: "use_utf16"). */
static inline RETCODE scimsync_dbsetlutf16(LOGINREC *login, int value) { return DBSETLUTF16(login, value); }
static inline RETCODE scimsync_dbsetlversion_74(LOGINREC *login) { return dbsetlversion(login, DBVERSION_74); }

/* dbopen is a macro choosing tdsdbopen's msdblib flag from MSDBLIB. Passing 0 explicitly keeps
   dbdatecrack's Sybase conventions (months 0-11) whatever the including code defines. */
static inline DBPROCESS *scimsync_dbopen(LOGINREC *login, const char *server) { return tdsdbopen(login, server, 0); }

/* DBRPCRESET is a cast macro: drops an RPC that dbrpcinit/dbrpcparam began and dbrpcsend did
   not send, which would otherwise make the next dbrpcinit fail (src/dblib/rpc.c). */
static inline RETCODE scimsync_dbrpcreset(DBPROCESS *dbproc) { return dbrpcinit(dbproc, "", DBRPCRESET); }

#endif
