"""dgram_sink.py SOCKET OUT [SEP]: receive what a daemon sends to a Unix
datagram socket, for a test that plays journald or systemd's
NOTIFY_SOCKET.

Binds SOCKET and appends each datagram to OUT as one line: with SEP,
its text with each newline replaced by SEP (sd_notify's "READY=1",
"STATUS=..." lines); without, as a JSON object of the journal entry in
journald's native protocol: fields "NAME=value\\n", or "NAME\\n", a
64-bit little-endian length, the value and "\\n" for a value with a
newline.  Stops after two minutes without a datagram.
"""
import json, socket, struct, sys


def entry(data):
    fields, i = {}, 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            n = struct.unpack("<Q", data[nl + 1:nl + 9])[0]
            v = data[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        fields[k.decode()] = v.decode("utf-8", "replace")
    return json.dumps(fields, ensure_ascii=False)


sep = sys.argv[3] if len(sys.argv) > 3 else None
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", encoding="utf-8", buffering=1)
s.settimeout(120)
while True:
    try:
        data = s.recv(1 << 20)
    except socket.timeout:
        break
    if sep is None:
        out.write(entry(data) + "\n")
    else:
        text = data.decode("utf-8", "replace").strip("\n")
        out.write(text.replace("\n", sep) + "\n")
