"""The listening socket: one thread per client connection."""
import argparse
import signal
import socket
import socketserver
import threading

from . import catalog
from .connection import Connection


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        Connection(self.request, self.server.peer).serve()


class TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main(argv=None):
    ap = argparse.ArgumentParser(description="A TDS 7.4 test double of Microsoft SQL Server (not SQL Server).")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True, help="state directory (databases survive restarts)")
    ap.add_argument("--password", required=True, help="password of the login 'sa'")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--lock-timeout", type=float, default=5.0,
                    help="seconds a statement waits for another session's write lock before error 1222")
    args = ap.parse_args(argv)
    peer = catalog.Server(args.dir, args.password)
    peer.sessions = set()
    peer.lock_timeout = args.lock_timeout
    srv = TCPServer((args.host, args.port), Handler)
    srv.peer = peer
    host, port = srv.server_address[:2]

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready on %s:%d" % (host, port), flush=True)
    try:
        srv.serve_forever(poll_interval=0.5)
    finally:
        srv.server_close()
    return 0
