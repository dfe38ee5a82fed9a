#!/usr/bin/python3
"""tcp_forward.py ENDPOINT_FILE TARGET [PORT]: a stand-in for a source
between a subscriber and the publisher, for the failover tests.

Listens on 127.0.0.1:PORT (0 or absent: a port the system chooses),
writes "tcp://127.0.0.1:PORT" to ENDPOINT_FILE once it listens, and
forwards the bytes of every connection both ways, unchanged, to TARGET
(tcp://127.0.0.1:PORT or ipc://PATH), so a ZeroMQ (and CurveZMQ)
session goes through it end to end.  Loopback only.  The test ends it
by its pid; SIGKILL drops every connection at once, as a dead relay
would."""
import asyncio
import os
import sys

CHUNK = 65536


def target_opener(target):
    if target.startswith("ipc://"):
        path = target[len("ipc://"):]
        return lambda: asyncio.open_unix_connection(path)
    if target.startswith("tcp://127.0.0.1:"):
        port = int(target.rsplit(":", 1)[1])
        return lambda: asyncio.open_connection("127.0.0.1", port)
    sys.exit("tcp_forward: target must be tcp://127.0.0.1:PORT or "
             "ipc://PATH, not %r" % target)


async def pump(reader, writer):
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except (ConnectionError, OSError):
            pass


async def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    out, target = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    opener = target_opener(target)

    async def handle(reader, writer):
        try:
            up_reader, up_writer = await opener()
        except OSError:
            writer.close()
            return
        await asyncio.gather(pump(reader, up_writer),
                             pump(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", port,
                                        reuse_address=True)
    bound = server.sockets[0].getsockname()[1]
    with open(out + ".tmp", "w") as f:
        f.write("tcp://127.0.0.1:%d\n" % bound)
    os.rename(out + ".tmp", out)
    async with server:
        await server.serve_forever()


asyncio.run(main())
