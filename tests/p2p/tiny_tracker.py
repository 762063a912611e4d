#!/usr/bin/env python3
"""A minimal HTTP BitTorrent tracker for the live test (BEP 3 announce, BEP 23 compact peers).

Usage: tiny_tracker.py ADDRESS PORT
Answers GET /announce?info_hash=...&peer_id=...&port=N with the peers seen for that info hash (the caller's
source address and announced port), excluding the caller itself. In-memory, single process; stops on SIGTERM.
"""
import http.server
import socket
import struct
import sys
import urllib.parse

swarms = {}


def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, str):
        return bencode(value.encode())
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in sorted(value.items())) + b"e"
    raise TypeError(type(value))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True, encoding="latin-1")
        if url.path != "/announce" or "info_hash" not in query or "port" not in query:
            body = bencode({"failure reason": "bad announce"})
        else:
            info_hash = query["info_hash"][0].encode("latin-1")
            me = (self.client_address[0], int(query["port"][0]))
            swarm = swarms.setdefault(info_hash, set())
            if query.get("event", [""])[0] == "stopped":
                swarm.discard(me)
            else:
                swarm.add(me)
            peers = b"".join(socket.inet_aton(ip) + struct.pack("!H", port) for ip, port in sorted(swarm) if (ip, port) != me)
            body = bencode({"interval": 5, "min interval": 1, "complete": len(swarm), "incomplete": 0, "peers": peers})
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("tracker: " + (fmt % args) + "\n")


http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
