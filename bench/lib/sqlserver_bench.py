"""What bench/sqlserver asks of the SQL Server side, through pymssql (FreeTDS, Debian's
python3-pymssql): the seed layout's tables with change tracking, a generated directory, and a
writer that inserts users at a steady rate.

usage (the login's password in the environment variable BENCH_SQLSERVER_PASSWORD):
  sqlserver_bench.py setup    HOST PORT USER DATABASE
  sqlserver_bench.py generate HOST PORT USER DATABASE USERS
  sqlserver_bench.py write    HOST PORT USER DATABASE FIRST_ID RATE SECONDS BATCH COMMITS_FILE
  sqlserver_bench.py drop     HOST PORT USER DATABASE

`write` inserts users FIRST_ID, FIRST_ID + 1, ... in transactions of BATCH rows, RATE rows per
second for SECONDS, and writes one line per transaction to COMMITS_FILE: "tx<TAB>COMMIT
issued<TAB>COMMIT returned" (unix seconds), the format bench/lib/lag_stats.py reads.
"""

import os
import sys
import time

# pymssql 2.2 knows TDS versions up to 7.3 by name; FreeTDS negotiates 7.4 through TDSVER.
os.environ.setdefault("TDSVER", "7.4")
import pymssql  # noqa: E402

TABLES = [
    """CREATE TABLE sync_groups (
        id INT NOT NULL PRIMARY KEY,
        name NVARCHAR(255) NOT NULL,
        parent_id INT NULL)""",
    """CREATE TABLE sync_users (
        id INT NOT NULL PRIMARY KEY,
        username NVARCHAR(255) NOT NULL UNIQUE,
        first_name NVARCHAR(255) NULL,
        last_name NVARCHAR(255) NULL,
        email NVARCHAR(255) NULL,
        job_title NVARCHAR(255) NULL,
        employee_number NVARCHAR(32) NULL,
        is_active BIT NOT NULL DEFAULT 1)""",
    """CREATE TABLE sync_users_groups_rel (
        user_id INT NOT NULL,
        group_id INT NOT NULL,
        PRIMARY KEY (user_id, group_id))""",
]

GIVEN = ["Ana", "Björn", "Chloé", "Dmitri", "Éowyn", "Fatima", "Georg", "Hana", "Ivan", "José"]
FAMILY = ["Müller", "O'Brien", "Иванов", "Παπαδόπουλος", "山田", "García", "Nguyen", "Smith"]


def connect(host, port, user, database=None):
    return pymssql.connect(server=host, port=int(port), user=user, password=os.environ["BENCH_SQLSERVER_PASSWORD"],
                           database=database or "master", autocommit=True)


def drop(host, port, user, database):
    admin = connect(host, port, user)
    admin.cursor().execute(f"DROP DATABASE IF EXISTS [{database}]")
    admin.close()


def setup(host, port, user, database):
    admin = connect(host, port, user)
    cursor = admin.cursor()
    cursor.execute(f"CREATE DATABASE [{database}]")
    cursor.execute(f"ALTER DATABASE [{database}] SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS, AUTO_CLEANUP = ON)")
    cursor.execute(f"ALTER DATABASE [{database}] SET ALLOW_SNAPSHOT_ISOLATION ON")
    admin.close()
    connection = connect(host, port, user, database)
    cursor = connection.cursor()
    for statement in TABLES:
        cursor.execute(statement)
    for table in ("sync_groups", "sync_users", "sync_users_groups_rel"):
        cursor.execute(f"ALTER TABLE {table} ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)")
    connection.close()


def user_row(number):
    given = GIVEN[number % len(GIVEN)]
    family = FAMILY[(number // len(GIVEN)) % len(FAMILY)]
    email = None if number % 25 == 0 else f"user{number}@example.com"
    return (number, f"user{number}", given, family, email, "Engineer", f"E{number}", 0 if number % 10 == 0 else 1)


def insert_users(cursor, numbers):
    rows = [user_row(n) for n in numbers]
    marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    flat = [value for row in rows for value in row]
    cursor.execute(
        "INSERT INTO sync_users (id, username, first_name, last_name, email, job_title, employee_number, is_active) "
        f"VALUES {marks}", tuple(flat))


def generate(host, port, user, database, users):
    users = int(users)
    groups = max(1, users // 50)
    connection = connect(host, port, user, database)
    cursor = connection.cursor()
    for start in range(1, groups + 1, 500):
        numbers = range(start, min(groups, start + 499) + 1)
        values = ", ".join(["(%s, %s, %s)"] * len(numbers))
        flat = []
        for n in numbers:
            flat += [n, f"Department {n}", None if n == 1 else (n - 1) // 8 + 1]
        cursor.execute(f"INSERT INTO sync_groups (id, name, parent_id) VALUES {values}", tuple(flat))
    for start in range(1, users + 1, 500):
        numbers = range(start, min(users, start + 499) + 1)
        insert_users(cursor, numbers)
        values = ", ".join(["(%s, %s)"] * len(numbers))
        flat = []
        for n in numbers:
            flat += [n, (n * 7919) % groups + 1]
        cursor.execute(f"INSERT INTO sync_users_groups_rel (user_id, group_id) VALUES {values}", tuple(flat))
    connection.close()
    print(f"{users} {groups} {users}")


def write(host, port, user, database, first_id, rate, seconds, batch, commits_file):
    first_id, rate, seconds, batch = int(first_id), int(rate), float(seconds), int(batch)
    total = int(rate * seconds)
    connection = connect(host, port, user, database)
    connection.autocommit(False)
    cursor = connection.cursor()
    started = time.time()
    with open(commits_file, "w") as out:
        tx = 0
        for offset in range(0, total, batch):
            due = started + offset / rate
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            numbers = range(first_id + offset, first_id + min(total, offset + batch))
            insert_users(cursor, numbers)
            issued = time.time()
            connection.commit()
            out.write(f"{tx}\t{issued:.6f}\t{time.time():.6f}\n")
            tx += 1
    connection.close()
    print(total)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"setup": setup, "generate": generate, "write": write, "drop": drop}[command](*args)
