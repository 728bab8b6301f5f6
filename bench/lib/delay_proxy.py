"""A TCP proxy on loopback that holds every chunk it forwards, in both directions, for a fixed
time: a network with latency, for measuring what round trips cost a target.

    python3 bench/lib/delay_proxy.py LISTEN_PORT TARGET_PORT DELAY_MS

The delay is at least DELAY_MS each way; asyncio's timers add about a millisecond of their own
(on this machine a 100-byte echo through it took 0.2 ms with no delay and 2.4 ms with 1 ms),
so bench/saturation reports the round trip it measured through the proxy. Order is kept: a
chunk leaves no earlier than the one before it.
"""

import asyncio
import sys
import time


async def pipe(reader, writer, delay):
    queue = asyncio.Queue()

    async def receive():
        while True:
            data = await reader.read(1 << 16)
            await queue.put((time.monotonic() + delay, data))
            if not data:
                return

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                writer.close()
                return
            writer.write(data)
            await writer.drain()

    await asyncio.gather(receive(), send())


async def main(listen_port, target_port, delay):
    async def handle(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        await asyncio.gather(
            pipe(client_reader, server_writer, delay),
            pipe(server_reader, client_writer, delay),
            return_exceptions=True,
        )

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000))
