"""What the seeds' ways write, shared by bench/peers/seeds_reconcile.py (pull from SQL) and
bench/peers/seeds_scim_pull.py (pull from SCIM): everything upserted into the portal layout
(bench/lib/pipeline.sh's configuration) in batches of INSERT ... ON DUPLICATE KEY UPDATE, one
transaction per batch, then what the pull did not return deleted (memberships, then users,
then groups, children before parents).
"""
import time

BATCH = 1000


def write(connection, sql, rows):
    """Runs `sql` over `rows`, a batch per statement and transaction."""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            # PyMySQL turns executemany of one INSERT ... VALUES into one multi-row statement.
            cursor.executemany(sql, rows[start:start + BATCH])
            connection.commit()


def upsert_all(connection, users, groups, members, with_parent):
    """Users (id, login, given, family, mail, title, employee number, enabled), groups (id,
    title[, parent]) in id order, memberships (user, group)."""
    if with_parent:
        write(connection, "INSERT INTO portal_groups (id, title, parent) VALUES (%s, %s, %s) "
              "ON DUPLICATE KEY UPDATE title = VALUES(title), parent = VALUES(parent)", groups)
    else:
        write(connection, "INSERT INTO portal_groups (id, title) VALUES (%s, %s) "
              "ON DUPLICATE KEY UPDATE title = VALUES(title)", groups)
    write(
        connection,
        "INSERT INTO portal_users (id, login, given_name, family_name, mail, title, employee_no, enabled) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON DUPLICATE KEY UPDATE login = VALUES(login), "
        "given_name = VALUES(given_name), family_name = VALUES(family_name), mail = VALUES(mail), "
        "title = VALUES(title), employee_no = VALUES(employee_no), enabled = VALUES(enabled)",
        users)
    write(connection, "INSERT INTO portal_memberships (user_id, group_id) VALUES (%s, %s) "
          "ON DUPLICATE KEY UPDATE group_id = VALUES(group_id)", members)


def delete_missing(connection, users, groups, members):
    """Deletes the target's rows the pull did not return; returns how many of each."""
    with connection.cursor() as cursor:
        # str(): the target's ids may be text or integers.
        cursor.execute("SELECT user_id, group_id FROM portal_memberships")
        extra_members = list({(str(u), str(g)) for u, g in cursor.fetchall()} - set(members))
        cursor.execute("SELECT id FROM portal_users")
        pulled_users = {row[0] for row in users}
        extra_users = [(str(i),) for i, in cursor.fetchall() if str(i) not in pulled_users]
        cursor.execute("SELECT id FROM portal_groups")
        pulled_groups = {row[0] for row in groups}
        extra_groups = [(str(i),) for i, in cursor.fetchall() if str(i) not in pulled_groups]
    connection.commit()
    write(connection, "DELETE FROM portal_memberships WHERE user_id = %s AND group_id = %s", extra_members)
    write(connection, "DELETE FROM portal_memberships WHERE user_id = %s", extra_users)
    write(connection, "DELETE FROM portal_users WHERE id = %s", extra_users)
    # Children before parents: the parent foreign key.
    for row in sorted(extra_groups, key=lambda g: int(g[0]) if g[0].isdigit() else 0, reverse=True):
        write(connection, "UPDATE portal_groups SET parent = NULL WHERE parent = %s", [row])
        write(connection, "DELETE FROM portal_memberships WHERE group_id = %s", [row])
        write(connection, "DELETE FROM portal_groups WHERE id = %s", [row])
    return {"users": len(extra_users), "groups": len(extra_groups), "memberships": len(extra_members)}


def upsert_then_delete(connection, users, groups, members, with_parent, seconds):
    """Both steps, timed into `seconds` ("upsert", "delete"); closes the connection and returns
    what was deleted."""
    step = time.perf_counter()
    upsert_all(connection, users, groups, members, with_parent)
    seconds["upsert"] = time.perf_counter() - step
    step = time.perf_counter()
    deleted = delete_missing(connection, users, groups, members)
    connection.close()
    seconds["delete"] = time.perf_counter() - step
    return deleted
