"""The seeds' way of reconciling, as a peer for bench/reconcile.

Pulls every row of the source's seed layout (sync_users, sync_groups,
sync_users_groups_rel) into the client, upserts all of it into the target's portal layout
and deletes the rows the source does not have (bench/peers/seeds_writes.py, shared with the
SCIM pull). No comparison: everything is written every time, and there are no
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

from seeds_writes import upsert_then_delete

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

    # 2. Upsert everything into the target, 3. delete what the source does not have.
    deleted = upsert_then_delete(connect(target_db), users, groups, members, with_parent=True, seconds=seconds)
    seconds["total"] = time.perf_counter() - started

    print(json.dumps({
        "source": {"users": len(users), "groups": len(groups), "memberships": len(members)},
        "upserted": len(users) + len(groups) + len(members),
        "deleted": deleted,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }))


if __name__ == "__main__":
    main()
