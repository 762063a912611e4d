#!/usr/bin/python3
"""A small authoritative DNS server for nettool's SPF tests, benchmark and demo (python3-dnslib).

usage: zone_server.py ZONE.json [--address 127.0.0.1] [--port 0] [--delay-ms N] [--jitter-ms N] [--port-file FILE]

ZONE.json maps a name to a list of entries: {"TXT": "text"} or {"TXT": ["string1", "string2"]} (one record of
several character-strings), {"SPF": ...} (type 99), {"A": "192.0.2.1"}, {"AAAA": "2001:db8::1"},
{"MX": [10, "mx.example"]}, {"PTR": "host.example"}, {"CNAME": "target.example"}, or the string "TIMEOUT" (queries
for types without an entry listed before it are never answered). Names not in the zone get NXDOMAIN (NOERROR when
they are an empty non-terminal); CNAMEs are followed inside the zone (a loop ends the chain). Every answer can be
delayed by --delay-ms, plus 0..--jitter-ms chosen per question (a hash of name and type, so answers come back in
another order than the queries went out, the same way on every run), counted from the query's arrival (each query waits in its own thread and its answer is built
during the wait, so concurrent queries are all answered on time rather than one after the other). UDP answers over 512 bytes (or the
client's EDNS size) are truncated (TC=1), TCP is served on the same port. Prints nothing; writes the port to
--port-file once both sockets listen. Stops on SIGTERM.
"""
import argparse
import json
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import zlib

from dnslib import AAAA, CNAME, EDNS0, MX, PTR, QTYPE, RCODE, RR, TXT, A, DNSLabel, DNSRecord


def norm(name):
    return str(name).rstrip('.').lower()


class Zone:
    def __init__(self, data):
        self.names = {norm(k): v for k, v in data.items()}

    def exists(self, name):
        return name in self.names or any(n.endswith('.' + name) for n in self.names)

    def lookup(self, qname, qtype):
        answers, owner, seen = [], qname, set()
        for _ in range(16):
            key = norm(owner)
            seen.add(key)
            entries = self.names.get(key)
            if entries is None:
                return (RCODE.NOERROR if self.exists(key) else RCODE.NXDOMAIN), answers
            matched = []
            for entry in entries:
                if entry == 'TIMEOUT':
                    if not matched:
                        return None
                    break
                (rtype, value), = entry.items()
                if rtype == qtype:
                    matched.append((owner, rtype, value))
            if matched:
                return RCODE.NOERROR, answers + matched
            cnames = [e['CNAME'] for e in entries if isinstance(e, dict) and 'CNAME' in e]
            if not cnames or qtype == 'CNAME':
                return RCODE.NOERROR, answers
            answers.append((owner, 'CNAME', cnames[0]))
            owner = cnames[0]
            if norm(owner) in seen:
                return RCODE.NOERROR, answers
        return RCODE.NOERROR, answers


def make_rr(owner, rtype, value):
    if rtype == 'A':
        rdata = A(value)
    elif rtype == 'AAAA':
        rdata = AAAA(value)
    elif rtype == 'MX':
        rdata = MX(value[1], int(value[0]))
    elif rtype == 'PTR':
        rdata = PTR(value)
    elif rtype == 'CNAME':
        rdata = CNAME(value)
    else:
        strings = [value] if isinstance(value, str) else value
        chunks = []
        for s in strings:
            data = s.encode('utf-8')
            chunks += [data[i:i + 255] for i in range(0, len(data), 255)] or [b'']
        rdata = TXT(chunks)
    return RR(owner, getattr(QTYPE, rtype), rdata=rdata, ttl=60)


class Server:
    def __init__(self, zone, delay, jitter=0.0):
        self.zone = zone
        self.delay = delay
        self.jitter = jitter

    def answer(self, data, transport, received_at=None):
        """The reply to `data`, sent no earlier than `received_at` (time.monotonic()) + the delay; None: no reply."""
        if received_at is None:
            received_at = time.monotonic()
        reply = self.build(data, transport)
        delay = self.delay
        if self.jitter and len(data) > 12:
            delay += self.jitter * (zlib.crc32(data[12:].lower()) % 1000) / 1000.0
        if delay:
            time.sleep(max(0.0, received_at + delay - time.monotonic()))
        return reply

    def build(self, data, transport):
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return None
        if request.header.qr or not request.questions:
            return None
        q = request.q
        qname = b'.'.join(q.qname.label).decode('utf-8', 'replace')
        qtype = QTYPE.get(q.qtype)
        qtype = qtype if isinstance(qtype, str) else 'TYPE%d' % q.qtype
        found = self.zone.lookup(qname, qtype)
        if found is None:
            return None
        rcode, records = found
        reply = request.reply()
        reply.header.rcode = rcode
        for owner, rtype, value in records:
            name = q.qname if owner == qname else DNSLabel(owner)
            reply.add_answer(make_rr(name, rtype, value))
        limit = 512
        for rr in request.ar:
            if rr.rtype == QTYPE.OPT:
                limit = max(512, min(rr.rclass, 4096))
                reply.add_ar(EDNS0(udp_len=1232))
        packed = reply.pack()
        if transport == 'udp' and len(packed) > limit:
            reply.rr = []
            reply.header.tc = 1
            packed = reply.pack()
        return packed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('zone')
    parser.add_argument('--address', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--delay-ms', type=float, default=0)
    parser.add_argument('--jitter-ms', type=float, default=0)
    parser.add_argument('--port-file')
    args = parser.parse_args()
    with open(args.zone) as f:
        server = Server(Zone(json.load(f)), args.delay_ms / 1000.0, args.jitter_ms / 1000.0)

    class Udp(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock, received_at = self.request
            reply = server.answer(data, 'udp', received_at)
            if reply is not None:
                sock.sendto(reply, self.client_address)

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.settimeout(5)
            buf = b''
            try:
                while True:
                    chunk = self.request.recv(65535)
                    if not chunk:
                        return
                    buf += chunk
                    while len(buf) >= 2:
                        (length,) = struct.unpack('!H', buf[:2])
                        if len(buf) < 2 + length:
                            break
                        message, buf = buf[2:2 + length], buf[2 + length:]
                        reply = server.answer(message, 'tcp')
                        if reply is not None:
                            self.request.sendall(struct.pack('!H', len(reply)) + reply)
            except OSError:
                return

    family = socket.AF_INET6 if ':' in args.address else socket.AF_INET

    class UdpServer(socketserver.ThreadingUDPServer):
        address_family = family
        daemon_threads = True

        def process_request(self, request, client_address):
            # Stamped here, in the receiving thread, before a handler thread exists: the delay counts from arrival.
            data, sock = request
            super().process_request((data, sock, time.monotonic()), client_address)

    class TcpServer(socketserver.ThreadingTCPServer):
        address_family = family
        daemon_threads = True
        allow_reuse_address = True

    for _ in range(50):
        udp = UdpServer((args.address, args.port), Udp)
        port = udp.server_address[1]
        try:
            tcp = TcpServer((args.address, port), Tcp)
            break
        except OSError:
            udp.server_close()
            if args.port:
                raise
    else:
        sys.exit('zone_server: no free port')
    for s in (udp, tcp):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if args.port_file:
        with open(args.port_file + '.tmp', 'w') as f:
            f.write('%d\n' % port)
        import os
        os.rename(args.port_file + '.tmp', args.port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()


if __name__ == '__main__':
    main()
