"""The seeds' way of taking a nightly export: read the whole file, upsert every user into the
target and deactivate whoever is missing, in one transaction (no digest, no diff: every user
is written every night). Python's sqlite3 on the same tables as scimsync's target.

    python3 seeds_feed_upsert.py TARGET.db EXPORT.tsv
"""
import csv
import sqlite3
import sys


def main(db_path, export_path):
    with open(export_path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))  # the whole export in memory, as the seeds do
    db = sqlite3.connect(db_path)
    with db:
        db.execute("CREATE TEMP TABLE seen (login TEXT PRIMARY KEY)")
        for row in rows:
            login = row["login"].lower()
            db.execute("INSERT INTO seen VALUES (?)", (login,))
            db.execute(
                """INSERT INTO portal_users (id, login, given_name, family_name, mail, title, enabled)
                   VALUES (?, ?, ?, ?, ?, ?, 1)
                   ON CONFLICT (id) DO UPDATE SET login = excluded.login, given_name = excluded.given_name,
                     family_name = excluded.family_name, mail = excluded.mail, title = excluded.title, enabled = 1""",
                (login, row["login"], row["first"], row["last"], row["mail"], row["title"]))
        db.execute("UPDATE portal_users SET enabled = 0 WHERE login NOT IN (SELECT login FROM seen)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
