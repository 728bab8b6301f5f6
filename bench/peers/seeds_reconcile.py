"""The seeds' way of reconciling, as a peer for bench/reconcile (issue 5).

Pulls every row of the source's seed layout (sync_users, sync_groups,
sync_users_groups_rel) into the client, upserts all of it into the target's portal layout
(portal_users, portal_groups, portal_memberships: the layout of bench/lib/pipeline.sh's
configuration) in batches of INSERT ... ON DUPLICATE KEY UPDATE, one transaction per batch,
then reads the target's ids and deletes the rows the source does not have (memberships,
then users, then groups). No comparison: everything is written every time, and there are no
safety limits and no ownership ledger. Prints one JSON line with the counts and the seconds
of each step.

    seeds_reconcile.py HOST PORT USER PASSWORD SOURCE_DB TARGET_DB

Groups are upserted in id order with their parent set: a parent must already exist (the
target's foreign key), which holds for bench/reconcile's tree (a parent's id is below its
children's), not for every directory.
"""
import json
import sys
import time

import pymysql

BATCH = 1000


def batches(rows):
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def upsert(connection, sql, rows):
    with connection.cursor() as cursor:
        for batch in batches(rows):
            # PyMySQL turns executemany of one INSERT ... VALUES into one multi-row statement.
            cursor.executemany(sql, batch)
            connection.commit()


def delete(connection, sql, keys):
    with connection.cursor() as cursor:
        for batch in batches(keys):
            cursor.executemany(sql, batch)
            connection.commit()


def main() -> None:
    host, port, user, password, source_db, target_db = sys.argv[1:7]

    def connect(database):
        return pymysql.connect(
            host=host, port=int(port), user=user, password=password, database=database, charset="utf8mb4",
            autocommit=False)

    seconds = {}
    started = time.perf_counter()

    # 1. Pull everything from the source, in one consistent snapshot.
    source = connect(source_db)
    with source.cursor() as cursor:
        cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        cursor.execute("SELECT id, name, parent_id FROM sync_groups ORDER BY id")
        groups = [(str(i), name, None if parent is None else str(parent)) for i, name, parent in cursor.fetchall()]
        cursor.execute(
            "SELECT id, username, first_name, last_name, email, job_title, employee_number, is_active FROM sync_users")
        users = [(str(row[0]),) + tuple(row[1:7]) + (1 if row[7] else 0,) for row in cursor.fetchall()]
        cursor.execute("SELECT user_id, group_id FROM sync_users_groups_rel")
        members = [(str(u), str(g)) for u, g in cursor.fetchall()]
        source.commit()
    source.close()
    seconds["pull"] = time.perf_counter() - started

    # 2. Upsert everything into the target.
    step = time.perf_counter()
    target = connect(target_db)
    upsert(
        target,
        "INSERT INTO portal_groups (id, title, parent) VALUES (%s, %s, %s) "
        "ON DUPLICATE KEY UPDATE title = VALUES(title), parent = VALUES(parent)",
        groups)
    upsert(
        target,
        "INSERT INTO portal_users (id, login, given_name, family_name, mail, title, employee_no, enabled) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON DUPLICATE KEY UPDATE login = VALUES(login), "
        "given_name = VALUES(given_name), family_name = VALUES(family_name), mail = VALUES(mail), "
        "title = VALUES(title), employee_no = VALUES(employee_no), enabled = VALUES(enabled)",
        users)
    upsert(
        target,
        "INSERT INTO portal_memberships (user_id, group_id) VALUES (%s, %s) "
        "ON DUPLICATE KEY UPDATE group_id = VALUES(group_id)",
        members)
    seconds["upsert"] = time.perf_counter() - step

    # 3. Delete what the source does not have.
    step = time.perf_counter()
    with target.cursor() as cursor:
        # str(): the target's ids may be text or integers.
        cursor.execute("SELECT user_id, group_id FROM portal_memberships")
        extra_members = list({(str(u), str(g)) for u, g in cursor.fetchall()} - set(members))
        cursor.execute("SELECT id FROM portal_users")
        source_users = {row[0] for row in users}
        extra_users = [(str(i),) for i, in cursor.fetchall() if str(i) not in source_users]
        cursor.execute("SELECT id FROM portal_groups")
        source_groups = {row[0] for row in groups}
        extra_groups = [(str(i),) for i, in cursor.fetchall() if str(i) not in source_groups]
    target.commit()
    delete(target, "DELETE FROM portal_memberships WHERE user_id = %s AND group_id = %s", extra_members)
    delete(target, "DELETE FROM portal_memberships WHERE user_id = %s", extra_users)
    delete(target, "DELETE FROM portal_users WHERE id = %s", extra_users)
    # Children before parents: the parent foreign key.
    for row in sorted(extra_groups, key=lambda g: int(g[0]) if g[0].isdigit() else 0, reverse=True):
        delete(target, "UPDATE portal_groups SET parent = NULL WHERE parent = %s", [row])
        delete(target, "DELETE FROM portal_memberships WHERE group_id = %s", [row])
        delete(target, "DELETE FROM portal_groups WHERE id = %s", [row])
    target.close()
    seconds["delete"] = time.perf_counter() - step
    seconds["total"] = time.perf_counter() - started

    print(json.dumps({
        "source": {"users": len(users), "groups": len(groups), "memberships": len(members)},
        "upserted": len(users) + len(groups) + len(members),
        "deleted": {"users": len(extra_users), "groups": len(extra_groups), "memberships": len(extra_members)},
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }))


if __name__ == "__main__":
    main()
