"""The peer of bench/chat-directories: a directory read the way open-source IAM connectors do
it, one single-user call per user. It lists the department tree, each department's user ids
with the platform's id-list API, then calls the platform's single-user API for every id, paced
at the platform's documented limits per API (it never lifts them). One thread, the phases one
after another, standard library only (urllib).

    chat_user_get.py PLATFORM BASE_URL SAMPLE_USERS

PLATFORM is dingtalk, wecom or feishu; the app's credentials are the simulators' defaults.
Departments are visited depth first and the walk stops once SAMPLE_USERS distinct users are
known (whole departments), so the sample is a piece of the directory of the same shape. Prints
one JSON object: the requests made per API, the users read, the seconds taken, the refusals by
a limit (should be 0: the client paces itself), and which APIs are made once per read
("fixed": not scaled when the read is projected to the whole directory).
"""
import collections
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# The documented limits per app and API: (calls, seconds) windows, every one must admit a call.
# DingTalk: 20 a second per app and API. WeCom: 10,000 a minute and 150,000 an hour per corp
# and API. Feishu: "1000 次/分钟、50 次/秒" for the contact APIs; the token endpoint is not limited.
LIMITS = {
    "dingtalk": [(20, 1.0)],
    "wecom": [(10000, 60.0), (150000, 3600.0)],
    "feishu": [(50, 1.0), (1000, 60.0)],
}


class Pacer:
    """A sliding log per API and window: a call waits until every window has room."""

    def __init__(self, windows):
        self.windows = windows
        self.log = collections.defaultdict(collections.deque)

    def wait(self, api):
        calls = self.log[api]
        while True:
            now = time.monotonic()
            delay = 0.0
            for count, seconds in self.windows:
                recent = [t for t in calls if t > now - seconds] if len(calls) >= count else []
                if len(recent) >= count:
                    delay = max(delay, recent[-count] + seconds - now)
            if delay <= 0:
                break
            time.sleep(delay)
        calls.append(time.monotonic())
        longest = max(seconds for _, seconds in self.windows)
        while calls and calls[0] <= time.monotonic() - longest:
            calls.popleft()


class Client:
    def __init__(self, platform, base):
        self.platform, self.base = platform, base.rstrip("/")
        self.pacer = Pacer(LIMITS[platform])
        self.requests = collections.Counter()
        self.refused = 0
        self.token = None

    def call(self, api, method, path, query=None, body=None, headers=None, paced=True):
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        for _ in range(20):
            if paced:
                self.pacer.wait(api)
            self.requests[api] += 1
            request = urllib.request.Request(url, data=data, method=method, headers={
                "Content-Type": "application/json; charset=utf-8", **(headers or {})})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    answer = json.load(response)
            except urllib.error.HTTPError as error:
                answer = json.load(error)
            code = answer.get("errcode", answer.get("code", 0))
            if code in (90006, 45009, 99991400):  # a limit refused the call: wait and repeat
                self.refused += 1
                time.sleep(1)
                continue
            if code:
                raise SystemExit(f"chat_user_get: {api}: {answer}")
            return answer
        raise SystemExit(f"chat_user_get: {api}: refused by a limit 20 times")


def dingtalk(client, sample):
    answer = client.call("dingtalk.oapi.gettoken", "GET", "/gettoken",
                         {"appkey": "dingsimappkey", "appsecret": "dingsimappsecret"}, paced=False)
    token = {"access_token": answer["access_token"]}
    users, stack = {}, [1]
    while stack and len(users) < sample:
        dept = stack.pop()
        ids = client.call("dingtalk.oapi.user.listid", "POST", "/topapi/user/listid", token, {"dept_id": dept})
        for userid in ids["result"]["userid_list"]:
            users.setdefault(userid, None)
        children = client.call("dingtalk.oapi.v2.department.listsubid", "POST", "/topapi/v2/department/listsubid",
                               token, {"dept_id": dept})
        stack.extend(reversed(children["result"]["dept_id_list"]))
    for userid in users:
        users[userid] = client.call("dingtalk.oapi.v2.user.get", "POST", "/topapi/v2/user/get", token,
                                    {"userid": userid})["result"]
    return users, {"dingtalk.oapi.gettoken"}


def wecom(client, sample):
    answer = client.call("gettoken", "GET", "/cgi-bin/gettoken",
                         {"corpid": "ww5im0000000000001", "corpsecret": "app-secret"}, paced=False)
    token = answer["access_token"]
    # The whole tree in one call, parents first; visited depth first as the others are.
    tree = client.call("department/simplelist", "GET", "/cgi-bin/department/simplelist", {"access_token": token})
    children = collections.defaultdict(list)
    for dept in tree["department_id"]:
        children[dept["parentid"]].append(dept["id"])
    users, stack = {}, [1]
    while stack and len(users) < sample:
        dept = stack.pop()
        listed = client.call("user/simplelist", "GET", "/cgi-bin/user/simplelist",
                             {"access_token": token, "department_id": dept})
        for user in listed["userlist"]:
            users.setdefault(user["userid"], None)
        stack.extend(reversed(children[dept]))
    for userid in users:
        users[userid] = client.call("user/get", "GET", "/cgi-bin/user/get", {"access_token": token, "userid": userid})
    return users, {"gettoken", "department/simplelist"}


def feishu(client, sample):
    answer = client.call("auth.v3.tenant_access_token.internal", "POST", "/open-apis/auth/v3/tenant_access_token/internal",
                         body={"app_id": "cli_a1b2c3d4e5f60718", "app_secret": "simulated-app-secret-0123456789ab"},
                         paced=False)
    auth = {"Authorization": "Bearer " + answer["tenant_access_token"]}
    # The whole tree: every descendant of the root, in pages of 50.
    children, page = collections.defaultdict(list), None
    while True:
        query = {"department_id_type": "department_id", "fetch_child": "true", "page_size": 50}
        if page:
            query["page_token"] = page
        data = client.call("contact.v3.department.children", "GET", "/open-apis/contact/v3/departments/0/children",
                           query, headers=auth)["data"]
        for dept in data.get("items") or []:
            children[dept["parent_department_id"]].append(dept["department_id"])
        if not data.get("has_more"):
            break
        page = data["page_token"]
    users, stack = {}, ["0"]
    while stack and len(users) < sample:
        dept, page = stack.pop(), None
        while True:
            query = {"department_id": dept, "department_id_type": "department_id", "user_id_type": "user_id",
                     "page_size": 50}
            if page:
                query["page_token"] = page
            data = client.call("contact.v3.user.find_by_department", "GET", "/open-apis/contact/v3/users/find_by_department",
                               query, headers=auth)["data"]
            for user in data.get("items") or []:
                users.setdefault(user["user_id"], None)
            if not data.get("has_more"):
                break
            page = data["page_token"]
        stack.extend(reversed(children[dept]))
    for userid in users:
        users[userid] = client.call("contact.v3.user.get", "GET", f"/open-apis/contact/v3/users/{urllib.parse.quote(userid)}",
                                    {"user_id_type": "user_id", "department_id_type": "department_id"}, headers=auth)["data"]["user"]
    return users, {"auth.v3.tenant_access_token.internal", "contact.v3.department.children"}


def main():
    platform, base, sample = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = Client(platform, base)
    started = time.monotonic()
    users, fixed = {"dingtalk": dingtalk, "wecom": wecom, "feishu": feishu}[platform](client, sample)
    seconds = time.monotonic() - started
    print(json.dumps({
        "platform": platform, "users": len(users), "seconds": round(seconds, 2),
        "requests": dict(client.requests), "refused_by_limit": client.refused,
        "fixed_apis": sorted(fixed), "limits": LIMITS[platform],
    }))


main()
