#!/usr/bin/python3
"""A small authoritative+"recursive-looking" DNS server for the dnscheck tests, on real UDP and TCP sockets.

    test_dns_server.py --address IP [--port 53] [--mode normal|refuse|servfail]

Zone (mode normal):
  www.test, other.test   A      10.204.9.9 / 10.204.9.10
  large.test             TXT    20 strings of 200 bytes (about 4.4 KB)
  . (the root)           DNSKEY 12 keys of 260 bytes (about 3.3 KB), so the default large probe (". DNSKEY" with
                                EDNS 4096 + DO) gets an answer that is fragmented on a 1500-byte MTU
  anything else          NXDOMAIN
mode loop answers every query with a message whose answer name is a compression pointer loop, mode overrun with
a record whose rdata runs past the end of the message: answers no real server gives (a broken DNS proxy or ALG),
for malformed_answer. (Refusing and SERVFAIL servers are real unbound/BIND/dnsmasq: dnscheck_real_servers.sh.) UDP answers larger than the client's buffer (512 without EDNS, else its
EDNS size, at most 4096) come back truncated with TC set, as real servers do; TCP answers are never truncated.
Prints "ready" on stdout once both sockets listen. Uses python3-dnslib for the wire format only.
"""
import argparse
import socket
import socketserver
import sys
import threading

from dnslib import DNSKEY, DNSRecord, EDNS0, QTYPE, RCODE, RR, TXT, A


def build_zone():
    zone = {
        ("www.test.", QTYPE.A): [RR("www.test.", QTYPE.A, rdata=A("10.204.9.9"), ttl=60)],
        ("other.test.", QTYPE.A): [RR("other.test.", QTYPE.A, rdata=A("10.204.9.10"), ttl=60)],
        ("large.test.", QTYPE.TXT): [
            RR("large.test.", QTYPE.TXT, rdata=TXT([(b"%02d" % i) * 100]), ttl=60) for i in range(20)
        ],
        (".", QTYPE.DNSKEY): [
            RR(".", QTYPE.DNSKEY, rdata=DNSKEY(256 if i else 257, 3, 8, bytes([i]) * 260), ttl=3600)
            for i in range(12)
        ],
    }
    names = {name for (name, _) in zone}
    return zone, names


ZONE, NAMES = build_zone()


def malformed(data, mode):
    """The query's id and question, then one answer record broken the way `mode` says."""
    end = 12
    while end < len(data) and data[end] != 0:
        end += data[end] + 1
    question = data[12:end + 5]
    header = data[:2] + bytes([0x81, 0x80]) + (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + bytes(4)
    wire = header + question
    if mode == "loop":
        # Two names pointing at each other: the first at the second, the second back at the first.
        first = len(wire)
        wire += bytes([0xC0, first + 2, 0xC0, first])
        wire += (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + (60).to_bytes(4, "big") + (4).to_bytes(2, "big")
        wire += bytes([10, 204, 9, 9])
    else:
        wire += bytes([0xC0, 12]) + (1).to_bytes(2, "big") + (1).to_bytes(2, "big") + (60).to_bytes(4, "big")
        wire += (200).to_bytes(2, "big") + bytes([10, 204, 9, 9])  # rdlength 200, 4 bytes follow
    return wire


def answer(data, mode, transport):
    """Wire query in, wire answer out (None when the query cannot be parsed: real servers drop those too)."""
    try:
        request = DNSRecord.parse(data)
    except Exception:
        return None
    if mode in ("loop", "overrun"):
        return malformed(data, mode)
    reply = request.reply()
    reply.header.aa = 0
    edns_size = None
    for rr in request.ar:
        if rr.rtype == QTYPE.OPT:
            edns_size = max(512, min(int(rr.rclass), 4096))
    if edns_size is not None:
        reply.add_ar(EDNS0(udp_len=4096))
    q = request.q
    name = str(q.qname).lower()
    records = ZONE.get((name, q.qtype))
    if records:
        for rr in records:
            reply.add_answer(rr)
    elif name not in NAMES:
        reply.header.rcode = RCODE.NXDOMAIN
    wire = reply.pack()
    limit = edns_size if edns_size is not None else 512
    if transport == "udp" and len(wire) > limit:
        reply.rr = []
        reply.auth = []
        reply.header.tc = 1
        wire = reply.pack()
    return wire


class UdpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        wire = answer(data, self.server.mode, "udp")
        if wire is not None:
            sock.sendto(wire, self.client_address)


class TcpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        conn = self.request
        conn.settimeout(5)
        try:
            while True:
                header = self._read(2)
                if header is None:
                    return
                length = int.from_bytes(header, "big")
                data = self._read(length)
                if data is None:
                    return
                wire = answer(data, self.server.mode, "tcp")
                if wire is None:
                    return
                conn.sendall(len(wire).to_bytes(2, "big") + wire)
        except OSError:
            return

    def _read(self, n):
        chunks = b""
        while len(chunks) < n:
            chunk = self.request.recv(n - len(chunks))
            if not chunk:
                return None
            chunks += chunk
        return chunks


class ThreadedUdp(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True
    allow_reuse_address = True


class ThreadedTcp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--port", type=int, default=53)
    parser.add_argument("--mode", choices=["normal", "loop", "overrun"], default="normal")
    args = parser.parse_args()
    family = socket.AF_INET6 if ":" in args.address else socket.AF_INET
    ThreadedUdp.address_family = family
    ThreadedTcp.address_family = family
    udp = ThreadedUdp((args.address, args.port), UdpHandler)
    tcp = ThreadedTcp((args.address, args.port), TcpHandler)
    for server in (udp, tcp):
        server.mode = args.mode
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
