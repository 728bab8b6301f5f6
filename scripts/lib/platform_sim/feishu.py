"""A contract simulator of Feishu's (Lark's) directory API: contact v3 over a tenant_access_token.

What it follows (feishu.md lists the documents with their dates):
- `POST /open-apis/auth/v3/tenant_access_token/internal` issues `t-` tokens; while the current
  token has at least 30 minutes left the same token is returned, below that a new one (both stay
  valid), as the "自建应用获取 tenant_access_token" document says.
- Departments: `GET /open-apis/contact/v3/departments/:department_id/children` (paged with
  `page_size` ≤ 50 / `page_token` / `has_more`, `fetch_child` for every descendant), `GET`,
  `POST`, `PATCH`, `PUT` and `DELETE` of one department. The root department is the virtual
  department `0`: it cannot be changed or deleted (40002).
- Users: `GET /open-apis/contact/v3/users/find_by_department` (paged the same way), `GET`,
  `POST`, `PATCH`, `PUT` and `DELETE` of one user. A user belongs to 1..50 departments; user_id,
  mobile and email are unique in the tenant.
- Ids: users have an `open_id` (`ou_…`, the default `user_id_type`), a `union_id` (`on_…`) and
  the tenant's own `user_id`; departments an `open_department_id` (`od-…`, the default
  `department_id_type`) and the tenant's own `department_id`. The neutral fixture's ids are the
  tenant's own ids (`user_id`, `department_id`); the neutral root "1" is Feishu's "0".
- Errors: `{"code", "msg", "error": {"log_id"}}` with the HTTP status of the document's error
  table; a rate-limited call is HTTP 429 with 99991400 and `x-ogw-ratelimit-limit` /
  `x-ogw-ratelimit-reset` headers.
- Events (schema 2.0): `contact.user.created_v3` / `updated_v3` / `deleted_v3` and
  `contact.department.created_v3` / `updated_v3` / `deleted_v3`, encrypted with the app's
  Encrypt Key and signed in `X-Lark-Signature` when one is set, for changes made through the API
  and "in the admin console" (`/_sim/admin/{action}`) alike.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import json
import math
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from . import core, crypto

ROOT = "0"  # Feishu's virtual root department, in both id types
NEUTRAL_ROOT = "1"  # the neutral fixture's root (DingTalk's and WeCom's root id)
MAX_PAGE_SIZE = 50
MAX_USER_DEPARTMENTS = 50  # 41033 "A user cannot belong to more than 50 departments"
MAX_DEPARTMENT_LEVELS = 25  # 43019 "The department hierarchy has reached 25 levels"
TOKEN_REUSE_SECONDS = 1800  # a token with ≥ 30 minutes left is returned again
CUSTOM_DEPARTMENT_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_\-@.]{0,63}$")  # the patch document's rule
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MOBILE = re.compile(r"^\+?[0-9]{5,20}$")
USER_ID_TYPES = ("open_id", "union_id", "user_id")
DEPARTMENT_ID_TYPES = ("open_department_id", "department_id")

# API names, as counted in /_sim/requests and used as rate-limit keys.
API_TOKEN = "auth.v3.tenant_access_token.internal"
API_DEPT_CHILDREN = "contact.v3.department.children"
API_DEPT_GET = "contact.v3.department.get"
API_DEPT_CREATE = "contact.v3.department.create"
API_DEPT_PATCH = "contact.v3.department.patch"
API_DEPT_UPDATE = "contact.v3.department.update"
API_DEPT_DELETE = "contact.v3.department.delete"
API_USER_FIND = "contact.v3.user.find_by_department"
API_USER_GET = "contact.v3.user.get"
API_USER_CREATE = "contact.v3.user.create"
API_USER_PATCH = "contact.v3.user.patch"
API_USER_UPDATE = "contact.v3.user.update"
API_USER_DELETE = "contact.v3.user.delete"
API_USER_BATCH_GET_ID = "contact.v3.user.batch_get_id"


class FeishuError(Exception):
    """A refusal in Feishu's shape: HTTP status, code, msg (from the endpoint's error table)."""

    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


def param_error(detail: str) -> FeishuError:
    # The generic table's 99992402: "请求参数缺失或者有误" (the gateway's field validation).
    return FeishuError(400, 99992402, f"field validation failed: {detail}")


NO_DEPT_AUTHORITY = (403, 40004, "no dept authority error")
NO_USER_AUTHORITY = (400, 41050, "no user authority error")


def _hex(n: int) -> str:
    return secrets.token_hex(n)


def _log_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + _hex(10).upper()


def feishu_mobile(mobile: str | None) -> str | None:
    """A mobile as Feishu keeps it: "+<country><number>"; a number without "+" is mainland China's."""
    if not mobile:
        return None
    compact = re.sub(r"[\s\-()]", "", str(mobile))
    if not compact.startswith("+"):
        compact = "+86" + compact
    return compact


def neutral_mobile(mobile: str | None) -> str | None:
    """Feishu's "+8613800000000" back to the fixtures' "+86 13800000000"."""
    if mobile and mobile.startswith("+86") and len(mobile) == 14:
        return "+86 " + mobile[3:]
    return mobile


class Department:
    __slots__ = ("open_id", "custom_id", "name", "parent", "order", "seq", "children", "members", "member_set",
                 "order_given")

    def __init__(self, open_id: str, custom_id: str, name: str, parent: str, order: int, seq: int) -> None:
        self.open_id, self.custom_id, self.name, self.parent, self.order, self.seq = open_id, custom_id, name, parent, order, seq
        self.order_given = True
        self.children: list[str] = []  # open ids, kept sorted by (order, seq)
        self.members: list[tuple[int, str]] = []  # (user seq, open_id), sorted: pages resume by seq
        self.member_set: set[str] = set()


class User:
    __slots__ = ("open_id", "union_id", "user_id", "name", "mobile", "email", "departments", "job_title",
                 "employee_type", "frozen", "seq", "en_name", "city", "employee_no", "leader")

    def __init__(self, **fields: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, fields.get(name))


class FeishuPlatform(core.Platform):
    name = "feishu"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--app-id", default="cli_a1b2c3d4e5f60718", help="the custom app's App ID")
        parser.add_argument("--app-secret", default="simulated-app-secret-0123456789ab", help="the custom app's App Secret")
        parser.add_argument("--extra-app", action="append", default=[], metavar="APP_ID:SECRET",
                            help="another app of the same tenant (rate limits are per app)")
        parser.add_argument("--verification-token", default="simulated-verification-token",
                            help="the Verification Token events carry in header.token")
        parser.add_argument("--encrypt-key", default="simulated-encrypt-key",
                            help="the Encrypt Key events are encrypted and signed with; empty sends them in clear, unsigned")
        parser.add_argument("--tenant-key", default="736588c9260f175d", help="the tenant_key events carry")
        parser.add_argument("--tenant-name", default="Simulated Tenant", help="the root department's name")
        parser.add_argument("--verification-deadline", type=float, default=1.0,
                            help="seconds the URL has to echo the url_verification challenge (Feishu: 1)")
        parser.add_argument("--event-deadline", type=float, default=3.0,
                            help="seconds a receiver has to answer an event with HTTP 200 (Feishu: 3)")
        parser.add_argument("--mobile-optional", action="store_true",
                            help="Lark (overseas) rules: a user needs a mobile or an e-mail, not a mobile")

    def __init__(self, options: argparse.Namespace) -> None:
        defaults = argparse.ArgumentParser()
        self.add_arguments(defaults)
        for key, value in vars(defaults.parse_args([])).items():
            if not hasattr(options, key):
                setattr(options, key, value)
        super().__init__(options)
        self.tokens.prefix = "t-"
        self.apps: dict[str, str] = {options.app_id: options.app_secret}
        for extra in options.extra_app:
            app_id, _, secret = extra.partition(":")
            self.apps[app_id] = secret
        self._current_token: dict[str, tuple[str, float]] = {}  # app → (token, expires at, monotonic)
        self.events: list[dict[str, Any]] = []  # what was queued for the callback URL, in order
        self._seq = 0
        self._reset()

    # --- the directory -------------------------------------------------------------------------

    def _reset(self) -> None:
        self.root_name = self.options.tenant_name
        self.root_listed = False  # whether the loaded fixture named the root (state echoes it)
        self.departments: dict[str, Department] = {ROOT: Department(ROOT, ROOT, self.root_name, "", 0, 0)}
        self.department_by_custom: dict[str, str] = {ROOT: ROOT}
        self.users: dict[str, User] = {}
        self.user_by_user_id: dict[str, str] = {}
        self.user_by_union_id: dict[str, str] = {}
        self.user_by_mobile: dict[str, str] = {}
        self.user_by_email: dict[str, str] = {}

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _sort_children(self, parent: Department) -> None:
        parent.children.sort(key=lambda open_id: (self.departments[open_id].order, self.departments[open_id].seq))

    def _add_department(self, custom_id: str, name: str, parent: str, order: int | None) -> Department:
        open_id = "od-" + _hex(16)
        seq = self._next_seq()
        department = Department(open_id, custom_id, name, parent, seq if order is None else order, seq)
        department.order_given = order is not None  # else Feishu's own order, which state does not echo
        self.departments[open_id] = department
        self.department_by_custom[custom_id] = open_id
        parent_department = self.departments[parent]
        parent_department.children.append(open_id)
        self._sort_children(parent_department)
        return department

    def _add_user(self, user: User) -> None:
        user.seq = self._next_seq()
        self.users[user.open_id] = user
        self.user_by_user_id[user.user_id] = user.open_id
        self.user_by_union_id[user.union_id] = user.open_id
        if user.mobile:
            self.user_by_mobile[user.mobile] = user.open_id
        if user.email:
            self.user_by_email[user.email.lower()] = user.open_id
        for department in user.departments:
            self._join(user, department)

    def _join(self, user: User, department_open_id: str) -> None:
        department = self.departments[department_open_id]
        if user.open_id not in department.member_set:
            department.member_set.add(user.open_id)
            bisect.insort(department.members, (user.seq, user.open_id))

    def _leave(self, user: User, department_open_id: str) -> None:
        department = self.departments.get(department_open_id)
        if department is None or user.open_id not in department.member_set:
            return
        department.member_set.discard(user.open_id)
        index = bisect.bisect_left(department.members, (user.seq, user.open_id))
        if index < len(department.members) and department.members[index] == (user.seq, user.open_id):
            department.members.pop(index)

    def load(self, directory: dict[str, Any]) -> None:
        self._reset()
        pending = []
        for entry in directory.get("departments") or []:
            if str(entry.get("id")) in (NEUTRAL_ROOT, ROOT):  # the root itself: only its name is kept
                self.root_name = entry.get("name") or self.root_name
                self.departments[ROOT].name = self.root_name
                self.root_listed = True
            else:
                pending.append(entry)
        placed = {NEUTRAL_ROOT: ROOT, ROOT: ROOT}
        while pending:
            remaining = []
            for entry in pending:
                parent = str(entry.get("parent") or NEUTRAL_ROOT)
                if parent not in placed:
                    remaining.append(entry)
                    continue
                custom_id = str(entry["id"])
                if custom_id in self.department_by_custom:
                    raise core.BadRequest(f"department id {custom_id} twice")
                order = entry.get("order")
                department = self._add_department(custom_id, str(entry.get("name") or custom_id), placed[parent],
                                                   None if order is None else int(order))
                placed[custom_id] = department.open_id
            if len(remaining) == len(pending):
                raise core.BadRequest("departments whose parents are not in the directory: "
                                      + ", ".join(str(d.get("id")) for d in remaining[:5]))
            pending = remaining
        for entry in directory.get("users") or []:
            user_id = str(entry["id"])
            if user_id in self.user_by_user_id:
                raise core.BadRequest(f"user id {user_id} twice")
            departments = [placed.get(str(d)) for d in entry.get("departments") or []]
            if not departments or None in departments:
                raise core.BadRequest(f"user {user_id}: Feishu needs 1..50 existing departments, got {entry.get('departments')}")
            mobile = feishu_mobile(entry.get("mobile"))
            email = entry.get("email") or None
            if mobile and mobile in self.user_by_mobile or email and email.lower() in self.user_by_email:
                raise core.BadRequest(f"user {user_id}: mobile or e-mail already taken")
            self._add_user(User(open_id="ou_" + _hex(16), union_id="on_" + _hex(16), user_id=user_id,
                                name=str(entry.get("name") or user_id), mobile=mobile, email=email,
                                departments=list(dict.fromkeys(departments)), job_title=entry.get("title") or "",
                                employee_type=1, frozen=not entry.get("active", True)))

    def state(self) -> dict[str, Any]:
        departments = []
        if self.root_listed:
            departments.append({"id": NEUTRAL_ROOT, "name": self.root_name, "parent": None, "order": 0})
        for department in sorted((d for d in self.departments.values() if d.open_id != ROOT), key=lambda d: d.seq):
            parent = self.departments[department.parent]
            departments.append({"id": department.custom_id, "name": department.name,
                                "parent": NEUTRAL_ROOT if parent.open_id == ROOT else parent.custom_id,
                                "order": department.order if department.order_given else None})
        users = []
        for user in sorted(self.users.values(), key=lambda u: u.seq):
            users.append({"id": user.user_id, "name": user.name, "mobile": neutral_mobile(user.mobile),
                          "email": user.email, "title": user.job_title or "", "active": not user.frozen,
                          "departments": [NEUTRAL_ROOT if d == ROOT else self.departments[d].custom_id
                                          for d in user.departments]})
        return {"departments": departments, "users": users}

    # --- the answers' shapes -------------------------------------------------------------------

    def _department_ref(self, open_id: str, id_type: str) -> str:
        if open_id == ROOT:
            return ROOT
        department = self.departments[open_id]
        return department.open_id if id_type == "open_department_id" else department.custom_id

    def _user_ref(self, open_id: str | None, id_type: str) -> str | None:
        user = self.users.get(open_id or "")
        if user is None:
            return None
        return {"open_id": user.open_id, "union_id": user.union_id, "user_id": user.user_id}[id_type]

    def _member_count(self, department: Department) -> int:
        seen: set[str] = set()
        stack = [department.open_id]
        while stack:
            current = self.departments[stack.pop()]
            seen |= current.member_set
            stack.extend(current.children)
        return len(seen)

    def department_json(self, department: Department, department_id_type: str, user_id_type: str,
                        counts: bool = True) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "name": department.name,
            "i18n_name": {"zh_cn": "", "ja_jp": "", "en_us": ""},
            "parent_department_id": ("" if department.open_id == ROOT
                                     else self._department_ref(department.parent, department_id_type)),
            "department_id": department.custom_id,
            "open_department_id": department.open_id,
            "leader_user_id": "",
            "chat_id": "",
            "order": str(department.order),
            "unit_ids": [],
            "status": {"is_deleted": False},
            "create_group_chat": False,
            "leaders": [],
            "group_chat_employee_types": [],
            "department_hrbps": [],
        }
        if counts:
            count = self._member_count(department)
            answer["member_count"] = count
            answer["primary_member_count"] = count
        return answer

    def user_json(self, user: User, department_id_type: str, user_id_type: str) -> dict[str, Any]:
        departments = [self._department_ref(d, department_id_type) for d in user.departments]
        answer: dict[str, Any] = {
            "union_id": user.union_id,
            "user_id": user.user_id,
            "open_id": user.open_id,
            "name": user.name,
            "en_name": user.en_name or "",
            "nickname": "",
            "email": user.email or "",
            "mobile": user.mobile or "",
            "mobile_visible": True,
            "gender": 0,
            "avatar": {"avatar_72": "", "avatar_240": "", "avatar_640": "", "avatar_origin": ""},
            "status": {"is_frozen": bool(user.frozen), "is_resigned": False, "is_activated": True,
                       "is_exited": False, "is_unjoin": False},
            "department_ids": departments,
            "leader_user_id": self._user_ref(user.leader, user_id_type) or "",
            "city": user.city or "",
            "country": "",
            "work_station": "",
            "join_time": 0,
            "is_tenant_manager": False,
            "employee_no": user.employee_no or "",
            "employee_type": user.employee_type,
            "orders": [{"department_id": d, "user_order": 0, "department_order": len(departments) - i,
                        "is_primary_dept": i == 0} for i, d in enumerate(departments)],
            "job_title": user.job_title or "",
            "enterprise_email": "",
            "time_zone": "",
            "description": "",
        }
        return answer

    # --- request plumbing ----------------------------------------------------------------------

    def default_limits(self) -> dict[str, list[tuple[float, float]]]:
        # The contact APIs served here are all documented at "1000 次/分钟、50 次/秒"; the token
        # endpoint's own limit is not documented where this simulator's sources reach.
        return {"*": [(50, 1.0), (1000, 60.0)], API_TOKEN: []}

    def callback_deadline(self) -> float:
        return self.options.event_deadline  # Feishu: HTTP 200 within 3 seconds, else retried

    def fault_answer(self, fault: core.Fault) -> core.Response:
        answer = dict(fault.answer)
        status = int(answer.pop("_status", 400 if answer.get("code") else 200))
        return core.Response(status, answer)

    def bad_request(self, message: str) -> core.Response:
        return self._error(param_error(message))

    def _error(self, error: FeishuError, headers: dict[str, str] | None = None) -> core.Response:
        log_id = _log_id()
        return core.Response(error.status, {"code": error.code, "msg": error.msg, "error": {"log_id": log_id}},
                             headers={"X-Tt-Logid": log_id, **(headers or {})})

    def _ok(self, data: Any = None) -> core.Response:
        body: dict[str, Any] = {"code": 0, "msg": "success", "data": {} if data is None else data}
        return core.Response(200, body, headers={"X-Tt-Logid": _log_id()})

    def _authorize(self, request: core.Request) -> str:
        header = (request.headers.get("Authorization") or "").strip()
        token = header[6:].strip() if header.lower().startswith("bearer") else header
        if not token:
            raise FeishuError(400, 99991661, "Missing access token for authorization. Please make a request with token attached.")
        if not (token.startswith("t-") or token.startswith("u-")):
            raise FeishuError(400, 99991671, "Invalid token: must start with t-/u-")
        if token.startswith("u-"):
            raise FeishuError(400, 99991668, "Invalid access token for authorization. Please make a request with token attached.")
        status, app = self.tokens.check(token)
        if status != "ok":
            # 99991663 covers both: "原因可能是 tenant_access_token 已过期" (the generic error table).
            raise FeishuError(400, 99991663, "Invalid access token for authorization. Please make a request with token attached.")
        return app  # type: ignore[return-value]

    def _api(self, api: str, handler, authorized: bool = True):
        def serve(request: core.Request) -> core.Response:
            try:
                app = self._authorize(request) if authorized else None
                if app is not None:
                    wait = self.limiter.take(app, api)
                    if wait > 0:
                        windows = self.limiter.limits.get(api, self.limiter.limits.get("*", []))
                        limit = int(windows[0][0]) if windows else 0
                        return self._error(FeishuError(429, 99991400, "request trigger frequency limit"),
                                           {"x-ogw-ratelimit-limit": str(limit),
                                            "x-ogw-ratelimit-reset": str(max(1, math.ceil(wait)))})
                fault = self.take_fault(api)
                if fault is not None:
                    return self.fault_answer(fault)
                with self.lock:
                    return handler(request, app)
            except FeishuError as error:
                return self._error(error)
        return serve

    def routes(self, router: core.Router) -> None:
        served = [
            ("POST", "/open-apis/auth/v3/tenant_access_token/internal", API_TOKEN, self._token),
            ("GET", "/open-apis/contact/v3/departments/{department_id}/children", API_DEPT_CHILDREN, self._dept_children),
            ("GET", "/open-apis/contact/v3/departments/{department_id}", API_DEPT_GET, self._dept_get),
            ("POST", "/open-apis/contact/v3/departments", API_DEPT_CREATE, self._dept_create),
            ("PATCH", "/open-apis/contact/v3/departments/{department_id}", API_DEPT_PATCH, self._dept_patch),
            ("PUT", "/open-apis/contact/v3/departments/{department_id}", API_DEPT_UPDATE, self._dept_update),
            ("DELETE", "/open-apis/contact/v3/departments/{department_id}", API_DEPT_DELETE, self._dept_delete),
            # Before /users/{user_id}, which would match these paths too.
            ("GET", "/open-apis/contact/v3/users/find_by_department", API_USER_FIND, self._user_find),
            ("POST", "/open-apis/contact/v3/users/batch_get_id", API_USER_BATCH_GET_ID, self._user_batch_get_id),
            ("GET", "/open-apis/contact/v3/users/{user_id}", API_USER_GET, self._user_get),
            ("POST", "/open-apis/contact/v3/users", API_USER_CREATE, self._user_create),
            ("PATCH", "/open-apis/contact/v3/users/{user_id}", API_USER_PATCH, self._user_patch),
            ("PUT", "/open-apis/contact/v3/users/{user_id}", API_USER_UPDATE, self._user_update),
            ("DELETE", "/open-apis/contact/v3/users/{user_id}", API_USER_DELETE, self._user_delete),
        ]
        for method, path, api, handler in served:
            router.add(method, path, self._api(api, handler, authorized=api != API_TOKEN), api)
        # Registered before core's control routes, so these take /_sim/callback and add /_sim/events.
        router.add("POST", "/_sim/callback", self._register_callback)
        router.add("GET", "/_sim/events", lambda _: core.Response(200, {"events": list(self.events)}))

    # --- parameters ----------------------------------------------------------------------------

    @staticmethod
    def _id_types(request: core.Request) -> tuple[str, str]:
        user_id_type = request.query.get("user_id_type") or "open_id"
        department_id_type = request.query.get("department_id_type") or "open_department_id"
        if user_id_type not in USER_ID_TYPES:
            raise param_error(f"user_id_type: must be one of {', '.join(USER_ID_TYPES)}")
        if department_id_type not in DEPARTMENT_ID_TYPES:
            raise param_error(f"department_id_type: must be one of {', '.join(DEPARTMENT_ID_TYPES)}")
        return user_id_type, department_id_type

    @staticmethod
    def _page_size(request: core.Request, default: int) -> int:
        raw = request.query.get("page_size")
        if raw in (None, ""):
            return default
        try:
            size = int(raw)
        except ValueError:
            raise FeishuError(400, 40011, "page size is invalid") from None
        if size < 1 or size > MAX_PAGE_SIZE:
            raise FeishuError(400, 40011, "page size is invalid")
        return size

    @staticmethod
    def _encode_token(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")

    @staticmethod
    def _decode_token(raw: str | None) -> dict[str, Any] | None:
        if not raw:
            return None
        try:
            value = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        except (ValueError, UnicodeDecodeError):
            raise FeishuError(400, 40012, "page token is invalid error") from None
        if not isinstance(value, dict):
            raise FeishuError(400, 40012, "page token is invalid error")
        return value

    def _department(self, raw: str | None, id_type: str, missing: tuple[int, int, str] = NO_DEPT_AUTHORITY) -> Department:
        """The department an id names in the given id type, or the refusal a missing one gets
        (most APIs check the app's contact scope first, so an unknown id is out of scope)."""
        if raw in (None, ""):
            raise FeishuError(400, 44102, "miss department_id error")
        if raw == ROOT:
            return self.departments[ROOT]
        if not CUSTOM_DEPARTMENT_ID.match(raw):
            raise param_error(f"department_id: must match {CUSTOM_DEPARTMENT_ID.pattern}")
        open_id = raw if id_type == "open_department_id" else self.department_by_custom.get(raw)
        department = self.departments.get(open_id or "")
        if department is None:
            raise FeishuError(*missing)
        return department

    def _user(self, raw: str | None, id_type: str) -> User:
        if id_type == "open_id":
            open_id = raw
        elif id_type == "union_id":
            open_id = self.user_by_union_id.get(raw or "")
        else:
            open_id = self.user_by_user_id.get(raw or "")
        user = self.users.get(open_id or "")
        if user is None:
            raise FeishuError(*NO_USER_AUTHORITY)
        return user

    def _body(self, request: core.Request) -> dict[str, Any]:
        body = request.json()
        if not isinstance(body, dict):
            raise param_error("the body must be a JSON object")
        return body

    # --- token -----------------------------------------------------------------------------------

    def _token(self, request: core.Request, _: None) -> core.Response:
        try:
            body = self._body(request)
        except core.BadRequest:
            raise FeishuError(400, 10003, "invalid param") from None
        app_id, secret = body.get("app_id"), body.get("app_secret")
        if not isinstance(app_id, str) or not isinstance(secret, str) or not app_id or not secret:
            raise FeishuError(400, 10003, "invalid param")
        if app_id not in self.apps:
            raise FeishuError(400, 10003, "invalid param")
        if not secrets.compare_digest(self.apps[app_id], secret):
            raise FeishuError(400, 10014, "app secret invalid")
        now = time.monotonic()
        current = self._current_token.get(app_id)
        # "剩余有效期大于等于 30 分钟时，调用本接口会返回原有的 tenant_access_token" (scaled to a
        # shorter --token-ttl: a quarter of it, as 30 minutes is of two hours).
        reuse = min(TOKEN_REUSE_SECONDS, self.tokens.ttl / 4)
        if current is not None and self.tokens.check(current[0])[0] == "ok" and current[1] - now >= reuse:
            token, expires = current
        else:
            token, ttl = self.tokens.issue(app_id)
            expires = now + ttl
            self._current_token[app_id] = (token, expires)
        return core.Response(200, {"code": 0, "msg": "ok", "tenant_access_token": token,
                                   "expire": max(0, int(expires - now))})

    # --- departments ---------------------------------------------------------------------------

    def _dept_children(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        parent = self._department(request.params["department_id"], department_id_type)
        size = self._page_size(request, 10)
        fetch_child = (request.query.get("fetch_child") or "false").lower() == "true"
        if fetch_child:
            listing: list[str] = []
            level = list(parent.children)
            while level:  # level by level, each level in its parents' order
                listing.extend(level)
                level = [child for open_id in level for child in self.departments[open_id].children]
        else:
            listing = parent.children
        start = 0
        cursor = self._decode_token(request.query.get("page_token"))
        if cursor is not None:
            if cursor.get("p") != parent.open_id or cursor.get("f") != fetch_child or not isinstance(cursor.get("o"), int):
                raise FeishuError(400, 40012, "page token is invalid error")
            start = cursor["o"]
        page = listing[start:start + size]
        has_more = start + size < len(listing)
        data: dict[str, Any] = {"has_more": has_more,
                                "items": [self.department_json(self.departments[d], department_id_type, user_id_type)
                                          for d in page]}
        if has_more:
            data["page_token"] = self._encode_token({"p": parent.open_id, "f": fetch_child, "o": start + size})
        return self._ok(data)

    def _dept_get(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        department = self._department(request.params["department_id"], department_id_type,
                                      missing=(400, 40015, "department not exist"))
        return self._ok({"department": self.department_json(department, department_id_type, user_id_type)})

    def _check_department_name(self, name: Any, parent: Department, exclude: str | None) -> str:
        if not isinstance(name, str) or not name.strip():
            raise FeishuError(400, 40008, "dept Info is null error")
        if "/" in name:
            raise FeishuError(400, 43029, "dept name not contain separator")
        for sibling in parent.children:
            if sibling != exclude and self.departments[sibling].name == name:
                raise FeishuError(400, 43022, "department name duplicate")
        return name

    def _check_order(self, raw: Any, parent: Department, exclude: str | None) -> int | None:
        if raw in (None, ""):
            return None
        try:
            order = int(raw)
        except (TypeError, ValueError):
            raise param_error("order: a non-negative integer as a string") from None
        if order < 0:
            raise param_error("order: a non-negative integer as a string")
        for sibling in parent.children:
            if sibling != exclude and self.departments[sibling].order == order:
                raise FeishuError(400, 43005, "duplicate order error")
        return order

    def _depth(self, department: Department) -> int:
        depth = 0
        while department.open_id != ROOT:
            depth += 1
            department = self.departments[department.parent]
        return depth

    def _subtree_height(self, department: Department) -> int:
        return 1 + max((self._subtree_height(self.departments[c]) for c in department.children), default=0)

    def create_department(self, body: dict[str, Any], department_id_type: str) -> Department:
        if body.get("parent_department_id") in (None, ""):
            raise FeishuError(400, 40185, "add department, parent_id must be assigned")
        parent = self._department(str(body["parent_department_id"]), department_id_type)
        name = self._check_department_name(body.get("name"), parent, None)
        custom_id = body.get("department_id")
        if custom_id in (None, ""):
            custom_id = _hex(8)
        elif (not isinstance(custom_id, str) or not CUSTOM_DEPARTMENT_ID.match(custom_id) or custom_id == ROOT
              or custom_id.startswith("od-")):  # "it cannot start with od-" (department get/children)
            raise FeishuError(400, 43008, "custom dept id invalid error")
        elif custom_id in self.department_by_custom:
            raise FeishuError(400, 43007, "duplicated department custom id error")
        order = self._check_order(body.get("order"), parent, None)
        if self._depth(parent) + 1 > MAX_DEPARTMENT_LEVELS:
            raise FeishuError(400, 43019, "exceed dept max level")
        department = self._add_department(custom_id, name, parent.open_id, order)
        self._event("contact.department.created_v3", {"object": self._department_event(department)})
        return department

    def _dept_create(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        department = self.create_department(self._body(request), department_id_type)
        return self._ok({"department": self.department_json(department, department_id_type, user_id_type)})

    def change_department(self, department: Department, body: dict[str, Any], department_id_type: str,
                          full: bool) -> Department:
        if department.open_id == ROOT:
            raise FeishuError(400, 40002, "process root dept error")
        before = self._department_event(department)
        parent = self.departments[department.parent]
        if full or body.get("parent_department_id") not in (None, ""):
            if body.get("parent_department_id") in (None, ""):
                raise FeishuError(400, 40185, "add department, parent_id must be assigned")
            parent = self._department(str(body["parent_department_id"]), department_id_type)
            ancestor = parent
            while ancestor.open_id != ROOT:  # not under itself: "不能更新子部门作为父部门"
                if ancestor.open_id == department.open_id:
                    raise FeishuError(400, 40013, "param error")
                ancestor = self.departments[ancestor.parent]
            if self._depth(parent) + self._subtree_height(department) > MAX_DEPARTMENT_LEVELS:
                raise FeishuError(400, 43019, "exceed dept max level")
        name = department.name
        if full or body.get("name") is not None:
            name = self._check_department_name(body.get("name"), parent, department.open_id)
        elif parent.open_id != department.parent:
            self._check_department_name(department.name, parent, department.open_id)
        order = self._check_order(body.get("order"), parent, department.open_id)
        if parent.open_id != department.parent:
            old_parent = self.departments[department.parent]
            old_parent.children.remove(department.open_id)
            parent.children.append(department.open_id)
            department.parent = parent.open_id
        department.name = name
        if order is not None:
            department.order, department.order_given = order, True
        self._sort_children(parent)
        after = self._department_event(department)
        changed = {k: v for k, v in before.items() if after.get(k) != v}
        if changed:
            self._event("contact.department.updated_v3", {"object": after, "old_object": changed})
        return department

    def _dept_patch(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        department = self._department(request.params["department_id"], department_id_type)
        department = self.change_department(department, self._body(request), department_id_type, full=False)
        return self._ok({"department": self.department_json(department, department_id_type, user_id_type)})

    def _dept_update(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        department = self._department(request.params["department_id"], department_id_type)
        department = self.change_department(department, self._body(request), department_id_type, full=True)
        return self._ok({"department": self.department_json(department, department_id_type, user_id_type)})

    def delete_department(self, department: Department) -> None:
        if department.open_id == ROOT:
            raise FeishuError(400, 40002, "process root dept error")
        if department.member_set:
            raise FeishuError(400, 43011, "delete has member dept error")
        if department.children:
            raise FeishuError(400, 43012, "delete has sub dept department error")
        before = self._department_event(department)
        self.departments[department.parent].children.remove(department.open_id)
        del self.departments[department.open_id]
        del self.department_by_custom[department.custom_id]
        after = dict(before, status={"is_deleted": True})
        self._event("contact.department.deleted_v3",
                    {"object": after, "old_object": {"status": {"is_deleted": False}, "open_department_id": department.open_id}})

    def _dept_delete(self, request: core.Request, _: str) -> core.Response:
        _, department_id_type = self._id_types(request)
        self.delete_department(self._department(request.params["department_id"], department_id_type))
        return self._ok({})

    # --- users ---------------------------------------------------------------------------------

    def _user_find(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        department = self._department(request.query.get("department_id"), department_id_type)
        size = self._page_size(request, 10)
        start = 0
        cursor = self._decode_token(request.query.get("page_token"))
        if cursor is not None:
            if cursor.get("d") != department.open_id or not isinstance(cursor.get("s"), int):
                raise FeishuError(400, 40012, "page token is invalid error")
            # Resume after the last user served (by join order), so changes between pages
            # neither repeat nor skip the users that stayed.
            start = bisect.bisect_right(department.members, (cursor["s"], "\U0010ffff"))
        page = department.members[start:start + size]
        has_more = start + size < len(department.members)
        data: dict[str, Any] = {"has_more": has_more,
                                "items": [self.user_json(self.users[o], department_id_type, user_id_type) for _, o in page]}
        if has_more:
            data["page_token"] = self._encode_token({"d": department.open_id, "s": page[-1][0]})
        return self._ok(data)

    def _user_batch_get_id(self, request: core.Request, _: str) -> core.Response:
        """Ids of the users with these e-mails and mobiles (at most 50 of each); one entry per
        e-mail, then per mobile, without `user_id` when no user has it."""
        user_id_type, _ = self._id_types(request)
        body = self._body(request)
        emails, mobiles = body.get("emails") or [], body.get("mobiles") or []
        for name, values in (("emails", emails), ("mobiles", mobiles)):
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values) or len(values) > 50:
                raise param_error(f"{name}: at most 50 strings")
        found = []
        for kind, value, open_id in ([("email", e, self.user_by_email.get(e.lower())) for e in emails]
                                     + [("mobile", m, self.user_by_mobile.get(feishu_mobile(m) or "")) for m in mobiles]):
            entry: dict[str, Any] = {kind: value}
            user = self.users.get(open_id or "")
            if user is not None:
                entry["user_id"] = self._user_ref(user.open_id, user_id_type)
                entry["status"] = self.user_json(user, "open_department_id", "open_id")["status"]
            found.append(entry)
        return self._ok({"user_list": found})

    def _user_get(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        user = self._user(request.params["user_id"], user_id_type)
        return self._ok({"user": self.user_json(user, department_id_type, user_id_type)})

    def _user_departments(self, raw: Any, department_id_type: str) -> list[str]:
        if raw is None or raw == []:
            raise FeishuError(400, 41017, "department is required error")
        if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
            raise param_error("department_ids: a list of strings")
        departments = list(dict.fromkeys(self._department(d, department_id_type).open_id for d in raw))
        if len(departments) > MAX_USER_DEPARTMENTS:
            raise FeishuError(400, 41033, "user in too many departments  error")
        return departments

    def _check_contacts(self, mobile: Any, email: Any, exclude: str | None,
                        require_mobile: bool) -> tuple[str | None, str | None]:
        if mobile is not None and not isinstance(mobile, str) or email is not None and not isinstance(email, str):
            raise param_error("mobile and email are strings")
        mobile = feishu_mobile(mobile) if mobile else None
        email = email or None
        if require_mobile and not mobile:
            if self.options.mobile_optional:
                if not email:
                    raise FeishuError(400, 41009, "no email or mobile error")
            else:
                raise FeishuError(400, 41010, "no mobile error")
        if mobile and not MOBILE.match(mobile):
            raise FeishuError(400, 41004, "mobile is invalid error")
        if email and not EMAIL.match(email):
            raise FeishuError(400, 41005, "email is invalid error")
        if mobile and self.user_by_mobile.get(mobile, exclude) != exclude:
            raise FeishuError(400, 41001, "mobile has already exist error")
        if email and self.user_by_email.get(email.lower(), exclude) != exclude:
            raise FeishuError(400, 41002, "email has already exist error")
        return mobile, email

    @staticmethod
    def _check_name(name: Any) -> str:
        if not isinstance(name, str) or not name.strip():
            raise FeishuError(400, 41006, "no user name error")
        if len(name) > 64:
            raise FeishuError(400, 41070, "name length exceed 64 character")
        return name

    @staticmethod
    def _check_employee_type(raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            raise FeishuError(400, 41059, "invalid employee type error")
        return raw

    def _leader(self, raw: Any, user_id_type: str) -> str | None:
        if raw in (None, ""):
            return None
        return self._user(str(raw), user_id_type).open_id

    def create_user(self, body: dict[str, Any], user_id_type: str, department_id_type: str) -> User:
        name = self._check_name(body.get("name"))
        user_id = body.get("user_id")
        if user_id in (None, ""):
            user_id = _hex(4)
            while user_id in self.user_by_user_id:
                user_id = _hex(4)
        elif not isinstance(user_id, str) or len(user_id.encode()) > 64 or re.search(r"[\t\r\n]", user_id):
            raise FeishuError(400, 41012, "user id invalid error")
        elif user_id in self.user_by_user_id:
            raise FeishuError(400, 41011, "userID already exist error")
        departments = self._user_departments(body.get("department_ids"), department_id_type)
        employee_type = self._check_employee_type(body.get("employee_type"))
        mobile, email = self._check_contacts(body.get("mobile"), body.get("email"), None, require_mobile=True)
        job_title = body.get("job_title") or ""
        if len(job_title) > 100:
            raise FeishuError(400, 41063, "job_title length exceed 100 character")
        user = User(open_id="ou_" + _hex(16), union_id="on_" + _hex(16), user_id=user_id, name=name,
                    mobile=mobile, email=email, departments=departments, job_title=job_title,
                    employee_type=employee_type, frozen=bool(body.get("is_frozen", False)),
                    en_name=body.get("en_name"), city=body.get("city"), employee_no=body.get("employee_no"),
                    leader=self._leader(body.get("leader_user_id"), user_id_type))
        self._add_user(user)
        self._event("contact.user.created_v3", {"object": self._user_event(user)})
        return user

    def _user_create(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        user = self.create_user(self._body(request), user_id_type, department_id_type)
        return self._ok({"user": self.user_json(user, department_id_type, user_id_type)})

    def change_user(self, user: User, body: dict[str, Any], user_id_type: str, department_id_type: str, full: bool) -> User:
        before = self._user_event(user)
        name = self._check_name(body.get("name")) if full or "name" in body else user.name
        departments = (self._user_departments(body.get("department_ids"), department_id_type)
                       if full or "department_ids" in body else user.departments)
        employee_type = (self._check_employee_type(body.get("employee_type"))
                         if full or "employee_type" in body else user.employee_type)
        mobile_given, email_given = full or "mobile" in body, full or "email" in body
        mobile, email = self._check_contacts(body.get("mobile") if mobile_given else user.mobile,
                                             body.get("email") if email_given else user.email,
                                             user.open_id, require_mobile=full)
        if not mobile and not email:
            raise FeishuError(400, 40136, "update user's email and mobile empty is forbiden")
        job_title = body.get("job_title", user.job_title) or ""
        if len(job_title) > 100:
            raise FeishuError(400, 41063, "job_title length exceed 100 character")
        leader = self._leader(body.get("leader_user_id"), user_id_type) if "leader_user_id" in body else user.leader
        if leader == user.open_id:
            raise FeishuError(400, 41030, "set leader to oneself error")
        # Apply, keeping the indexes in step.
        if user.mobile != mobile:
            self.user_by_mobile.pop(user.mobile or "", None)
            if mobile:
                self.user_by_mobile[mobile] = user.open_id
        if (user.email or "").lower() != (email or "").lower():
            self.user_by_email.pop((user.email or "").lower(), None)
            if email:
                self.user_by_email[email.lower()] = user.open_id
        for gone in set(user.departments) - set(departments):
            self._leave(user, gone)
        for joined in departments:
            self._join(user, joined)
        user.name, user.departments, user.employee_type = name, departments, employee_type
        user.mobile, user.email, user.job_title, user.leader = mobile, email, job_title, leader
        if "is_frozen" in body:
            user.frozen = bool(body["is_frozen"])
        for field in ("en_name", "city", "employee_no"):
            if field in body:
                setattr(user, field, body[field])
        after = self._user_event(user)
        changed = {k: v for k, v in before.items() if after.get(k) != v}
        if changed:
            self._event("contact.user.updated_v3", {"object": after, "old_object": changed})
        return user

    def _user_patch(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        user = self._user(request.params["user_id"], user_id_type)
        user = self.change_user(user, self._body(request), user_id_type, department_id_type, full=False)
        return self._ok({"user": self.user_json(user, department_id_type, user_id_type)})

    def _user_update(self, request: core.Request, _: str) -> core.Response:
        user_id_type, department_id_type = self._id_types(request)
        user = self._user(request.params["user_id"], user_id_type)
        user = self.change_user(user, self._body(request), user_id_type, department_id_type, full=True)
        return self._ok({"user": self.user_json(user, department_id_type, user_id_type)})

    def delete_user(self, user: User) -> None:
        before = self._user_event(user)
        for department in user.departments:
            self._leave(user, department)
        del self.users[user.open_id]
        self.user_by_user_id.pop(user.user_id, None)
        self.user_by_union_id.pop(user.union_id, None)
        self.user_by_mobile.pop(user.mobile or "", None)
        self.user_by_email.pop((user.email or "").lower(), None)
        for other in self.users.values():
            if other.leader == user.open_id:
                other.leader = None
        after = dict(before, status=dict(before["status"], is_resigned=True, is_activated=False))
        self._event("contact.user.deleted_v3",
                    {"object": after, "old_object": {"department_ids": before["department_ids"], "open_id": user.open_id}})

    def _user_delete(self, request: core.Request, _: str) -> core.Response:
        user_id_type, _ = self._id_types(request)
        self.delete_user(self._user(request.params["user_id"], user_id_type))
        return self._ok({})

    # --- events --------------------------------------------------------------------------------

    def _user_event(self, user: User) -> dict[str, Any]:
        """The user object events carry: every id type, department ids as open_department_ids."""
        answer = self.user_json(user, "open_department_id", "open_id")
        for field in ("nickname", "enterprise_email", "description"):
            answer.pop(field, None)
        return answer

    def _department_event(self, department: Department) -> dict[str, Any]:
        answer = self.department_json(department, "open_department_id", "open_id", counts=False)
        answer["order"] = department.order  # an int in the event's schema, a string in the API's
        for field in ("i18n_name", "group_chat_employee_types", "create_group_chat"):
            answer.pop(field, None)
        return answer

    def _envelope(self, payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The request body and headers of a push: encrypted and signed when an Encrypt Key is set."""
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        key = self.options.encrypt_key
        if not key:
            return plain, {}
        body = json.dumps({"encrypt": crypto.lark_encrypt(key, plain)}, separators=(",", ":")).encode()
        timestamp, nonce = str(int(time.time())), _hex(8)
        return body, {"X-Lark-Request-Timestamp": timestamp, "X-Lark-Request-Nonce": nonce,
                      "X-Lark-Signature": crypto.lark_signature(timestamp, nonce, key, body)}

    def _event(self, event_type: str, event: dict[str, Any]) -> None:
        header = {"event_id": _hex(16), "token": self.options.verification_token,
                  "create_time": str(int(time.time() * 1000)), "event_type": event_type,
                  "tenant_key": self.options.tenant_key, "app_id": self.options.app_id}
        if not self.callback_url:
            return
        body, headers = self._envelope({"schema": "2.0", "header": header, "event": event})
        self.events.append({"eventId": header["event_id"], "eventType": event_type, "queuedAt": time.time()})
        self.send_callback(body, headers=headers)

    def _register_callback(self, request: core.Request) -> core.Response:
        """Feishu's "配置请求地址": a url_verification challenge the URL must echo within 1 second,
        before the address is saved."""
        url = request.json().get("url")
        if not url:
            self.callback_url = None
            return core.Response(200, {"url": None})
        challenge = _hex(16)
        # The challenge is not signed: lark-oapi's dispatcher checks no signature on it either.
        body, _ = self._envelope({"challenge": challenge, "token": self.options.verification_token,
                                  "type": "url_verification"})
        record: dict[str, Any] = {"url": url, "kind": "url_verification", "sentAt": time.time()}
        started = time.monotonic()
        try:
            sent = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(sent, timeout=self.options.verification_deadline) as answer:
                status, answer_body = answer.status, answer.read(1 << 16)
        except urllib.error.HTTPError as error:
            status, answer_body = error.code, error.read(1 << 16)
        except OSError as error:
            status, answer_body = 0, str(error).encode()
        record["seconds"] = round(time.monotonic() - started, 4)
        record["status"] = status
        problem = None
        if status != 200:
            problem = f"HTTP {status}" if status else "no answer: " + answer_body.decode(errors="replace")
        elif record["seconds"] > self.options.verification_deadline:
            problem = f"the challenge was not answered within {self.options.verification_deadline:g} s"
        else:
            try:
                echoed = json.loads(answer_body).get("challenge")
            except (ValueError, AttributeError):
                echoed = None
            if echoed != challenge:
                problem = "the answer is not {\"challenge\": <the challenge sent>}"
        record["accepted"] = problem is None
        if problem:
            record["problem"] = problem
        with self.lock:
            self.deliveries.append(record)
            if problem is None:
                self.callback_url = url
        return core.Response(200 if problem is None else 400, {"url": self.callback_url, "verified": problem is None,
                                                               **({"problem": problem} if problem else {})})

    # --- the admin console ---------------------------------------------------------------------

    def admin(self, action: str, payload: dict[str, Any]) -> core.Response:
        """Changes "made in the Feishu admin console", in the neutral shape; each sends its event."""
        before = len(self.events)
        try:
            if action == "create_user":
                self.create_user(self._neutral_user(payload, full=True), "user_id", "department_id")
            elif action == "update_user":
                user = self._user(str(payload.get("id")), "user_id")
                self.change_user(user, self._neutral_user(payload, full=False), "user_id", "department_id", full=False)
            elif action == "delete_user":
                self.delete_user(self._user(str(payload.get("id")), "user_id"))
            elif action == "create_department":
                self.create_department(self._neutral_department(payload, full=True), "department_id")
            elif action == "update_department":
                department = self._department(str(payload.get("id")), "department_id")
                self.change_department(department, self._neutral_department(payload, full=False), "department_id", full=False)
            elif action == "delete_department":
                self.delete_department(self._department(str(payload.get("id")), "department_id"))
            else:
                raise core.BadRequest(f"no admin action {action}")
        except FeishuError as error:
            return core.Response(400, {"ok": False, "code": error.code, "msg": error.msg})
        return core.Response(200, {"ok": True, "events": self.events[before:]})

    @staticmethod
    def _neutral_ref(department: Any) -> str:
        return ROOT if str(department) in (NEUTRAL_ROOT, ROOT) else str(department)

    def _neutral_user(self, payload: dict[str, Any], full: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if full:
            body["user_id"] = payload.get("id")
            body["employee_type"] = 1
        mapping = {"name": "name", "mobile": "mobile", "email": "email", "title": "job_title"}
        for neutral, field in mapping.items():
            if neutral in payload:
                body[field] = payload[neutral]
        if "departments" in payload:
            body["department_ids"] = [self._neutral_ref(d) for d in payload["departments"] or []]
        if "active" in payload:
            body["is_frozen"] = not payload["active"]
        return body

    def _neutral_department(self, payload: dict[str, Any], full: bool) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if full:
            body["department_id"] = str(payload.get("id") or "") or None
            body["parent_department_id"] = ROOT
        if "name" in payload:
            body["name"] = payload["name"]
        if payload.get("parent") is not None:
            body["parent_department_id"] = self._neutral_ref(payload["parent"])
        if payload.get("order") is not None:
            body["order"] = str(payload["order"])
        return body


def serve_in_thread(options: argparse.Namespace | None = None, **overrides: Any):
    """Starts a simulator on a free loopback port: (platform, server, base URL). For tests."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--token-ttl", type=int, default=7200)
    FeishuPlatform.add_arguments(parser)
    options = options or parser.parse_args([])
    for key, value in overrides.items():
        setattr(options, key, value)
    platform = FeishuPlatform(options)
    server = core.make_server(platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return platform, server, "http://127.0.0.1:%d" % server.server_address[1]
