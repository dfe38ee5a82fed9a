#!/usr/bin/python3
"""Peers that ask for catch-up and never read, written from canhbao(7):
each of PEERS DEALER sockets sends REQUESTS CATCHUP frames (after 0, max
1000) and reads nothing.  Its receive queue holds one message and its
kernel buffer is small, so whatever the publisher answers stays on the
publisher's side.  Prints "sent" once every request is on its way, then
holds the connections until STOP_FILE exists, then closes them at once.

  hog_peers.py REQUESTS PEERS REQUESTS_PER_PEER STOP_FILE
"""
import os
import struct
import sys
import time

import zmq


def main(endpoint, peers, per_peer, stop_file):
    ctx = zmq.Context()
    socks = []
    for _ in range(peers):
        s = ctx.socket(zmq.DEALER)
        s.setsockopt(zmq.RCVHWM, 1)
        s.setsockopt(zmq.RCVBUF, 4096)
        s.connect(endpoint)
        socks.append(s)
    for s in socks:
        for i in range(per_peer):
            s.send(b"CBR1" + bytes([1]) + struct.pack(">IQI", i + 1, 0, 1000))
    print("sent", flush=True)
    while not os.path.exists(stop_file):
        time.sleep(0.1)  # polling a file the test writes, not a sleep-for-sync
    for s in socks:
        s.close(0)
    ctx.term()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
