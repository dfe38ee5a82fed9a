#!/usr/bin/python3
"""A small HTTP server for the feed tests, on 127.0.0.1 only: serves the
files under ROOT with ETag and Last-Modified, answers conditional GETs
with 304, compresses with gzip when asked, and logs one line per request
("GET /path 200 gzip") to LOG so tests can count what was fetched.

  feed_server.py ROOT PORT_FILE LOG
"""
import email.utils
import gzip
import hashlib
import http.server
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    root = "."
    log = None

    def record(self, status, extra=""):
        self.log.write("%s %s %d%s\n" % (self.command, self.path, status,
                                          extra))
        self.log.flush()

    def do_GET(self):
        path = os.path.normpath(os.path.join(self.root,
                                             self.path.lstrip("/")))
        if not path.startswith(os.path.abspath(self.root)) or \
                not os.path.isfile(path):
            self.send_error(404)
            self.record(404)
            return
        with open(path, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        mtime = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            self.record(304)
            return
        extra = ""
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            extra = " gzip"
        self.send_response(200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", mtime)
        self.send_header("Content-Length", str(len(body)))
        if extra:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)
        self.record(200, extra)

    def log_message(self, fmt, *args):
        pass


def main():
    Handler.root = os.path.abspath(sys.argv[1])
    Handler.log = open(sys.argv[3], "a", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    server.serve_forever()


if __name__ == "__main__":
    main()
