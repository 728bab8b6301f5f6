"""Change tracking as documented in "About Change Tracking (SQL Server)",
"Work with Change Tracking", "CHANGETABLE" and "CHANGE_TRACKING_MIN_VALID_VERSION".

Model:
- one database-wide version counter (_peer_state.ct_version); a transaction
  that changes a tracked table takes the next version at its first tracked
  change. Writers are serialised by SQLite's write lock, so versions follow
  commit order and a rolled-back transaction leaves no trace (the next
  transaction takes the same number, as nothing was committed with it);
- _peer_ct holds one entry per (table, primary key, version) with the net
  operation of that transaction ('I', 'U', 'D'), the updated column ids and
  the change context;
- CHANGETABLE(CHANGES t, v) folds the entries with version > v per key:
  SYS_CHANGE_VERSION is the newest entry's version, SYS_CHANGE_CREATION_VERSION
  the version of the newest insert, the operation is 'D' if the newest entry
  is a delete (including a row inserted and deleted after v: the key is
  reported deleted), else 'I' if the oldest entry after v is an insert (the
  row did not exist at v), else 'U' with the union of the updated columns
  (NULL when column tracking is off, when an update set every non-key column,
  or when the key was deleted and inserted again after v: "an update to all
  columns", as the CHANGETABLE docs say);
- TRUNCATE TABLE removes the table's entries and raises its minimum valid
  version to the current version (docs: "TRUNCATE TABLE ... the minimum valid
  version for the table is updated");
- cleanup (sp_flush_CT_internal_table_on_demand): the watermark is the newest
  version committed before now - retention; entries at or below it are
  removed and every table that lost entries gets min_valid_version = watermark.
"""
import json
import time

from . import errors
from .catalog import fold
from .functions import encode_mask
from .datatypes import SqlType, from_storage, to_storage

UNITS_S = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400}


class ChangeTracking:
    def __init__(self, session):
        self.s = session

    @property
    def conn(self):
        return self.s.conn

    def db_enabled(self):
        return bool(self.s.server.find_db(self.s.db["name"])["ct_on"])

    def _state(self):
        return self.conn.execute("SELECT v FROM _peer_state WHERE k='ct_version'").fetchone()[0]

    def current_version(self):
        if not self.db_enabled():
            return None
        v = self._state()
        # Inside a transaction that has changed tracked rows, the version it
        # holds is not committed yet: SQL Server reports the last committed one.
        if self.s.ct_version is not None:
            v = self.s.ct_version - 1
        return v

    def tracked(self, oid):
        row = self.conn.execute("SELECT track_columns, min_valid FROM _peer_ct_tables WHERE object_id=?",
                                (oid,)).fetchone()
        return row

    def min_valid_version(self, oid):
        if oid is None or not self.db_enabled():
            return None
        row = self.tracked(int(oid))
        return None if row is None else row[1]

    def enable_table(self, table, track_columns):
        if not self.db_enabled():
            raise errors.SqlError(1718, "Change tracking must be enabled on database '%s' before it can be enabled on table '%s'."
                                  % (self.s.db["name"], table.name), 16, 1)
        if self.tracked(table.object_id):
            raise errors.SqlError(4996, "Change tracking is already enabled for table '%s'." % table.name, 16, 1)
        if not table.pk:
            raise errors.SqlError(4997, "Cannot enable change tracking on table '%s'. Change tracking requires a primary key on the table. Create a primary key on the table before enabling change tracking."
                                  % table.name, 16, 1)
        v = self._state()
        self.conn.execute("INSERT INTO _peer_ct_tables VALUES (?, ?, ?, ?)", (table.object_id, int(track_columns), v, v))

    def disable_table(self, table):
        if not self.tracked(table.object_id):
            raise errors.SqlError(4998, "Change tracking is not enabled on table '%s'." % table.name, 16, 1)
        self.conn.execute("DELETE FROM _peer_ct_tables WHERE object_id=?", (table.object_id,))
        self.conn.execute("DELETE FROM _peer_ct WHERE object_id=?", (table.object_id,))

    def any_tracked(self):
        return self.conn.execute("SELECT COUNT(*) FROM _peer_ct_tables").fetchone()[0] > 0

    def _now(self):
        return time.time() + self.s.server.clock_offset()

    def _version(self):
        if self.s.ct_version is None:
            v = self._state() + 1
            self.conn.execute("UPDATE _peer_state SET v=? WHERE k='ct_version'", (v,))
            self.conn.execute("INSERT OR REPLACE INTO _peer_ct_commits VALUES (?, ?)", (v, self._now()))
            self.s.ct_version = v
        return self.s.ct_version

    def pk_key(self, table, values_by_name):
        return json.dumps([to_storage(values_by_name[c], table.col(c)["sqltype"]) for c in table.pk["columns"]])

    def record(self, table, pk_json, op, column_ids=None, context=None):
        row = self.tracked(table.object_id)
        if row is None:
            return
        track_columns = bool(row[0])
        v = self._version()
        old = self.conn.execute("SELECT op, mask FROM _peer_ct WHERE object_id=? AND pk=? AND version=?",
                                (table.object_id, pk_json, v)).fetchone()
        mask = None
        if op == "U" and track_columns and column_ids is not None:
            non_key = {c["id"] for c in table.columns if fold(c["name"]) not in {fold(k) for k in table.pk["columns"]}}
            # docs (CHANGETABLE, SYS_CHANGE_COLUMNS): NULL when "all nonprimary key
            # columns were updated in one operation"
            if not non_key <= set(column_ids):
                mask = json.dumps(sorted(set(column_ids)))
        if old:
            prev_op, prev_mask = old
            if prev_op == "I" and op == "U":
                op, mask = "I", None
            elif prev_op == "D" and op == "I":
                op, mask = "U", None   # deleted and re-inserted in one transaction: every column changed
            elif prev_op == "U" and op == "U":
                if prev_mask is None or mask is None:
                    mask = None
                else:
                    mask = json.dumps(sorted(set(json.loads(prev_mask)) | set(json.loads(mask))))
        self.conn.execute("INSERT OR REPLACE INTO _peer_ct VALUES (?, ?, ?, ?, ?, ?)",
                          (table.object_id, pk_json, v, op, mask, context))

    def truncate(self, table):
        if not self.tracked(table.object_id):
            return
        self.conn.execute("DELETE FROM _peer_ct WHERE object_id=?", (table.object_id,))
        self.conn.execute("UPDATE _peer_ct_tables SET min_valid=? WHERE object_id=?",
                          (self._state(), table.object_id))

    def changes(self, table, last_version):
        """Rows of CHANGETABLE(CHANGES table, last_version)."""
        row = self.tracked(table.object_id)
        if row is None:
            raise errors.SqlError(22105, "Change tracking is not enabled on table '%s'." % table.name, 16, 1)
        track_columns = bool(row[0])
        since = -1 if last_version is None else int(last_version)
        entries = {}
        for pk, version, op, mask, ctx in self.conn.execute(
                "SELECT pk, version, op, mask, context FROM _peer_ct WHERE object_id=? ORDER BY pk, version",
                (table.object_id,)):
            entries.setdefault(pk, []).append((version, op, mask, ctx))
        pk_types = [table.col(c)["sqltype"] for c in table.pk["columns"]]
        out = []
        for pk, es in entries.items():
            newer = [e for e in es if e[0] > since]
            if not newer:
                continue
            last = newer[-1]
            inserts = [e[0] for e in es if e[1] == "I"]
            creation = inserts[-1] if inserts else None
            if last[1] == "D":
                op, cols = "D", None
            elif newer[0][1] == "I":
                # the row did not exist at the baseline
                op, cols = "I", None
            else:
                op = "U"
                # docs (CHANGETABLE): a delete followed by an insert of the same key
                # "is seen as an update to all columns in the row" (NULL mask)
                if not track_columns or any(e[1] != "U" or e[2] is None for e in newer):
                    cols = None
                else:
                    ids = set()
                    for e in newer:
                        ids |= set(json.loads(e[2]))
                    cols = encode_mask(ids)
            keys = [from_storage(v, t) for v, t in zip(json.loads(pk), pk_types)]
            out.append([last[0], creation, op, cols, last[3]] + keys)
        return out

    @staticmethod
    def columns(table):
        cols = [("SYS_CHANGE_VERSION", SqlType("bigint"), True),
                ("SYS_CHANGE_CREATION_VERSION", SqlType("bigint"), True),
                ("SYS_CHANGE_OPERATION", SqlType("nchar", 1), True),
                ("SYS_CHANGE_COLUMNS", SqlType("varbinary", 4100), True),
                ("SYS_CHANGE_CONTEXT", SqlType("varbinary", 128), True)]
        for c in table.pk["columns"]:
            col = table.col(c)
            cols.append((col["name"], col["sqltype"], False))
        return cols

    def cleanup(self, only_table=None):
        """Forced cleanup; returns the number of entries removed."""
        db = self.s.server.find_db(self.s.db["name"])
        if not db["ct_on"]:
            return 0
        cutoff = self._now() - db["ct_retention"] * UNITS_S[db["ct_units"]]
        row = self.conn.execute("SELECT MAX(version) FROM _peer_ct_commits WHERE commit_time < ?", (cutoff,)).fetchone()
        watermark = row[0]
        if watermark is None:
            return 0
        removed = 0
        where = "" if only_table is None else " AND object_id = %d" % only_table.object_id
        for (oid,) in self.conn.execute("SELECT DISTINCT object_id FROM _peer_ct WHERE version <= ?" + where,
                                        (watermark,)).fetchall():
            n = self.conn.execute("DELETE FROM _peer_ct WHERE object_id=? AND version <= ?", (oid, watermark)).rowcount
            removed += n
            self.conn.execute("UPDATE _peer_ct_tables SET min_valid = MAX(min_valid, ?) WHERE object_id=?",
                              (watermark, oid))
        return removed
