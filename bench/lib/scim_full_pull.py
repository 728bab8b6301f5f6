"""Reads every user of a SCIM server once, 1,000 a page, as a pull client does, and prints
what it took as one JSON line.

    python scim_full_pull.py BASE TOKEN index|cursor

index: GET BASE/Users?startIndex=1,1001,...&count=1000 until totalResults (RFC 7644 §3.4.2.4).
cursor: GET BASE/Users?cursor=&count=1000, then each nextCursor until a page has none
(RFC 9865 §2). One keep-alive connection; every page's JSON is decoded, as a client must.
Prints {"paging", "users", "pages", "seconds", "first_page_ms", "last_page_ms", "slowest_page_ms"}.
"""

import http.client
import json
import sys
import time
import urllib.parse

PAGE = 1000


def main(base, token, paging):
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/scim+json"}
    ids = set()
    durations = []
    start_index, cursor = 1, ""
    began = time.perf_counter()
    while True:
        if paging == "index":
            query = f"startIndex={start_index}&count={PAGE}"
        else:
            query = f"cursor={urllib.parse.quote(cursor)}&count={PAGE}"
        asked = time.perf_counter()
        connection.request("GET", f"{url.path}/Users?{query}", headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            sys.exit(f"{query}: HTTP {response.status}: {body[:300]!r}")
        page = json.loads(body)
        durations.append(time.perf_counter() - asked)
        resources = page.get("Resources", [])
        ids.update(resource["id"] for resource in resources)
        if paging == "index":
            start_index += len(resources)
            if not resources or start_index > page["totalResults"]:
                break
        else:
            cursor = page.get("nextCursor")
            if not cursor or not resources:
                break
    seconds = time.perf_counter() - began
    print(json.dumps({
        "paging": paging, "users": len(ids), "pages": len(durations), "seconds": round(seconds, 2),
        "first_page_ms": round(durations[0] * 1000, 1), "last_page_ms": round(durations[-1] * 1000, 1),
        "slowest_page_ms": round(max(durations) * 1000, 1),
    }))


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[3] not in ("index", "cursor"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(*sys.argv[1:])
