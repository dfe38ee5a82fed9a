#!/usr/bin/python3
"""Clients of the registry (canhbao(7) "Registry"), for t950: pyzmq and
PyNaCl, with wire_client's reading of keys and envelopes.

  registry_client.py listen ENDPOINT PUBKEY COUNT OUTDIR
      subscribe to "reg" only (CurveZMQ with CB_AGENCY_KEY when set),
      verify COUNT registry messages against PUBKEY, print one JSON line
      each ({"generation", "members", "comment", "seq"}) and write its
      signed bytes and a minisign signature file of its signature block
      as OUTDIR/GENERATION and OUTDIR/GENERATION.minisig
  registry_client.py flood REQUESTS AGENCY_KEY FIRST N
      on the requests channel (CurveZMQ with CB_AGENCY_KEY when set),
      send N presence messages signed by AGENCY_KEY, numbered from
      FIRST, all
      at once, and print how many were CONFIRMed with status 0 before
      answers stop coming (CB_TIMEOUT_MS, default 5000)
"""
import base64
import json
import os
import sys
import time

import nacl.signing
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire_client  # noqa: E402


def minisig(sigblock, comment):
    """canhbao(7) EXPORT FORMAT: the signature file of a signature
    block."""
    return ("untrusted comment: signature from canhbao publisher key\n"
            + base64.b64encode(sigblock[:74]).decode() + "\n"
            + "trusted comment: " + comment + "\n"
            + base64.b64encode(sigblock[74:138]).decode() + "\n")


def listen(endpoint, pubkey, count, outdir):
    keyid, vk = wire_client.read_pubkey(pubkey)
    ctx = zmq.Context()
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.SUBSCRIBE, b"reg")
    s.setsockopt(zmq.MAXMSGSIZE, 8 * 1024 * 1024)
    s.setsockopt(zmq.RCVTIMEO, int(os.environ.get("CB_TIMEOUT_MS",
                                                  "30000")))
    wire_client.curve_setup(s, pubkey)
    s.connect(endpoint)
    for _ in range(count):
        try:
            topic, signed, sigblock = s.recv_multipart()
        except zmq.Again:
            print("timeout: no registry", flush=True)
            raise SystemExit(3)
        if topic != b"reg":
            raise SystemExit("topic %r on a subscription to reg" % topic)
        m = wire_client.verify(keyid, vk, signed, sigblock)
        if m["type"] != 7:
            raise SystemExit("type %d on topic reg" % m["type"])
        reg = json.loads(m["payload"].decode("utf-8"))
        base = os.path.join(outdir, str(reg["generation"]))
        with open(base, "wb") as f:
            f.write(signed)
        with open(base + ".minisig", "w", encoding="ascii") as f:
            f.write(minisig(sigblock, m["comment"]))
        reg.update(comment=m["comment"], seq=m["seq"])
        print(json.dumps(reg), flush=True)
    s.close(0)
    ctx.term()


def flood(requests, agency_key, first, n):
    sk = nacl.signing.SigningKey(wire_client.read_seckey(agency_key)[:32])
    with open(agency_key, encoding="ascii") as f:
        lines = [l for l in f.read().splitlines()
                 if l and not l.startswith("untrusted comment:")]
    keyid = base64.b64decode(lines[0])[54:62]
    ctx, s = wire_client.requests_socket(requests)
    s.setsockopt(zmq.RCVTIMEO, int(os.environ.get("CB_TIMEOUT_MS", "5000")))
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for seq in range(first, first + n):
        payload = json.dumps({"at": at, "last_seq": 0}).encode()
        signed, block = wire_client.seal(sk, keyid, 5, seq, payload,
                                         b"canhbao test")
        s.send_multipart([b"CBR1\x04" + seq.to_bytes(4, "big"), signed,
                          block])
    kept = 0
    for _ in range(n):
        try:
            if s.recv()[9] == 0:
                kept += 1
        except zmq.Again:
            break
    print(kept, flush=True)
    s.close(0)
    ctx.term()


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "flood":
        flood(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        raise SystemExit(__doc__)
