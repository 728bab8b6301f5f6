"""A contract simulator of WeCom's (WeChat Work, 企业微信) directory API, the `wecom` kind.

It serves the documented `https://qyapi.weixin.qq.com/cgi-bin/...` endpoints that a directory
reader and writer use, with WeCom's shapes: every answer is HTTP 200 with `errcode`/`errmsg`
(0 and "ok", "created", "updated" or "deleted" on success), ids of departments are 32-bit
integers with 1 the root, userids are case-insensitive. Which document each part follows is in
wecom.md next to this file.

Two secrets with different rights, as WeCom has them: the self-built app's secret reads (its
visible range is the whole corp here), the contact-sync ("通讯录同步") secret reads and writes and
alone may call `user/list_id`. "写通讯录接口，只能由通讯录同步助手的access_token来调用" (global error
codes, 48002).
"""

from __future__ import annotations

import argparse
import base64
import bisect
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from platform_sim import core, crypto

ROOT = 1
MAX_DEPTH = 15  # "部门的最大层级为15层" (department/create); the root is the first level
MAX_USER_DEPARTMENTS = 100  # "成员所属部门id列表，不超过100个" (user/create)
MAX_LIST_ID_LIMIT = 10000  # user/list_id: "limit 分页，预期请求的数据量，取值范围 1 ~ 10000"
DEPARTMENT_NAME_FORBIDDEN = set('\\:*?"<>|”“｜')  # "字符不能包括\:*?"<>|" (department/create, update)
USERID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-@.]{0,63}$")  # "只能由数字、字母和“_-@.”四种字符组成，且第一个字符必须是数字或字母"
MOBILE = re.compile(r"^\+?[0-9][0-9 \-]{0,31}$")  # "长度不超过32位，字符仅支持数字，加号和减号"; the docs' own example has a space
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Fields a self-built app made after 2022-06-20 no longer receives from user/get and events:
# "不再返回以下字段：头像、性别、手机、邮箱、企业邮箱、员工个人二维码、地址".
SENSITIVE = ("mobile", "gender", "email", "biz_mail", "avatar", "thumb_avatar", "qr_code", "address")

# "从2022年8月15日10点开始，“企业管理后台 - 管理工具 - 通讯录同步”的新增IP将不能再调用此接口，企业可通过
# 「获取成员ID列表」和「获取部门ID列表」接口获取userid和部门ID列表" (读取成员 96255 and the other
# detail reads): the contact-sync secret, called from an IP trusted since, reads ids only.
CONTACT_SYNC_FORBIDDEN_SINCE_2022 = {"user/get", "user/simplelist", "user/list", "department/list"}

# errmsg texts as WeCom words them (English), from answers quoted in public code and forums.
MESSAGES = {
    40001: "invalid credential", 40003: "invalid userid", 40013: "invalid corpid",
    40014: "invalid access_token", 40031: "invalid userid list", 40032: "invalid userid list size",
    40058: "invalid parameter", 40066: "invalid department list", 41001: "access_token missing",
    41002: "corpid missing", 41004: "corpsecret missing", 41009: "missing userid",
    41019: "missing department", 42001: "access_token expired", 45009: "api freq out of limit",
    45033: "api concurrent out of limit", 47001: "data format error", 48002: "api forbidden",
    50100: "invalid cursor", 60001: "department invalid length", 60003: "department not found",
    60004: "parent department not found", 60005: "department contains user",
    60006: "department contains sub-department", 60007: "not allow to delete root department",
    60008: "department existed", 60009: "department name contains invalid character",
    60010: "department exists circle", 60011: "no privilege to access/modify contact/party/agent",
    60102: "userid existed", 60103: "mobile invalid", 60104: "mobile existed",
    60105: "email invalid", 60106: "email existed", 60110: "department count of user exceeds limit",
    60111: "userid not found", 60112: "invalid name", 60123: "invalid department id",
    60129: "mobile and email both empty", 81002: "department level exceeds limit",
}


class WxError(Exception):
    """A refusal with WeCom's code; `detail` follows the message the way WeCom appends the
    conflicting userid ("mobile existed:zhangsan")."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


def error_body(code: int, detail: str = "") -> dict[str, Any]:
    message = MESSAGES.get(code, "error") + detail
    hint = f"[{int(time.time())}_sim_{secrets.token_hex(8)}]"
    return {"errcode": code, "errmsg": f"{message}, hint: {hint}, from ip: 127.0.0.1, "
                                       f"more info at https://open.work.weixin.qq.com/devtool/query?e={code}"}


def body_of(request: core.Request) -> dict[str, Any]:
    """A request's JSON object; anything else is WeCom's 47001 (data format error)."""
    body = request.json()
    if not isinstance(body, dict):
        raise core.BadRequest("the body is not a JSON object")
    return body


def mobile_key(mobile: str) -> str:
    """One phone however written: "+86 13800000000", "+86-13800000000" and "13800000000" (a number
    without a country code is mainland China's, "+国家码 手机号" being how others are written)."""
    digits = "".join(c for c in mobile if c.isdigit())
    return "+" + digits if mobile.startswith("+") else "+86" + digits


def ok(message: str = "ok", **fields: Any) -> core.Response:
    return core.Response(200, {"errcode": 0, "errmsg": message, **fields})


@dataclass
class Department:
    id: int
    name: str
    parent: int  # 0 for the root
    order: int = 0
    name_en: str = ""
    children: dict[int, None] = field(default_factory=dict)  # insertion-ordered set
    members: dict[str, None] = field(default_factory=dict)  # lower-cased userids


@dataclass
class User:
    userid: str
    name: str
    departments: list[int]
    seq: int
    mobile: str = ""
    email: str = ""
    position: str = ""
    enable: int = 1
    gender: str = "0"
    alias: str = ""
    telephone: str = ""
    orders: list[int] = field(default_factory=list)
    main_department: int = 0


class FrequencyLimiter(core.RateLimiter):
    """WeCom's frequency limits: counted per corp and API in windows, and "频率拦截时长一般与调用的
    限制时长相同，比如说是分钟级别的限制，则在中频率后的1分钟后自动解除" (global error codes, 45009):
    once a window's count is passed, the API is refused for that window's whole length."""

    def __init__(self, limits: dict[str, list[tuple[float, float]]]) -> None:
        super().__init__(limits)
        self._counters: dict[tuple[str, str], list[tuple[float, int]]] = {}
        self._blocked: dict[tuple[str, str], float] = {}

    def set(self, api: str, windows: list[tuple[float, float]]) -> None:
        with self._lock:
            self.limits[api] = windows
            for store in (self._counters, self._blocked):
                for key in [k for k in store if k[1] == api or api == "*"]:
                    del store[key]

    def take(self, app: str, api: str) -> float:
        with self._lock:
            now = time.monotonic()
            key = (app, api)
            until = self._blocked.get(key, 0.0)
            if now < until:
                self.limited += 1
                return until - now
            windows = self.limits.get(api, self.limits.get("*", []))
            counters = self._counters.get(key)
            if counters is None or len(counters) != len(windows):
                counters = self._counters[key] = [(now, 0)] * len(windows)
            for index, (count, seconds) in enumerate(windows):
                start, used = counters[index]
                if now - start >= seconds:
                    start, used = now, 0
                if used + 1 > count:
                    self._blocked[key] = now + seconds
                    self.limited += 1
                    return seconds
                counters[index] = (start, used)
            for index, (start, used) in enumerate(counters):
                counters[index] = (start, used + 1)
            return 0.0


class WeCom(core.Platform):
    name = "wecom"

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--corp-id", default="ww5im0000000000001", help="the corp id (corpid)")
        parser.add_argument("--app-secret", default="app-secret", help="the self-built app's secret: reads")
        parser.add_argument("--contact-secret", default="contact-sync-secret",
                            help="the contact-sync (通讯录同步) secret: reads and writes, and user/list_id")
        parser.add_argument("--agent-id", default="",
                            help="AgentID in event envelopes (empty: the contact-sync assistant's callback, which gets change_contact)")
        parser.add_argument("--callback-token", default="callback-token", help="the callback Token")
        parser.add_argument("--encoding-aes-key", default="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                            help="the callback EncodingAESKey (43 characters)")
        parser.add_argument("--legacy-app", action="store_true",
                            help="the app was made before 2022-06-20: its user/get carries mobile, email, ...")
        parser.add_argument("--contact-sync-old-ip", action="store_true",
                            help="the contact-sync secret is called from an IP trusted before 2022-08-15: it may still "
                                 "call user/get, user/list, user/simplelist and department/list")
        parser.add_argument("--legacy-callback", action="store_true",
                            help="the contact-sync callback URL was saved before 2022-08-15: events carry every field")
        parser.add_argument("--concurrency", type=int, default=0,
                            help="requests in flight per API before 45033 (0: not limited; WeCom publishes no number)")
        parser.add_argument("--verify-deadline", type=float, default=1.0,
                            help="seconds the callback URL has to echo a verification (WeCom: 1 s)")

    @classmethod
    def options(cls, argv: list[str] | None = None) -> argparse.Namespace:
        parser = argparse.ArgumentParser()
        parser.add_argument("--token-ttl", type=int, default=7200)
        cls.add_arguments(parser)
        return parser.parse_args(argv or [])

    def __init__(self, options: argparse.Namespace) -> None:
        super().__init__(options)
        self.limiter = FrequencyLimiter(self.default_limits())
        crypto.wx_key(options.encoding_aes_key)  # refuse a malformed key at start, not at the first event
        self.in_flight: dict[str, int] = {}
        self.current_tokens: dict[str, tuple[str, float]] = {}  # secret's app → (token, issued at)
        self.concurrency = options.concurrency
        self._reset()

    def _reset(self) -> None:
        self.departments: dict[int, Department] = {ROOT: Department(ROOT, "Root", 0)}
        self.users: dict[str, User] = {}  # by lower-cased userid
        self.by_mobile: dict[str, str] = {}
        self.by_email: dict[str, str] = {}
        self.user_seq: list[tuple[int, str]] = []  # (seq, lower userid), append-only: list_id's cursor order
        self.next_seq = 1
        self.neutral_of: dict[int, str] = {ROOT: "1"}
        self.id_of: dict[str, int] = {"1": ROOT}

    def default_limits(self) -> dict[str, list[tuple[float, float]]]:
        # "每企业调用单个cgi/api不可超过1万次/分，15万次/小时" (访问频率限制, 90312 / 90454).
        return {"*": [(10000, 60), (150000, 3600)]}

    def callback_deadline(self) -> float:
        # "企业微信服务器在五秒内收不到响应会断掉连接" (回调配置, 90930).
        return 5.0

    def bad_request(self, message: str) -> core.Response:
        return core.Response(200, error_body(47001, f": {message}"))

    def fault_answer(self, fault: core.Fault) -> core.Response:
        return core.Response(200, fault.answer)

    # ---- the neutral fixture shape ----

    def _dept_id(self, neutral: Any) -> int:
        """WeCom's id of a department named in the neutral shape ("1", empty or "0": the root)."""
        key = "1" if neutral in (None, "", "0") else str(neutral)
        found = self.id_of.get(key)
        if found is not None:
            return found
        if key.isdigit() and int(key) in self.departments and int(key) not in self.neutral_of:
            return int(key)  # made through the API: its neutral id is its WeCom id
        raise core.BadRequest(f"no department {key}")

    def _alias(self, neutral: str) -> int:
        """A WeCom id for a new department named `neutral`: the same number when it is one."""
        used = set(self.departments) | set(self.neutral_of)
        number = int(neutral) if neutral.isdigit() and 1 < int(neutral) < 2**31 and int(neutral) not in used else max(used) + 1
        self.id_of[neutral] = number
        self.neutral_of[number] = neutral
        return number

    def _free_id(self) -> int:
        return max(set(self.departments) | set(self.neutral_of)) + 1

    def load(self, directory: dict[str, Any]) -> None:
        self._reset()
        departments = directory.get("departments", [])
        numeric = [e for e in departments if str(e["id"]).isdigit()]
        for entry in numeric + [e for e in departments if not str(e["id"]).isdigit()]:
            if str(entry["id"]) != "1":
                self._alias(str(entry["id"]))
        for entry in departments:
            if str(entry["id"]) == "1":
                self.departments[ROOT].name = entry.get("name", "Root")
                continue
            number = self.id_of[str(entry["id"])]
            self.departments[number] = Department(number, entry["name"], self._dept_id(entry.get("parent")),
                                                  int(entry.get("order", 0)))
        for department in self.departments.values():
            if department.id != ROOT:
                self.departments[department.parent].children[department.id] = None
        for entry in directory.get("users", []):
            numbers = [self._dept_id(d) for d in entry.get("departments") or ["1"]]
            user = User(entry["id"], entry.get("name", entry["id"]), numbers, 0, entry.get("mobile") or "",
                        entry.get("email") or "", entry.get("title") or "", 1 if entry.get("active", True) else 0)
            self._insert_user(user)

    def state(self) -> dict[str, Any]:
        departments = []
        for department in self._walk(ROOT):
            if department.id == ROOT:
                continue
            departments.append({"id": self.neutral_of.get(department.id, str(department.id)), "name": department.name,
                                "parent": self.neutral_of.get(department.parent, str(department.parent)),
                                "order": department.order})
        users = []
        for user in self.users.values():
            entry: dict[str, Any] = {"id": user.userid, "name": user.name}
            for key, value in (("mobile", user.mobile), ("email", user.email)):
                if value:
                    entry[key] = value
            entry["departments"] = [self.neutral_of.get(d, str(d)) for d in user.departments]
            if user.position:
                entry["title"] = user.position
            entry["active"] = user.enable == 1
            users.append(entry)
        return {"departments": departments, "users": users}

    # ---- the directory and its rules (shared by the API and the "console") ----

    def _walk(self, start: int):
        """The department and everything under it, parents before children."""
        stack = [start]
        while stack:
            department = self.departments[stack.pop()]
            yield department
            stack.extend(reversed(list(department.children)))

    def _depth(self, number: int) -> int:
        depth = 1
        while number != ROOT:
            number = self.departments[number].parent
            depth += 1
        return depth

    def _height(self, number: int) -> int:
        children = self.departments[number].children
        return 1 + max((self._height(child) for child in children), default=0)

    def _insert_user(self, user: User) -> None:
        key = user.userid.lower()
        user.seq = self.next_seq
        self.next_seq += 1
        user.orders = user.orders or [0] * len(user.departments)
        user.main_department = user.main_department or user.departments[0]
        self.users[key] = user
        self.user_seq.append((user.seq, key))
        if user.mobile:
            self.by_mobile[mobile_key(user.mobile)] = key
        if user.email:
            self.by_email[user.email.lower()] = key
        for number in user.departments:
            self.departments[number].members[key] = None

    def _remove_user(self, key: str) -> User:
        user = self.users.pop(key)
        self.by_mobile.pop(mobile_key(user.mobile), None)
        self.by_email.pop(user.email.lower(), None)
        for number in user.departments:
            self.departments[number].members.pop(key, None)
        return user

    def _check_name(self, name: Any) -> str:
        if not isinstance(name, str) or not 1 <= len(name) <= 32:
            raise WxError(60001)
        if any(c in DEPARTMENT_NAME_FORBIDDEN for c in name):
            raise WxError(60009)
        return name

    def _sibling_clash(self, parent: int, name: str, itself: int | None = None) -> bool:
        return any(self.departments[c].name == name and c != itself for c in self.departments[parent].children)

    def _int(self, value: Any, code: int) -> int:
        if isinstance(value, bool):
            raise WxError(code)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise WxError(code) from None

    def create_department(self, body: dict[str, Any]) -> Department:
        name = self._check_name(body.get("name"))
        if body.get("parentid") is None:
            raise WxError(60004)
        parent = self._int(body["parentid"], 60004)
        if parent not in self.departments:
            raise WxError(60004)
        if body.get("id") is not None:
            number = self._int(body["id"], 60123)
            if number <= 1 or number >= 2**31:
                raise WxError(60123)
            if number in self.departments:
                raise WxError(60008)
        else:
            number = self._free_id()
        if self._sibling_clash(parent, name):
            raise WxError(60008)
        if self._depth(parent) + 1 > MAX_DEPTH:
            raise WxError(81002)
        department = Department(number, name, parent, self._int(body.get("order", 0), 40058), body.get("name_en") or "")
        self.departments[number] = department
        self.departments[parent].children[number] = None
        return department

    def update_department(self, body: dict[str, Any]) -> tuple[Department, dict[str, Any]]:
        number = self._int(body.get("id"), 60003)
        department = self.departments.get(number)
        if department is None:
            raise WxError(60003)
        changed: dict[str, Any] = {}
        name = department.name if body.get("name") is None else self._check_name(body["name"])
        parent = department.parent
        if body.get("parentid") is not None:
            parent = self._int(body["parentid"], 60004)
            if parent not in self.departments:
                raise WxError(60004)
            if number == ROOT and parent != 0:
                raise WxError(60010)
            if number != ROOT and any(d.id == parent for d in self._walk(number)):
                raise WxError(60010)
        if number != ROOT and (name != department.name or parent != department.parent) and self._sibling_clash(parent, name, number):
            raise WxError(60008)
        if number != ROOT and parent != department.parent and self._depth(parent) + self._height(number) > MAX_DEPTH:
            raise WxError(81002)
        if name != department.name:
            department.name = changed["name"] = name
        if number != ROOT and parent != department.parent:
            del self.departments[department.parent].children[number]
            self.departments[parent].children[number] = None
            department.parent = changed["parent"] = parent
        if body.get("order") is not None:
            department.order = self._int(body["order"], 40058)
        if body.get("name_en") is not None:
            department.name_en = str(body["name_en"])
        return department, changed

    def delete_department(self, value: Any) -> int:
        number = self._int(value, 60003)
        if number == ROOT:
            raise WxError(60007)
        department = self.departments.get(number)
        if department is None:
            raise WxError(60003)
        if department.children:
            raise WxError(60006)
        if department.members:
            raise WxError(60005)
        del self.departments[department.parent].children[number]
        del self.departments[number]
        return number

    def _user_departments(self, value: Any) -> list[int]:
        if not isinstance(value, list) or not value:
            raise WxError(40066)
        numbers = []
        for item in value:
            number = self._int(item, 40066)
            if number not in self.departments:
                raise WxError(40066)
            if number not in numbers:
                numbers.append(number)
        if len(numbers) > MAX_USER_DEPARTMENTS:
            raise WxError(60110)
        return numbers

    def _check_contacts(self, key: str, mobile: str, email: str) -> None:
        if mobile:
            if not MOBILE.match(mobile):
                raise WxError(60103)
            owner = self.by_mobile.get(mobile_key(mobile))
            if owner is not None and owner != key:
                raise WxError(60104, ":" + self.users[owner].userid)
        if email:
            if not 6 <= len(email.encode()) <= 64 or not EMAIL.match(email):
                raise WxError(60105)
            owner = self.by_email.get(email.lower())
            if owner is not None and owner != key:
                raise WxError(60106, ":" + self.users[owner].userid)
        if not mobile and not email:
            raise WxError(60129)

    def _check_user_name(self, name: Any) -> str:
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            raise WxError(60112)
        return name

    def create_user(self, body: dict[str, Any]) -> User:
        userid = body.get("userid")
        if not userid:
            raise WxError(41009)
        if not isinstance(userid, str) or not USERID.match(userid):
            raise WxError(40003)
        key = userid.lower()  # "系统进行唯一性检查时会忽略大小写"
        if key in self.users:
            raise WxError(60102)
        name = self._check_user_name(body.get("name"))
        if body.get("department") in (None, []):
            raise WxError(41019)
        numbers = self._user_departments(body.get("department"))
        mobile, email = str(body.get("mobile") or ""), str(body.get("email") or "")
        self._check_contacts(key, mobile, email)
        orders = body.get("order") or [0] * len(numbers)
        if len(orders) != len(numbers):
            raise WxError(40058)
        user = User(userid, name, numbers, 0, mobile, email, str(body.get("position") or ""),
                    self._int(body.get("enable", 1), 40058), str(body.get("gender") or "0"),
                    str(body.get("alias") or ""), str(body.get("telephone") or ""), [int(o) for o in orders],
                    self._int(body.get("main_department") or numbers[0], 40058))
        if user.main_department not in numbers:
            user.main_department = numbers[0]
        self._insert_user(user)
        return user

    def update_user(self, body: dict[str, Any]) -> tuple[User, dict[str, Any]]:
        userid = body.get("userid")
        if not userid:
            raise WxError(41009)
        key = str(userid).lower()
        user = self.users.get(key)
        if user is None:
            raise WxError(60111)
        changed: dict[str, Any] = {}
        name = user.name if body.get("name") is None else self._check_user_name(body["name"])
        numbers = user.departments if body.get("department") is None else self._user_departments(body["department"])
        mobile = user.mobile if body.get("mobile") is None else str(body["mobile"])
        email = user.email if body.get("email") is None else str(body["email"])
        self._check_contacts(key, mobile, email)
        if name != user.name:
            user.name = changed["name"] = name
        if numbers != user.departments:
            for number in user.departments:
                self.departments[number].members.pop(key, None)
            for number in numbers:
                self.departments[number].members[key] = None
            user.departments = changed["department"] = numbers
            user.orders = [0] * len(numbers)
            if user.main_department not in numbers:
                user.main_department = numbers[0]
        if mobile != user.mobile:
            self.by_mobile.pop(mobile_key(user.mobile), None)
            if mobile:
                self.by_mobile[mobile_key(mobile)] = key
            user.mobile = changed["mobile"] = mobile
        if email != user.email:
            self.by_email.pop(user.email.lower(), None)
            if email:
                self.by_email[email.lower()] = key
            user.email = changed["email"] = email
        for attribute, field_name in (("position", "position"), ("alias", "alias"), ("telephone", "telephone"), ("gender", "gender")):
            if body.get(field_name) is not None and str(body[field_name]) != getattr(user, attribute):
                setattr(user, attribute, str(body[field_name]))
                changed[field_name] = str(body[field_name])
        if body.get("enable") is not None and self._int(body["enable"], 40058) != user.enable:
            user.enable = changed["enable"] = self._int(body["enable"], 40058)
        if body.get("main_department") is not None:
            main = self._int(body["main_department"], 40058)
            if main in user.departments and main != user.main_department:
                user.main_department = changed["main_department"] = main
        return user, changed

    def delete_user(self, userid: Any) -> User:
        if not userid:
            raise WxError(41009)
        key = str(userid).lower()
        if key not in self.users:
            raise WxError(60111)
        return self._remove_user(key)

    # ---- answers ----

    def user_detail(self, user: User, app: str) -> dict[str, Any]:
        detail = {"userid": user.userid, "name": user.name, "department": list(user.departments),
                  "order": list(user.orders), "position": user.position, "mobile": user.mobile,
                  "gender": user.gender, "email": user.email, "biz_mail": "",
                  "is_leader_in_dept": [0] * len(user.departments), "direct_leader": [],
                  "avatar": "", "thumb_avatar": "", "telephone": user.telephone, "alias": user.alias,
                  "address": "", "open_userid": "", "main_department": user.main_department,
                  "extattr": {"attrs": []}, "status": 1 if user.enable else 2, "qr_code": "",
                  "external_position": "", "external_profile": {"external_corp_name": "", "external_attr": []}}
        if app == "app" and not self.options.legacy_app:
            for key in SENSITIVE:
                detail.pop(key, None)
        return detail

    def department_detail(self, department: Department) -> dict[str, Any]:
        return {"id": department.id, "name": department.name, "name_en": department.name_en,
                "department_leader": [], "parentid": department.parent, "order": department.order}

    # ---- the HTTP surface ----

    def routes(self, router: core.Router) -> None:
        def add(method: str, api: str, handler, writes: bool = False, contact_only: bool = False) -> None:
            router.add(method, "/cgi-bin/" + api, self._guarded(api, handler, writes, contact_only), api=api)

        router.add("GET", "/cgi-bin/gettoken", self.gettoken, api="gettoken")
        add("GET", "department/simplelist", self.department_simplelist)
        add("GET", "department/list", self.department_list)
        add("GET", "department/get", self.department_get)
        add("POST", "department/create", lambda r, a: ok("created", id=self.create_department(body_of(r)).id), writes=True)
        add("POST", "department/update", lambda r, a: (self.update_department(body_of(r)), ok("updated"))[1], writes=True)
        add("GET", "department/delete", lambda r, a: (self.delete_department(r.query.get("id")), ok("deleted"))[1], writes=True)
        add("POST", "user/list_id", self.user_list_id, contact_only=True)
        add("GET", "user/simplelist", lambda r, a: self.user_list(r, a, simple=True))
        add("GET", "user/list", lambda r, a: self.user_list(r, a, simple=False))
        add("GET", "user/get", self.user_get)
        add("POST", "user/create", lambda r, a: (self.create_user(body_of(r)), ok("created"))[1], writes=True)
        add("POST", "user/update", lambda r, a: (self.update_user(body_of(r)), ok("updated"))[1], writes=True)
        add("GET", "user/delete", lambda r, a: (self.delete_user(r.query.get("userid")), ok("deleted"))[1], writes=True)
        add("POST", "user/batchdelete", self.user_batchdelete, writes=True)
        router.add("POST", "/_sim/callback", self.register_callback)
        router.add("POST", "/_sim/rate-limit", self.set_rate_limit)

    def _guarded(self, api: str, handler, writes: bool, contact_only: bool):
        def serve(request: core.Request) -> core.Response:
            status, app = self.tokens.check(request.query.get("access_token"))
            if status != "ok":
                return core.Response(200, error_body({"missing": 41001, "invalid": 40014, "expired": 42001}[status]))
            if (writes or contact_only) and app != "contact":
                return core.Response(200, error_body(48002))
            if app == "contact" and api in CONTACT_SYNC_FORBIDDEN_SINCE_2022 and not self.options.contact_sync_old_ip:
                return core.Response(200, error_body(48002))
            if self.limiter.take(self.options.corp_id, api) > 0:
                return core.Response(200, error_body(45009))
            fault = self.take_fault(api)
            if fault is not None:
                return self.fault_answer(fault)
            with self.lock:
                if self.concurrency and self.in_flight.get(api, 0) >= self.concurrency:
                    return core.Response(200, error_body(45033))
                self.in_flight[api] = self.in_flight.get(api, 0) + 1
            try:
                with self.lock:
                    return handler(request, app)
            except WxError as error:
                return core.Response(200, error_body(error.code, error.detail))
            finally:
                with self.lock:
                    self.in_flight[api] -= 1
        return serve

    def gettoken(self, request: core.Request) -> core.Response:
        corpid, secret = request.query.get("corpid"), request.query.get("corpsecret")
        if not corpid:
            return core.Response(200, error_body(41002))
        if not secret:
            return core.Response(200, error_body(41004))
        if self.limiter.take(corpid, "gettoken") > 0:
            return core.Response(200, error_body(45009))
        if corpid != self.options.corp_id:
            return core.Response(200, error_body(40013))
        app = {self.options.app_secret: "app", self.options.contact_secret: "contact"}.get(secret)
        if app is None:
            return core.Response(200, error_body(40001))
        # "有效期内重复获取返回相同结果，过期后获取会返回新的access_token" (获取access_token, 91039):
        # one token per secret while it lives, with the seconds it has left.
        with self.lock:
            current = self.current_tokens.get(app)
            if current is not None and self.tokens.check(current[0])[0] == "ok":
                left = int(current[1] + self.tokens.ttl - time.monotonic())
                if left > 0:
                    return ok(access_token=current[0], expires_in=left)
            token, ttl = self.tokens.issue(app)
            self.current_tokens[app] = (token, time.monotonic())
        return ok(access_token=token, expires_in=ttl)

    def _department_param(self, request: core.Request, name: str = "id") -> int | None:
        value = request.query.get(name)
        if value in (None, ""):
            return None
        number = self._int(value, 60003)
        if number not in self.departments:
            raise WxError(60003)
        return number

    def department_simplelist(self, request: core.Request, app: str) -> core.Response:
        start = self._department_param(request)
        listed = [{"id": d.id, "parentid": d.parent, "order": d.order} for d in self._walk(start or ROOT)]
        return ok(department_id=listed)

    def department_list(self, request: core.Request, app: str) -> core.Response:
        start = self._department_param(request)
        return ok(department=[self.department_detail(d) for d in self._walk(start or ROOT)])

    def department_get(self, request: core.Request, app: str) -> core.Response:
        number = self._department_param(request)
        if number is None:
            raise WxError(60003)
        return ok(department=self.department_detail(self.departments[number]))

    def user_get(self, request: core.Request, app: str) -> core.Response:
        userid = request.query.get("userid")
        user = self.users.get((userid or "").lower())
        if user is None:
            raise WxError(60111)
        return ok(**self.user_detail(user, app))

    def user_list(self, request: core.Request, app: str, simple: bool) -> core.Response:
        number = self._department_param(request, "department_id")
        if number is None:
            raise WxError(60003)
        numbers = [d.id for d in self._walk(number)] if request.query.get("fetch_child") == "1" else [number]
        seen: dict[str, None] = {}
        for each in numbers:
            seen.update(self.departments[each].members)
        users = [self.users[key] for key in seen]
        if simple:
            listed = [{"userid": u.userid, "name": u.name, "department": list(u.departments), "open_userid": ""} for u in users]
        else:
            listed = [self.user_detail(u, app) for u in users]
        return ok(userlist=listed)

    def user_list_id(self, request: core.Request, app: str) -> core.Response:
        body = body_of(request)
        limit = body.get("limit", MAX_LIST_ID_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_ID_LIMIT:
            raise WxError(40058)
        after = 0
        cursor = body.get("cursor") or ""
        if cursor:
            try:
                decoded = base64.urlsafe_b64decode(cursor.encode() + b"==").decode()
                if not decoded.startswith("wecom-sim:"):
                    raise ValueError(decoded)
                after = int(decoded.removeprefix("wecom-sim:"))
            except (ValueError, UnicodeDecodeError):
                raise WxError(50100) from None
        index = bisect.bisect_right(self.user_seq, (after, "\uffff"))
        pairs: list[dict[str, Any]] = []
        taken = 0
        last = after
        while index < len(self.user_seq) and taken < limit:
            seq, key = self.user_seq[index]
            index += 1
            if not self._live(seq, key):
                continue  # deleted (or deleted and made again: listed at its new place)
            user = self.users[key]
            pairs.extend({"userid": user.userid, "department": number} for number in user.departments)
            taken += 1
            last = seq
        while index < len(self.user_seq) and not self._live(*self.user_seq[index]):
            index += 1
        more = index < len(self.user_seq)
        next_cursor = base64.urlsafe_b64encode(f"wecom-sim:{last}".encode()).decode().rstrip("=") if more else ""
        return ok(next_cursor=next_cursor, dept_user=pairs)

    def _live(self, seq: int, key: str) -> bool:
        user = self.users.get(key)
        return user is not None and user.seq == seq

    def user_batchdelete(self, request: core.Request, app: str) -> core.Response:
        userids = body_of(request).get("useridlist")
        if not isinstance(userids, list) or not userids:
            raise WxError(40031)
        if len(userids) > 200:
            raise WxError(40032)
        if any(str(u).lower() not in self.users for u in userids):
            raise WxError(40031)
        for userid in userids:
            self._remove_user(str(userid).lower())
        return ok("deleted")

    def set_rate_limit(self, request: core.Request) -> core.Response:
        body = request.json()
        windows = [(float(body[key]), seconds) for key, seconds in (("per_second", 1.0), ("per_minute", 60.0), ("per_hour", 3600.0))
                   if body.get(key) is not None]
        self.limiter.set(body.get("api", "*"), windows)
        if body.get("concurrent") is not None:
            self.concurrency = int(body["concurrent"])
        return core.Response(200, {"limits": dict(self.limiter.limits), "concurrent": self.concurrency})

    # ---- callbacks ----

    def register_callback(self, request: core.Request) -> core.Response:
        """Saving a callback URL in WeCom's console first verifies it: a GET with msg_signature,
        timestamp, nonce and an encrypted echostr, which the receiver must decrypt and answer with
        the plain text, "在1秒内响应GET请求，响应内容为上一步得到的明文消息内容（不能加引号，不能带bom头，
        不能带换行符）" (回调配置, 90930). A URL that fails is not saved."""
        url = request.json().get("url")
        if not url:
            self.callback_url = None
            return core.Response(200, {"url": None})
        plain = str(secrets.randbelow(9 * 10**18) + 10**18)  # WeCom's echostr decrypts to a long run of digits
        query = self._signed_query(crypto.wx_encrypt(self.options.encoding_aes_key, self.options.corp_id, plain.encode()))
        query["echostr"] = query.pop("encrypted")
        target = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(target, timeout=self.options.verify_deadline + 1) as answer:
                status, body = answer.status, answer.read(1 << 12)
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read(1 << 12)
        except OSError as error:
            status, body = 0, str(error).encode()
        seconds = time.monotonic() - started
        problem = None
        if status != 200:
            problem = f"HTTP {status}: {body[:200].decode(errors='replace')}"
        elif seconds > self.options.verify_deadline:
            problem = f"answered in {seconds:.2f} s, after the {self.options.verify_deadline} s deadline"
        elif body != plain.encode():
            problem = f"answer {body[:80]!r} is not the decrypted echostr"
        if problem is None:
            self.callback_url = url
        return core.Response(200, {"url": self.callback_url, "verified": problem is None, "problem": problem,
                                   "seconds": round(seconds, 4)})

    def _signed_query(self, encrypted: str) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        signature = crypto.wx_signature(self.options.callback_token, timestamp, nonce, encrypted)
        return {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "encrypted": encrypted}

    def send_event(self, change_type: str, fields: list[tuple[str, Any]]) -> None:
        """A change_contact event (成员变更通知 90970, 部门变更通知 90971): the XML message encrypted
        into an envelope of ToUserName, AgentID and Encrypt, posted with msg_signature, timestamp
        and nonce in the query."""
        parts = [f"<ToUserName><![CDATA[{self.options.corp_id}]]></ToUserName>",
                 "<FromUserName><![CDATA[sys]]></FromUserName>",
                 f"<CreateTime>{int(time.time())}</CreateTime>",
                 "<MsgType><![CDATA[event]]></MsgType>", "<Event><![CDATA[change_contact]]></Event>",
                 f"<ChangeType><![CDATA[{change_type}]]></ChangeType>"]
        for name, value in fields:
            if isinstance(value, int):
                parts.append(f"<{name}>{value}</{name}>")
            else:
                parts.append(f"<{name}><![CDATA[{str(value).replace(']]>', ']]]]><![CDATA[>')}]]></{name}>")
        message = ("<xml>" + "".join(parts) + "</xml>").encode()
        signed = self._signed_query(crypto.wx_encrypt(self.options.encoding_aes_key, self.options.corp_id, message))
        encrypted = signed.pop("encrypted")
        envelope = (f"<xml><ToUserName><![CDATA[{escape(self.options.corp_id)}]]></ToUserName>"
                    f"<AgentID><![CDATA[{escape(self.options.agent_id)}]]></AgentID>"
                    f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>").encode()
        self.send_callback(envelope, signed, {"Content-Type": "text/xml"})

    # "企业微信服务器在五秒内收不到响应会断掉连接，并且重新发起请求，总共重试三次" and "http头部返回200表示接收ok，
    # 其他错误码一律当做失败并发起重试" (回调配置): an event not accepted is sent again, up to three more
    # times; every attempt is a delivery record.
    delivery_attempts = 4

    def check_callback_answer(self, status: int, body: bytes) -> str | None:
        # An event needs an answer within 5 s; its body may be empty, "success", or a passive
        # reply (encrypted the same way), none of which carries anything for contact events.
        if status != 200:
            return f"HTTP {status}"
        text = body.strip()
        if text in (b"", b"success"):
            return None
        match = re.search(rb"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", text)
        signature = re.search(rb"<MsgSignature><!\[CDATA\[(.*?)\]\]></MsgSignature>", text)
        timestamp = re.search(rb"<TimeStamp>(\d+)</TimeStamp>", text)
        nonce = re.search(rb"<Nonce><!\[CDATA\[(.*?)\]\]></Nonce>", text)
        if not (match and signature and timestamp and nonce):
            return f"answer is neither empty, success nor an encrypted reply: {text[:80]!r}"
        expected = crypto.wx_signature(self.options.callback_token, timestamp.group(1).decode(), nonce.group(1).decode(), match.group(1).decode())
        if expected != signature.group(1).decode():
            return "the encrypted reply's signature does not match"
        try:
            _, receiver = crypto.wx_decrypt(self.options.encoding_aes_key, match.group(1).decode())
        except crypto.CryptoError as error:
            return f"the encrypted reply does not decrypt: {error}"
        return None if receiver == self.options.corp_id else f"the reply names receiver {receiver}"

    def _user_event_fields(self, user: User, only: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
        """What a user event carries. "对于2022年8月15号后通讯录助手新配置或修改的回调url，成员属性只回调
        UserID/Department两个字段" (成员变更通知); before that, every field (update_user: what changed)."""
        department = ("Department", ",".join(str(d) for d in user.departments))
        if not self.options.legacy_callback:
            return [("UserID", user.userid), department]
        fields: list[tuple[str, Any]] = [("UserID", user.userid)]
        every = only is None
        only = only or {}
        for key, name, value in (("name", "Name", user.name), ("department", *department),
                                 ("main_department", "MainDepartment", user.main_department),
                                 ("department", "IsLeaderInDept", ",".join("0" for _ in user.departments)),
                                 ("position", "Position", user.position), ("mobile", "Mobile", user.mobile),
                                 ("gender", "Gender", int(user.gender or 0)), ("email", "Email", user.email),
                                 ("enable", "Status", 1 if user.enable else 2), ("alias", "Alias", user.alias),
                                 ("telephone", "Telephone", user.telephone)):
            if every or key in only or (key == "main_department" and "department" in only):
                fields.append((name, value))
        return fields

    def admin(self, action: str, payload: dict[str, Any]) -> core.Response:
        """A change "in WeCom's admin console", in the neutral shape, and its change_contact event."""
        try:
            if action == "create_user":
                body = {"userid": payload["id"], "name": payload.get("name"), "mobile": payload.get("mobile"),
                        "email": payload.get("email"), "position": payload.get("title"),
                        "department": [self._dept_id(d) for d in payload.get("departments") or ["1"]],
                        "enable": 1 if payload.get("active", True) else 0}
                user = self.create_user(body)
                self.send_event("create_user", self._user_event_fields(user))
            elif action == "update_user":
                body = {"userid": payload["id"]}
                for neutral, wecom in (("name", "name"), ("mobile", "mobile"), ("email", "email"), ("title", "position")):
                    if neutral in payload:
                        body[wecom] = payload[neutral] or ""
                if "departments" in payload:
                    body["department"] = [self._dept_id(d) for d in payload["departments"]]
                if "active" in payload:
                    body["enable"] = 1 if payload["active"] else 0
                user, changed = self.update_user(body)
                if changed:
                    self.send_event("update_user", self._user_event_fields(user, changed))
            elif action == "delete_user":
                user = self.delete_user(payload["id"])
                self.send_event("delete_user", [("UserID", user.userid)])
            elif action == "create_department":
                parent = self._dept_id(payload.get("parent"))
                number = self._alias(str(payload["id"])) if payload.get("id") is not None else None
                department = self.create_department({"name": payload.get("name"), "parentid": parent,
                                                     "order": payload.get("order", 0), "id": number})
                # "对于2022年8月15号后通讯录助手新配置或修改的回调url，部门属性只回调Id/ParentId两个字段"
                # (部门变更通知).
                if self.options.legacy_callback:
                    self.send_event("create_party", [("Id", department.id), ("Name", department.name),
                                                     ("ParentId", str(department.parent)), ("Order", department.order)])
                else:
                    self.send_event("create_party", [("Id", department.id), ("ParentId", str(department.parent))])
            elif action == "update_department":
                body = {"id": self._dept_id(payload["id"]), "name": payload.get("name")}
                if "parent" in payload:
                    body["parentid"] = self._dept_id(payload["parent"])
                department, changed = self.update_department(body)
                fields: list[tuple[str, Any]] = [("Id", department.id)]
                if "name" in changed and self.options.legacy_callback:
                    fields.append(("Name", department.name))
                if "parent" in changed:
                    fields.append(("ParentId", str(department.parent)))
                # Since 2022-08-15 "该事件只会在ParentId变更时触发" (部门变更通知): a rename is silent.
                if "parent" in changed or (changed and self.options.legacy_callback):
                    self.send_event("update_party", fields)
            elif action == "delete_department":
                number = self.delete_department(self._dept_id(payload["id"]))
                self.send_event("delete_party", [("Id", number)])
            else:
                raise core.BadRequest(f"no admin action {action}")
        except WxError as error:
            return core.Response(400, error_body(error.code, error.detail))
        except KeyError as error:
            raise core.BadRequest(f"missing {error}") from None
        return core.Response(200, {"ok": True})
