#!/usr/bin/python3
"""An independent canhbao client, written from canhbao(7) alone: pyzmq
for the wire, PyNaCl for Ed25519, hashlib for BLAKE2b.  None of
canhbao's code is used, so it shows the wire format is what the page
says.

  wire_client.py listen ENDPOINT PUBKEY COUNT OUTDIR
      subscribe, verify COUNT advisories, print one JSON line each and
      save their frames as OUTDIR/<seq>.{topic,msg,sig}
  wire_client.py forge REQUESTS FORGER_KEY VICTIM_PUB ADVISORY_ID
      on the requests channel (CurveZMQ with CB_AGENCY_KEY when set),
      submit a receipt signed by FORGER_KEY's key, then one that claims
      VICTIM_PUB's key id but is signed by FORGER_KEY; print the
      publisher's CONFIRM status of each
  wire_client.py submit REQUESTS AGENCY_KEY TYPE SEQ PAYLOAD_FILE
      sign PAYLOAD_FILE as a message of TYPE numbered SEQ with the
      agency's key, submit it and print the CONFIRM: "status S", then
      for statuses 1 and 3 " highest H reason TEXT"
  wire_client.py badsig REQUESTS
      submit messages whose signature blocks are malformed (too short,
      wrong algorithm, comment length off) and print each one's status
  wire_client.py fakepub ENDPOINT_FILE GO_FILE FRAMES_DIR
      bind a PUB socket on 127.0.0.1, write its endpoint, wait for
      GO_FILE, then send the messages in FRAMES_DIR (sorted by name; a
      message is NAME.0, NAME.1, ... one file per frame)
"""
import base64
import hashlib
import json
import os
import struct
import sys
import time

import nacl.exceptions
import nacl.signing
import zmq


def read_pubkey(path):
    with open(path, encoding="ascii") as f:
        lines = [l for l in f.read().splitlines()
                 if l and not l.startswith("untrusted comment:")]
    raw = base64.b64decode(lines[0])
    assert len(raw) == 42 and raw[:2] == b"Ed", "not a minisign public key"
    return raw[2:10], nacl.signing.VerifyKey(raw[10:])


def read_seckey(path):
    """The Ed25519 secret key (64 bytes) of a minisign unencrypted secret
    key file, as canhbao writes them."""
    with open(path, encoding="ascii") as f:
        lines = [l for l in f.read().splitlines()
                 if l and not l.startswith("untrusted comment:")]
    raw = base64.b64decode(lines[0])
    assert len(raw) == 158 and raw[:2] == b"Ed" and raw[2:4] == b"\0\0"
    return raw[62:126]


def curve_setup(sock, server_pub):
    """CurveZMQ client keys, from CB_AGENCY_KEY (an agency's secret key
    file) and the publisher's public key file, both Ed25519 converted
    to X25519 as canhbao(7) says.  Without CB_AGENCY_KEY: plaintext."""
    import nacl.bindings as b
    key = os.environ.get("CB_AGENCY_KEY")
    if not key:
        return
    sk = read_seckey(key)
    _, spk = read_pubkey(server_pub)
    sock.curve_serverkey = b.crypto_sign_ed25519_pk_to_curve25519(bytes(spk))
    sock.curve_secretkey = b.crypto_sign_ed25519_sk_to_curve25519(sk)
    sock.curve_publickey = b.crypto_sign_ed25519_pk_to_curve25519(sk[32:])


def verify(keyid, vk, signed, sigblock):
    """Returns the decoded message, raising ValueError when anything is
    wrong, in the order canhbao(7) gives."""
    if len(sigblock) < 140 or sigblock[:2] != b"ED":
        raise ValueError("bad signature block")
    (clen,) = struct.unpack(">H", sigblock[138:140])
    if len(sigblock) != 140 + clen:
        raise ValueError("signature block length")
    if sigblock[2:10] != keyid:
        raise ValueError("unknown key id")
    sig, gsig, comment = sigblock[10:74], sigblock[74:138], sigblock[140:]
    try:
        vk.verify(hashlib.blake2b(signed, digest_size=64).digest(), sig)
        vk.verify(sig + comment, gsig)
    except nacl.exceptions.BadSignatureError:
        raise ValueError("bad signature")
    magic, mtype, kid, seq, issued, plen = struct.unpack(
        ">4sB8sQQI", signed[:33])
    if magic != b"CBM1" or kid != keyid or plen != len(signed) - 33:
        raise ValueError("bad header")
    return {"type": mtype, "seq": seq, "issued_ms": issued,
            "payload": signed[33:], "comment": comment.decode("ascii")}


def listen(endpoint, pubkey, count, outdir):
    keyid, vk = read_pubkey(pubkey)
    ctx = zmq.Context()
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.SUBSCRIBE, b"")
    s.setsockopt(zmq.RCVTIMEO, int(os.environ.get("CB_TIMEOUT_MS", "30000")))
    curve_setup(s, pubkey)
    s.connect(endpoint)
    # Tell the test we are subscribed (heartbeats prove it).
    got = 0
    ready = os.path.join(outdir, "ready")
    while got < count:
        try:
            topic, signed, sigblock = s.recv_multipart()
        except zmq.Again:
            print("timeout: nothing received", flush=True)
            raise SystemExit(3)
        m = verify(keyid, vk, signed, sigblock)
        if m["type"] == 2:
            if not os.path.exists(ready):
                open(ready, "w").close()
            continue
        if m["type"] == 7:
            continue  # the registry, for relays (subscribed to "")
        adv = json.loads(m["payload"].decode("utf-8"))
        if topic != ("adv." + adv["severity"]).encode():
            raise SystemExit("topic does not match the signed severity")
        for part, data in (("topic", topic), ("msg", signed),
                           ("sig", sigblock)):
            with open(os.path.join(outdir, "%d.%s" % (m["seq"], part)),
                      "wb") as f:
                f.write(data)
        print(json.dumps({"seq": m["seq"], "topic": topic.decode(),
                          "id": adv["id"], "title": adv["title"]},
                         ensure_ascii=False), flush=True)
        got += 1
    s.close(0)
    ctx.term()


def fakepub(endpoint_file, frames_dir):
    """Send the saved frames once a subscriber has subscribed to "adv."
    (XPUB shows the subscription: no fixed sleep for the slow joiner)."""
    ctx = zmq.Context()
    s = ctx.socket(zmq.XPUB)
    s.setsockopt(zmq.RCVTIMEO, 30000)
    s.bind("tcp://127.0.0.1:*")
    with open(endpoint_file + ".tmp", "w") as f:
        f.write(s.getsockopt_string(zmq.LAST_ENDPOINT))
    os.rename(endpoint_file + ".tmp", endpoint_file)
    while s.recv() != b"\x01adv.":
        pass
    names = sorted({n.rsplit(".", 1)[0] for n in os.listdir(frames_dir)})
    for name in names:
        frames, i = [], 0
        while os.path.exists(os.path.join(frames_dir, "%s.%d" % (name, i))):
            with open(os.path.join(frames_dir, "%s.%d" % (name, i)),
                      "rb") as f:
                frames.append(f.read())
            i += 1
        s.send_multipart(frames)
    s.close(10000)  # linger: every frame is sent before the context ends
    ctx.term()


def seal(sk, keyid, mtype, seq, payload, comment=b"forged"):
    """A message in canhbao(7)'s envelope, signed by sk (PyNaCl)."""
    signed = struct.pack(">4sB8sQQI", b"CBM1", mtype, keyid, seq,
                         int(time.time() * 1000), len(payload)) + payload
    sig = sk.sign(hashlib.blake2b(signed, digest_size=64).digest()).signature
    gsig = sk.sign(sig + comment).signature
    block = b"ED" + keyid + sig + gsig + struct.pack(">H", len(comment)) \
        + comment
    return signed, block


def requests_socket(requests):
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.RCVTIMEO, 10000)
    pub = os.environ.get("CB_PUBLISHER_PUB")
    if pub:
        curve_setup(s, pub)
    s.connect(requests)
    return ctx, s


def forge(requests, forger_key, victim_pub, adv_id):
    raw = read_seckey(forger_key)
    sk = nacl.signing.SigningKey(raw[:32])
    own_id = hashlib.blake2b(raw[32:], digest_size=8).digest()
    victim_id, _ = read_pubkey(victim_pub)
    payload = json.dumps({"id": adv_id, "revision": 1, "event":
                          "acknowledged", "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                          "by": "kẻ giả mạo"}).encode()
    ctx, s = requests_socket(requests)
    s.send_multipart([b"garbage", b"\x00" * 3])  # no answer expected
    for name, keyid, seq in (("unregistered", own_id, 1),
                             ("impostor", victim_id, 7)):
        signed, block = seal(sk, keyid, 4, seq, payload)
        s.send_multipart([b"CBR1" + bytes([4]) + struct.pack(">I", seq),
                          signed, block])
        reply = s.recv()
        print("%s: status %d" % (name, reply[9]), flush=True)
    s.close(0)
    ctx.term()


def confirm_text(reply):
    """A CONFIRM frame, as canhbao(7) gives it, in words."""
    assert reply[:5] == b"CBR1\x05", "not a CONFIRM"
    text = "status %d" % reply[9]
    if reply[9] in (1, 3):
        highest, rlen = struct.unpack(">QB", reply[26:35])
        assert len(reply) == 35 + rlen, "CONFIRM length"
        text += " highest %d reason %s" % (highest,
                                           reply[35:].decode("utf-8"))
    else:
        assert len(reply) == 26, "CONFIRM length"
    return text


def submit(requests, agency_key, mtype, seq, payload_file):
    sk = nacl.signing.SigningKey(read_seckey(agency_key)[:32])
    with open(agency_key, encoding="ascii") as f:
        lines = [l for l in f.read().splitlines()
                 if l and not l.startswith("untrusted comment:")]
    keyid = base64.b64decode(lines[0])[54:62]  # the key number
    with open(payload_file, "rb") as f:
        payload = f.read()
    signed, block = seal(sk, keyid, mtype, seq, payload, b"canhbao test")
    ctx, s = requests_socket(requests)
    s.send_multipart([b"CBR1\x04" + struct.pack(">I", 1), signed, block])
    print(confirm_text(s.recv()), flush=True)
    s.close(0)
    ctx.term()


def badsig(requests):
    sk = nacl.signing.SigningKey.generate()
    keyid = os.urandom(8)
    signed, block = seal(sk, keyid, 4, 1, b"{}")
    cases = (("short", block[:139]),
             ("algorithm", b"XX" + block[2:]),
             ("comment-length", block[:138] + struct.pack(">H", 200)
              + block[140:]))
    ctx, s = requests_socket(requests)
    for i, (name, bad) in enumerate(cases):
        s.send_multipart([b"CBR1\x04" + struct.pack(">I", i + 1), signed,
                          bad])
        print("%s: %s" % (name, confirm_text(s.recv())), flush=True)
    s.close(0)
    ctx.term()


if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "forge":
        forge(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif sys.argv[1] == "submit":
        submit(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
               sys.argv[6])
    elif sys.argv[1] == "badsig":
        badsig(sys.argv[2])
    elif sys.argv[1] == "fakepub":
        fakepub(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(__doc__)
