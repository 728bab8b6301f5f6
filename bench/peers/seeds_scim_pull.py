"""The seeds' way of propagating changes, through SCIM, as a peer for bench/one-change.

On every run: GET every user and every group (with its members) from a SCIM 2.0 endpoint,
page by page (startIndex/count), upsert all of it into the target's portal layout and
delete what the endpoint did not return (bench/peers/seeds_writes.py, shared with the SQL
pull). A change reaches the target only through such a full pass, however small it is. SCIM
groups carry no parent, so the parent column is left as it is. Prints one JSON line: the counts, the bytes read from the endpoint (status lines,
headers and bodies), the requests made and the seconds of each step.

    seeds_scim_pull.py BASE_URL TOKEN PAGE_SIZE HOST PORT USER PASSWORD TARGET_DB

BASE_URL is the SCIM base (http://127.0.0.1:PORT/scim/v2); the token comes from the command
line because the bench script made it up for a private server.
"""
import http.client
import json
import sys
import time
import urllib.parse

import pymysql

from seeds_writes import upsert_then_delete

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class Endpoint:
    """One keep-alive HTTP connection that counts what it reads."""

    def __init__(self, base, token):
        url = urllib.parse.urlsplit(base)
        self.path = url.path.rstrip("/")
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/scim+json"}
        self.bytes_read = 0
        self.requests = 0

    def get(self, resource, query):
        self.connection.request("GET", f"{self.path}/{resource}?{urllib.parse.urlencode(query)}", headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        self.requests += 1
        # The status line and headers as they came, approximately: name, ": ", value, CRLF.
        self.bytes_read += len(body) + 17 + sum(len(k) + len(v) + 4 for k, v in response.getheaders())
        if response.status != 200:
            sys.exit(f"GET /{resource}: HTTP {response.status}: {body[:300]!r}")
        return json.loads(body)

    def every(self, resource, page_size):
        """Every resource of the type, page after page until totalResults are read."""
        start = 1
        while True:
            page = self.get(resource, {"startIndex": start, "count": page_size})
            resources = page.get("Resources", [])
            yield from resources
            start += len(resources)
            if not resources or start > page.get("totalResults", 0):
                return


def work_email(user):
    emails = user.get("emails") or []
    for email in emails:
        if email.get("type") == "work":
            return email.get("value")
    return None


def main() -> None:
    base, token, page_size, host, port, user, password, target_db = sys.argv[1:9]
    seconds = {}
    started = time.perf_counter()

    # 1. Pull everything.
    endpoint = Endpoint(base, token)
    users = []
    for resource in endpoint.every("Users", int(page_size)):
        name = resource.get("name") or {}
        users.append((
            resource["id"], resource.get("userName"), name.get("givenName"), name.get("familyName"),
            work_email(resource), resource.get("title"), (resource.get(ENTERPRISE) or {}).get("employeeNumber"),
            1 if resource.get("active", True) else 0))
    groups, members = [], []
    for resource in endpoint.every("Groups", int(page_size)):
        groups.append((resource["id"], resource.get("displayName")))
        members.extend((member["value"], resource["id"]) for member in resource.get("members") or [])
    seconds["pull"] = time.perf_counter() - started

    # 2. Upsert everything, 3. delete what the endpoint did not return.
    target = pymysql.connect(
        host=host, port=int(port), user=user, password=password, database=target_db, charset="utf8mb4",
        autocommit=False)
    deleted = upsert_then_delete(target, users, groups, members, with_parent=False, seconds=seconds)
    seconds["total"] = time.perf_counter() - started

    print(json.dumps({
        "pulled": {"users": len(users), "groups": len(groups), "memberships": len(members)},
        "deleted": deleted,
        "requests": endpoint.requests,
        "bytes_read": endpoint.bytes_read,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }))


if __name__ == "__main__":
    main()
