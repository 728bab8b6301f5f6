#ifndef SCIMSYNC_CMARIADB_SHIM_H
#define SCIMSYNC_CMARIADB_SHIM_H
#include <stddef.h>
#include <mysql.h>
#include <mariadb_rpl.h>

/*
 * Swift cannot call C variadic functions, and Connector/C's option setters are variadic
 * (mysql_optionsv, mariadb_rpl_optionsv) or macros (mariadb_rpl_init). These wrappers give each
 * option kind a fixed signature matching what the library reads with va_arg
 * (libmariadb/mariadb_lib.c, libmariadb/mariadb_rpl.c).
 */

/* mysql_library_init is a macro for mysql_server_init. Not thread-safe: call once, first. */
static inline int scimsync_mysql_library_init(void) {
    return mysql_server_init(0, NULL, NULL);
}

/* Options read as `unsigned int *`: MYSQL_OPT_CONNECT_TIMEOUT, MYSQL_OPT_READ_TIMEOUT,
   MYSQL_OPT_WRITE_TIMEOUT, MYSQL_OPT_PROTOCOL, MYSQL_OPT_LOCAL_INFILE. */
static inline int scimsync_mysql_set_uint_option(MYSQL *mysql, enum mysql_option option, unsigned int value) {
    return mysql_optionsv(mysql, option, &value);
}

/* Options read as `my_bool *`: MYSQL_REPORT_DATA_TRUNCATION, MYSQL_OPT_RECONNECT. */
static inline int scimsync_mysql_set_bool_option(MYSQL *mysql, enum mysql_option option, my_bool value) {
    return mysql_optionsv(mysql, option, &value);
}

/* Options read as `const char *`: MYSQL_SET_CHARSET_NAME, MYSQL_INIT_COMMAND. */
static inline int scimsync_mysql_set_string_option(MYSQL *mysql, enum mysql_option option, const char *value) {
    return mysql_optionsv(mysql, option, value);
}

/* mariadb_rpl_init is a macro passing the API version the header was built for. */
static inline MARIADB_RPL *scimsync_rpl_init(MYSQL *mysql) {
    return mariadb_rpl_init(mysql);
}

/* MARIADB_RPL_FILENAME reads (char *name, size_t length); the library copies the name. */
static inline int scimsync_rpl_set_filename(MARIADB_RPL *rpl, const char *name, size_t length) {
    return mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, name, length);
}

/* MARIADB_RPL_START reads an `unsigned long` binlog offset. */
static inline int scimsync_rpl_set_start(MARIADB_RPL *rpl, unsigned long position) {
    return mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, position);
}

/* MARIADB_RPL_SERVER_ID reads an `unsigned int`: the replica id announced to the server. */
static inline int scimsync_rpl_set_server_id(MARIADB_RPL *rpl, unsigned int serverID) {
    return mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, serverID);
}

/* MARIADB_RPL_FLAGS reads an `unsigned int` of MARIADB_RPL_BINLOG_* flags. */
static inline int scimsync_rpl_set_flags(MARIADB_RPL *rpl, unsigned int flags) {
    return mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, flags);
}

#endif
