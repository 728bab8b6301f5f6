"""Logins, database users and object permissions: the minimum of SQL Server's security that a
change-tracking reader's login meets (CREATE LOGIN … WITH PASSWORD, CREATE USER … FOR LOGIN,
GRANT/REVOKE SELECT, INSERT, UPDATE, DELETE, VIEW CHANGE TRACKING ON a table TO a user).

`sa` is sysadmin: no check applies to it, as none applies to a member of the sysadmin role.
Any other login may connect to master (its guest user) and to a database where a user was
created for it; it reads and writes a table only with the permission granted to that user
(error 229 otherwise) and may not run DDL or manage security (error 262/15247).
Not modelled: roles (db_owner, db_datareader …), schema- or database-wide GRANTs, DENY,
column permissions, ownership chains, metadata visibility (catalog views show every object
to every user, where SQL Server hides those a user has no permission on).
"""
from . import errors
from .catalog import fold

PERMISSIONS = ("SELECT", "INSERT", "UPDATE", "DELETE", "VIEW CHANGE TRACKING")

MASTER_DDL = "CREATE TABLE IF NOT EXISTS logins (name TEXT PRIMARY KEY COLLATE CI, password TEXT NOT NULL)"
DATABASE_DDL = """
    CREATE TABLE IF NOT EXISTS _peer_users (name TEXT PRIMARY KEY COLLATE CI, login TEXT NOT NULL UNIQUE COLLATE CI);
    CREATE TABLE IF NOT EXISTS _peer_perms (user TEXT NOT NULL COLLATE CI, object_id INTEGER NOT NULL,
        permission TEXT NOT NULL, PRIMARY KEY (user, object_id, permission));
"""


def login_ok(server, name, password):
    if fold(name) == "sa":
        return password == server.password
    with server.lock:
        row = server.master.execute("SELECT password FROM logins WHERE name = ?", (name,)).fetchone()
    return row is not None and row[0] == password


def is_sysadmin(session):
    return fold(session.login) == "sa"


def user_of(session, db):
    """The database user of the session's login in db, or None. master lets every login in
    as guest."""
    if is_sysadmin(session):
        return "dbo"
    from .catalog import connect
    c = connect(session.server.db_path(db["id"]))
    try:
        row = c.execute("SELECT name FROM _peer_users WHERE login = ?", (session.login,)).fetchone()
    finally:
        c.close()
    if row is None and fold(db["name"]) == "master":
        return "guest"
    return row[0] if row else None


def may_enter(session, db):
    return user_of(session, db) is not None


def require(session, table, permission):
    """Error 229 unless the session's user was granted permission on table."""
    if is_sysadmin(session):
        return
    row = session.conn.execute(
        "SELECT 1 FROM _peer_perms p JOIN _peer_users u ON u.name = p.user "
        "WHERE u.login = ? AND p.object_id = ? AND p.permission = ?",
        (session.login, table.object_id, permission)).fetchone()
    if row is None:
        raise errors.SqlError(229, "The %s permission was denied on the object '%s', database '%s', schema '%s'."
                              % (permission, table.name, session.db["name"], table.schema), 14, 5)


def require_sysadmin(session, what):
    if not is_sysadmin(session):
        raise errors.SqlError(262, "%s permission denied in database '%s'." % (what, session.db["name"]), 14, 1)


def create_login(session, name, password):
    if not is_sysadmin(session):
        raise errors.SqlError(15247, "User does not have permission to perform this action.", 16, 1)
    server = session.server
    with server.lock:
        if fold(name) == "sa" or server.master.execute("SELECT 1 FROM logins WHERE name = ?", (name,)).fetchone():
            raise errors.SqlError(15025, "The server principal '%s' already exists." % name, 16, 1)
        server.master.execute("INSERT INTO logins VALUES (?, ?)", (name, password))


def create_user(session, name, login):
    if not is_sysadmin(session):
        raise errors.SqlError(15247, "User does not have permission to perform this action.", 16, 1)
    server = session.server
    with server.lock:
        known = fold(login) == "sa" or server.master.execute("SELECT 1 FROM logins WHERE name = ?", (login,)).fetchone()
    if not known:
        raise errors.SqlError(15007, "'%s' is not a valid login or you do not have permission." % login, 16, 1)
    c = session.conn
    if c.execute("SELECT 1 FROM _peer_users WHERE name = ?", (name,)).fetchone() or fold(name) in ("dbo", "guest"):
        raise errors.SqlError(15023, "User, group, or role '%s' already exists in the current database." % name, 16, 1)
    if fold(login) == "sa" or c.execute("SELECT 1 FROM _peer_users WHERE login = ?", (login,)).fetchone():
        raise errors.SqlError(15063, "The login already has an account under a different user name.", 16, 1)
    c.execute("INSERT INTO _peer_users VALUES (?, ?)", (name, login))


def grant(session, permissions, table_parts, user, revoke=False):
    if not is_sysadmin(session):
        raise errors.SqlError(15247, "User does not have permission to perform this action.", 16, 1)
    schema, tname = session.split_name(table_parts)
    from .catalog import find_table
    table = find_table(session.conn, schema, tname)
    if table is None:
        raise errors.SqlError(15151, "Cannot find the object '%s', because it does not exist or you do not have permission."
                              % tname, 16, 1)
    row = session.conn.execute("SELECT name FROM _peer_users WHERE name = ?", (user,)).fetchone()
    if row is None:
        raise errors.SqlError(15151, "Cannot find the user '%s', because it does not exist or you do not have permission."
                              % user, 16, 1)
    for p in permissions:
        if revoke:
            session.conn.execute("DELETE FROM _peer_perms WHERE user = ? AND object_id = ? AND permission = ?",
                                 (row[0], table.object_id, p))
        else:
            session.conn.execute("INSERT OR IGNORE INTO _peer_perms VALUES (?, ?, ?)", (row[0], table.object_id, p))
