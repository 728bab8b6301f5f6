"""Loads users user<FROM>..user<FROM+COUNT-1> into a SCIM server through its /Bulk endpoint,
1,000 creations per request, the attributes bench/scim-serve's MariaDB directory has (the seed
layout of bench/lib/pipeline.sh's generator). Prints the number loaded and the seconds taken.

    python scim2_server_load.py BASE_URL TOKEN FROM COUNT
"""

import json
import sys
import time
import urllib.request

GIVEN = ["Alice", "Bob", "Chloé", "Dmitri", "Emma", "François", "Grace", "Hiroshi", "Inès", "José", "Kai", "Łucja"]
FAMILY = ["Smith", "Müller", "García", "Øster", "Nguyen", "O'Brien", "Kowalski", "Rossi", "Tanaka", "Dubois"]
TITLES = ["Software Engineer", "Account Executive", "Product Manager", "Analyst", "Director of Operations",
          "Support Specialist"]
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def user(seq):
    resource = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": f"user{seq}",
        "name": {"givenName": GIVEN[seq % 12], "familyName": FAMILY[(seq // 12) % 10]},
        "emails": [{"value": f"user{seq}@example.com", "type": "work"}],
        "active": seq % 10 != 0,
        ENTERPRISE: {"employeeNumber": f"{seq:08d}"},
    }
    if seq % 11 != 0:
        resource["title"] = TITLES[seq % 6]
    return resource


def main(base, token, first, count, per_request=1000):
    started = time.monotonic()
    for chunk in range(first, first + count, per_request):
        operations = [{"method": "POST", "path": "/Users", "bulkId": f"u{seq}", "data": user(seq)}
                      for seq in range(chunk, min(chunk + per_request, first + count))]
        body = json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                           "Operations": operations}).encode()
        request = urllib.request.Request(f"{base}/Bulk", data=body, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            answer = json.loads(response.read())
        failed = [op for op in answer.get("Operations", []) if not str(op.get("status", "")).startswith("201")]
        if failed:
            print(f"bulk creation failed: {json.dumps(failed[:3])}", file=sys.stderr)
            return 1
    print(count, round(time.monotonic() - started, 3))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
