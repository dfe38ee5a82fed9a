#!/usr/bin/python3
"""A stand-in for a MISP instance's ZeroMQ publisher, on 127.0.0.1 only,
behaving as MISP's misp-zmq server does: a PUB socket, one frame per
message, "<topic> <json>"; a keep-alive on misp_json_self every second;
ZMQ PLAIN through a ZAP handler when a user and password are given (as
MISP's "ZeroMQ_username"/"ZeroMQ_password" settings do); no sequence
numbers, nothing kept for late subscribers.

The test hands it frames by dropping files into SPOOL: each file
(taken in name order, then removed) is sent as one frame, byte for
byte.  Write them under another name and rename them in, so that a
half-written file is never sent.

  misp_pub.py SPOOL PORT_FILE [USER PASSWORD] [PORT]
"""
import json
import os
import select
import sys
import time

import zmq
import zmq.auth.thread


def main():
    spool, port_file = sys.argv[1], sys.argv[2]
    user = sys.argv[3] if len(sys.argv) > 4 else None
    password = sys.argv[4] if len(sys.argv) > 4 else None
    port = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    ctx = zmq.Context()
    auth = None
    sock = ctx.socket(zmq.PUB)
    sock.setsockopt(zmq.LINGER, 0)
    if user is not None:
        auth = zmq.auth.thread.ThreadAuthenticator(ctx)
        auth.start()
        auth.configure_plain(domain="*", passwords={user: password})
        sock.plain_server = True
    if port:
        sock.bind("tcp://127.0.0.1:%d" % port)
    else:
        port = sock.bind_to_random_port("tcp://127.0.0.1")
    with open(port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(port_file + ".tmp", port_file)
    started = time.time()
    next_alive = 0.0
    while True:
        now = time.time()
        if now >= next_alive:
            sock.send_string("misp_json_self " + json.dumps(
                {"status": "keep-alive", "uptime": int(now - started)}))
            next_alive = now + 1
        for name in sorted(os.listdir(spool)):
            if name.endswith(".tmp"):
                continue
            path = os.path.join(spool, name)
            with open(path, "rb") as f:
                sock.send(f.read())
            os.unlink(path)
        # select, not time.sleep: under libfaketime (the suite's +400d
        # run) Python's sleep fails with EINVAL
        select.select([], [], [], 0.05)


if __name__ == "__main__":
    main()
