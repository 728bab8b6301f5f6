"""What every platform simulator shares: an HTTP server with routing and limits, access tokens
that expire, token-bucket rate limits per app and API, counted requests, injected faults, and a
control API under `/_sim/` that tests use to load a directory, expire tokens, change limits and
have the "platform" send event callbacks.

A platform is a subclass of `Platform`: it registers its documented endpoints on a `Router`,
answers in its own shapes and error codes, and turns control-API changes into its events.
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

MAX_BODY = 1 << 20  # the platforms refuse far smaller requests; this only bounds the simulator
MAX_CONTROL_BODY = 1 << 28  # a directory loaded through /_sim/load (100,000 users are some 16 MB)


class Request:
    def __init__(self, method: str, path: str, query: dict[str, str], headers, body: bytes, params: dict[str, str]):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.params = params

    def json(self) -> Any:
        """The body as JSON; `BadRequest` when it is not."""
        try:
            return json.loads(self.body.decode("utf-8")) if self.body else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadRequest(f"body is not JSON: {error}") from error


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list → JSON; bytes/str → as is
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()


class BadRequest(Exception):
    """A request the platform would refuse as malformed; each platform maps it to its own code."""


Handler = Callable[[Request], Response]


class Router:
    """Routes by method and path; `{name}` in a pattern matches one path segment."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], str, Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler, api: str | None = None) -> None:
        regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern)) + "$"
        self._routes.append((method.upper(), re.compile(regex), api or pattern, handler))

    def match(self, method: str, path: str) -> tuple[Handler, str, dict[str, str]] | None | str:
        """The handler, its API name and path parameters; "method" when only the method differs."""
        allowed = False
        for route_method, regex, api, handler in self._routes:
            found = regex.match(path)
            if not found:
                continue
            if route_method != method:
                allowed = True
                continue
            params = {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
            return handler, api, params
        return "method" if allowed else None


class TokenStore:
    """Access tokens issued per app, valid for `ttl` seconds; `expire_all` makes every issued token
    expired at once (a test's "the token expired mid-pass")."""

    def __init__(self, ttl: int = 7200, prefix: str = "") -> None:
        self.ttl = ttl
        self.prefix = prefix
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}  # token → (app, expires at, monotonic)
        self.issued = 0

    def issue(self, app: str) -> tuple[str, int]:
        with self._lock:
            token = self.prefix + secrets.token_hex(16)
            self._tokens[token] = (app, time.monotonic() + self.ttl)
            self.issued += 1
            return token, self.ttl

    def check(self, token: str | None) -> tuple[str, str | None]:
        """("ok", app), ("missing", None), ("invalid", None) or ("expired", app)."""
        if not token:
            return "missing", None
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None:
            return "invalid", None
        app, expires = entry
        if time.monotonic() >= expires:
            return "expired", app
        return "ok", app

    def expire_all(self) -> int:
        with self._lock:
            now = time.monotonic()
            for token, (app, _) in list(self._tokens.items()):
                self._tokens[token] = (app, now)
            return len(self._tokens)


class TokenBucket:
    def __init__(self, capacity: float, per_seconds: float) -> None:
        self.capacity = capacity
        self.rate = capacity / per_seconds
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 when a request may pass (and takes it), else the seconds until one may."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimiter:
    """Token buckets per (app, API): each API has a list of (requests, per seconds) windows, every
    one of which must admit a request. `"*"` holds the limits of APIs not named."""

    def __init__(self, limits: dict[str, list[tuple[float, float]]] | None = None) -> None:
        self._lock = threading.Lock()
        self.limits: dict[str, list[tuple[float, float]]] = dict(limits or {})
        self._buckets: dict[tuple[str, str, int], TokenBucket] = {}
        self.limited = 0

    def set(self, api: str, windows: list[tuple[float, float]]) -> None:
        with self._lock:
            self.limits[api] = windows
            self._buckets = {k: v for k, v in self._buckets.items() if k[1] != api}

    def take(self, app: str, api: str) -> float:
        with self._lock:
            windows = self.limits.get(api, self.limits.get("*", []))
            waits = []
            for index, (count, seconds) in enumerate(windows):
                key = (app, api, index)
                bucket = self._buckets.get(key)
                if bucket is None or bucket.capacity != count:
                    bucket = self._buckets[key] = TokenBucket(count, seconds)
                waits.append(bucket.take())
            wait = max(waits, default=0.0)
            if wait > 0:
                self.limited += 1
            return wait


@dataclass
class Fault:
    api: str
    times: int
    answer: dict[str, Any]
    # Every issued token expires as the fault is served: the answer (the platform's expiry
    # code) is then true, and the client's next token request gets a new one.
    expire_tokens: bool = False


class Platform:
    """A platform's endpoints and directory. Subclasses set `name`, register routes in
    `routes(router)`, and implement `load`, `state` and `admin` (changes that fire events)."""

    name = "platform"

    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.lock = threading.RLock()
        self.tokens = TokenStore(ttl=options.token_ttl)
        self.limiter = RateLimiter(self.default_limits())
        self.counts: dict[str, int] = {}
        self.faults: list[Fault] = []
        self.callback_url: str | None = None
        self.deliveries: list[dict[str, Any]] = []
        self._outbox: queue.Queue[tuple[str, bytes, dict[str, str]] | None] = queue.Queue()
        threading.Thread(target=self._deliver, daemon=True).start()

    # What subclasses provide.
    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        pass

    def default_limits(self) -> dict[str, list[tuple[float, float]]]:
        return {}

    def routes(self, router: Router) -> None:
        raise NotImplementedError

    def load(self, directory: dict[str, Any]) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        raise NotImplementedError

    def admin(self, action: str, payload: dict[str, Any]) -> Response:
        """A change made "in the platform's own console": applies it and sends its event."""
        raise BadRequest(f"no admin action {action}")

    def fault_answer(self, fault: Fault) -> Response:
        return Response(200, fault.answer)

    # Shared machinery.
    def count(self, api: str) -> None:
        with self.lock:
            self.counts[api] = self.counts.get(api, 0) + 1

    def take_fault(self, api: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.api in (api, "*") and fault.times > 0:
                    fault.times -= 1
                    if fault.expire_tokens:
                        self.tokens.expire_all()
                    return fault
        return None

    def send_callback(self, body: bytes, query: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> None:
        """Queues an event for the registered callback URL (in order, one at a time)."""
        if not self.callback_url:
            return
        url = self.callback_url
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
        self._outbox.put((url, body, headers or {}))

    def check_callback_answer(self, status: int, body: bytes) -> str | None:
        """Why an answer to an event is not what the platform accepts, or None."""
        return None if status == 200 else f"HTTP {status}"

    # How many times an event not accepted is sent in all (a platform that retries says more).
    delivery_attempts = 1

    def attempt_delivery(self, url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        """Posts `body` to `url` once: the delivery record (status, seconds, whether accepted)."""
        record: dict[str, Any] = {"url": url, "sentAt": time.time()}
        started = time.monotonic()
        try:
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": "application/json", **headers})
            with urllib.request.urlopen(request, timeout=self.callback_deadline()) as answer:
                status, answer_body = answer.status, answer.read(1 << 16)
        except urllib.error.HTTPError as error:
            status, answer_body = error.code, error.read(1 << 16)
        except (OSError, urllib.error.URLError) as error:
            status, answer_body = 0, str(error).encode()
        record["seconds"] = round(time.monotonic() - started, 4)
        record["status"] = status
        problem = None if status else "no answer: " + answer_body.decode(errors="replace")
        if problem is None:
            problem = self.check_callback_answer(status, answer_body)
        record["accepted"] = problem is None
        if problem:
            record["problem"] = problem
        return record

    def _deliver(self) -> None:
        while True:
            item = self._outbox.get()
            if item is None:
                return
            url, body, headers = item
            for attempt in range(1, self.delivery_attempts + 1):
                record = self.attempt_delivery(url, body, headers)
                if self.delivery_attempts > 1:
                    record["attempt"] = attempt
                with self.lock:
                    self.deliveries.append(record)
                if record["accepted"]:
                    break

    def callback_deadline(self) -> float:
        return 3.0


class _Handler(BaseHTTPRequestHandler):
    server_version = "platform-sim"
    protocol_version = "HTTP/1.1"
    timeout = 30
    # Headers and body go out in separate writes: with Nagle's algorithm a kept-alive client's
    # delayed ACK held every answer some 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if self.server.verbose:  # type: ignore[attr-defined]
            sys.stderr.write("%s %s\n" % (self.address_string(), format % args))

    def _serve(self) -> None:
        platform: Platform = self.server.platform  # type: ignore[attr-defined]
        router: Router = self.server.router  # type: ignore[attr-defined]
        parsed = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > (MAX_CONTROL_BODY if parsed.path.startswith("/_sim/") else MAX_BODY):
            self._send(Response(413, {"error": "body too large"}), close=True)
            return
        body = self.rfile.read(length) if length else b""
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        found = router.match(self.command, parsed.path)
        if found is None or found == "method":
            status = 404 if found is None else 405
            self._send(Response(status, {"error": f"{self.command} {parsed.path}: no such endpoint in this simulator"}))
            return
        handler, api, params = found
        request = Request(self.command, parsed.path, query, self.headers, body, params)
        if not parsed.path.startswith("/_sim/"):
            platform.count(api)
        try:
            response = handler(request)
        except BadRequest as error:
            # A platform answers a malformed request in its own shape; the control API plainly.
            if hasattr(platform, "bad_request") and not parsed.path.startswith("/_sim/"):
                response = platform.bad_request(str(error))
            else:
                response = Response(400, {"error": str(error)})
        except Exception as error:  # a simulator defect, said plainly rather than a dropped connection
            response = Response(500, {"error": f"simulator defect: {type(error).__name__}: {error}"})
        self._send(response)

    def _send(self, response: Response, close: bool = False) -> None:
        payload = response.encoded()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


def control_routes(router: Router, platform: Platform) -> None:
    """The simulator's own API, for tests: never part of a platform's contract."""

    def load(request: Request) -> Response:
        with platform.lock:
            platform.load(request.json())
        return Response(200, {"ok": True})

    def state(_: Request) -> Response:
        with platform.lock:
            return Response(200, platform.state())

    def expire(_: Request) -> Response:
        return Response(200, {"expired": platform.tokens.expire_all()})

    def rate_limit(request: Request) -> Response:
        body = request.json()
        windows = []
        if body.get("per_second") is not None:
            windows.append((float(body["per_second"]), 1.0))
        if body.get("per_minute") is not None:
            windows.append((float(body["per_minute"]), 60.0))
        platform.limiter.set(body.get("api", "*"), windows)
        return Response(200, {"limits": {k: v for k, v in platform.limiter.limits.items()}})

    def requests(_: Request) -> Response:
        with platform.lock:
            return Response(200, {"counts": dict(platform.counts), "total": sum(platform.counts.values()),
                                  "tokensIssued": platform.tokens.issued, "rateLimited": platform.limiter.limited})

    def reset_counts(_: Request) -> Response:
        with platform.lock:
            platform.counts.clear()
            platform.limiter.limited = 0
        return Response(200, {"ok": True})

    def fault(request: Request) -> Response:
        body = request.json()
        with platform.lock:
            platform.faults.append(
                Fault(body["api"], int(body.get("times", 1)), body["answer"], bool(body.get("expire_tokens", False))))
        return Response(200, {"ok": True})

    def callback(request: Request) -> Response:
        platform.callback_url = request.json().get("url")
        return Response(200, {"url": platform.callback_url})

    def deliveries(_: Request) -> Response:
        with platform.lock:
            return Response(200, {"deliveries": list(platform.deliveries)})

    def admin(request: Request) -> Response:
        with platform.lock:
            return platform.admin(request.params["action"], request.json())

    router.add("GET", "/_sim/health", lambda _: Response(200, {"platform": platform.name, "ok": True}))
    router.add("POST", "/_sim/load", load)
    router.add("GET", "/_sim/state", state)
    router.add("POST", "/_sim/expire-tokens", expire)
    router.add("POST", "/_sim/rate-limit", rate_limit)
    router.add("GET", "/_sim/requests", requests)
    router.add("POST", "/_sim/reset-counts", reset_counts)
    router.add("POST", "/_sim/fault", fault)
    router.add("POST", "/_sim/callback", callback)
    router.add("GET", "/_sim/deliveries", deliveries)
    router.add("POST", "/_sim/admin/{action}", admin)


def make_server(platform: Platform, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> ThreadingHTTPServer:
    router = Router()
    platform.routes(router)
    control_routes(router, platform)
    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    server.platform = platform  # type: ignore[attr-defined]
    server.router = router  # type: ignore[attr-defined]
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


def main(platform_class: type[Platform], argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=f"A contract simulator of {platform_class.name}'s directory API (not the platform).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    parser.add_argument("--token-ttl", type=int, default=7200, help="seconds an access token lives")
    parser.add_argument("--directory", help="a JSON file of the directory to start with (as POST /_sim/load takes)")
    parser.add_argument("--verbose", action="store_true")
    platform_class.add_arguments(parser)
    options = parser.parse_args(argv)
    platform = platform_class(options)
    if options.directory:
        with open(options.directory, encoding="utf-8") as file:
            platform.load(json.load(file))
    server = make_server(platform, options.host, options.port, options.verbose)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    host, port = server.server_address[:2]
    print(f"ready on {host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
