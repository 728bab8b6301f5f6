"""Cursor paging (RFC 9865) of a SCIM server, read by scim2-client, a client scimsync did not
write, which validates every response with scim2-models.

    python scim_cursor_check.py LABEL BASE TOKEN COUNTS

Against an empty server at BASE (bearer TOKEN): discovers it (ServiceProviderConfig must say
pagination.cursor), creates 23 users, then pages /Users by cursor, 5 a page, with GET and
with POST /.search, unsorted and sorted by userName both ways; each walk must return every
user once, in the order one page by startIndex gives, with no page over 5, nextCursor
on every page but the last, and previousCursor leading back from the last page to the
first. Prints one summary line (as scim_conformance.py does) and appends its counts to
COUNTS. The users are deleted at the end.
"""

import sys
import traceback

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_models import SearchRequest

from scim_conformance import report

USERS = 23
PAGE = 5


def walk(client, user_model, search, **parameters):
    """Every page of a query by cursor, following nextCursor: the list of ListResponses."""
    pages = []
    cursor = ""
    while len(pages) <= USERS:
        request = SearchRequest(cursor=cursor, count=PAGE, **parameters)
        if search:
            page = client.search(user_model, search_request=request)
        else:
            page = client.query(user_model, query_parameters=request)
        pages.append(page)
        if not page.next_cursor:
            return pages
        cursor = page.next_cursor
    raise AssertionError(f"no last page after {len(pages)} pages")


def names(page):
    return [resource.user_name for resource in (page.resources or [])]


def check(client, user_model, search, problems, **parameters):
    title = ("POST /.search" if search else "GET /Users") + f" by cursor {parameters or ''}"
    whole = names(client.query(user_model, query_parameters=SearchRequest(count=100, **parameters)))
    pages = walk(client, user_model, search, **parameters)
    listed = [name for page in pages for name in names(page)]
    wrong = []
    if listed != whole:
        wrong.append(f"listed {listed}, one startIndex page lists {whole}")
    if any(len(page.resources or []) > PAGE for page in pages):
        wrong.append("a page holds more than count")
    if len(pages) != max(1, (len(whole) + PAGE - 1) // PAGE):
        wrong.append(f"{len(pages)} pages for {len(whole)} users at {PAGE} a page")
    page = pages[-1]
    for expected in reversed(pages[:-1]):
        if not page.previous_cursor:
            wrong.append("a page after the first has no previousCursor")
            break
        page = client.query(
            user_model, query_parameters=SearchRequest(cursor=page.previous_cursor, count=PAGE, **parameters))
        if names(page) != names(expected):
            wrong.append(f"previousCursor gave {names(page)}, not {names(expected)}")
            break
    if wrong:
        problems.append(("ERROR", title, "\n".join(wrong)))
        return 0
    return 1


def main(label, base, token, counts_path):
    problems = []
    passed = 0
    client = SyncSCIMClient(Client(base_url=base, headers={"Authorization": f"Bearer {token}"}))
    created = []
    try:
        client.discover()
        pagination = client.provider.config.pagination if client.provider.config else None
        if not pagination or not pagination.cursor:
            problems.append(("ERROR", "ServiceProviderConfig", "pagination.cursor is not true"))
        else:
            passed += 1
        user_model = client.get_resource_model("User")
        for number in range(USERS):
            # With a name: a directory whose name columns are NOT NULL requires one.
            user = client.create(user_model.model_validate({
                "userName": f"cursor-{number:02d}-{'ab'[number % 2]}",
                "name": {"givenName": "Cursor", "familyName": f"Walk {number}"},
            }))
            created.append(user.id)
        checks = [
            (False, {}),
            (True, {}),
            (False, {"sort_by": "userName"}),
            (False, {"sort_by": "userName", "sort_order": SearchRequest.SortOrder.descending}),
            (True, {"sort_by": "userName", "filter": 'userName ew "a"'}),
        ]
        for search, parameters in checks:
            try:
                passed += check(client, user_model, search, problems, **parameters)
            except Exception as error:  # a refused or invalid response: scim2-client says why
                problems.append(("ERROR", f"cursor paging {parameters}", f"{type(error).__name__}: {error}"))
    except Exception:
        return report(label, passed, len(problems), 0, 0, problems, [], counts_path, traceback.format_exc(limit=3))
    finally:
        for user_id in created:
            try:
                client.delete(client.get_resource_model("User"), user_id)
            except Exception:
                pass
    return report(label, passed, len(problems), 0, 0, problems, [], counts_path)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
