"""python-mysql-replication (PyPI `mysql-replication`) as a binlog-decoding peer.

Streams the binlog from the server as a replica, from the start of LOG_FILE to the end of the
binlog (blocking=False stops there), decodes every WRITE/UPDATE/DELETE rows event and touches
every value of every row image, then prints one JSON line like scimsync-bench's.

    python_replication.py HOST PORT USER PASSWORD LOG_FILE
"""
import json
import resource
import sys
import time

from pymysqlreplication import BinLogStreamReader
from pymysqlreplication.row_event import DeleteRowsEvent, UpdateRowsEvent, WriteRowsEvent


def main() -> None:
    host, port, user, password, log_file = sys.argv[1:6]
    settings = {"host": host, "port": int(port), "user": user, "passwd": password}
    start = time.perf_counter()
    stream = BinLogStreamReader(
        connection_settings=settings,
        server_id=4243,
        log_file=log_file,
        log_pos=4,
        resume_stream=True,
        blocking=False,
        only_events=[WriteRowsEvent, UpdateRowsEvent, DeleteRowsEvent],
    )
    events = rows = touched = 0
    for event in stream:
        events += 1
        for row in event.rows:
            rows += 1
            if "values" in row:
                images = (row["values"],)
            else:
                images = (row["before_values"], row["after_values"])
            for image in images:
                for value in image.values():
                    touched += 1 if value is not None else 0
    stream.close()
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "tool": "python-mysql-replication",
                "events": events,
                "rows": rows,
                "values": touched,
                "seconds": round(seconds, 3),
                "rows_per_second": int(rows / seconds) if seconds > 0 else 0,
                # ru_maxrss is in KiB on Linux.
                "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            },
            separators=(",", ":"),
        )
    )


if __name__ == "__main__":
    main()
