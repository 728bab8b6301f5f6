"""The median round trip, in milliseconds, of a 100-byte message through bench/lib/delay_proxy.py
set to DELAY_MS, to an echo server of its own: `python3 bench/lib/round_trip.py DELAY_MS`. What
bench/saturation --postgres-delay-ms reports as the round trip it added."""

import os
import socket
import statistics
import subprocess
import sys
import threading
import time

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)


def echo():
    peer, _ = listener.accept()
    peer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while data := peer.recv(65536):
        peer.sendall(data)


threading.Thread(target=echo, daemon=True).start()
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
proxy_port = probe.getsockname()[1]
probe.close()
proxy = subprocess.Popen(
    [sys.executable, os.path.join(os.path.dirname(__file__), "delay_proxy.py"), str(proxy_port),
     str(listener.getsockname()[1]), sys.argv[1]])
try:
    for _ in range(100):
        try:
            connection = socket.create_connection(("127.0.0.1", proxy_port))
            break
        except ConnectionRefusedError:
            time.sleep(0.05)
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    times = []
    for _ in range(200):
        started = time.perf_counter()
        connection.sendall(b"x" * 100)
        received = 0
        while received < 100:
            received += len(connection.recv(65536))
        times.append((time.perf_counter() - started) * 1000)
    print(f"{statistics.median(times):.2f}")
finally:
    proxy.kill()
