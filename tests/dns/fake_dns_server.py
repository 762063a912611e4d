#!/usr/bin/env python3
"""A small scripted DNS server for the DnsClient tests (UDP and TCP on one loopback port, standard library only).

It answers from the zone "test." so every DnsOutcome can be produced on purpose:
  a.test        A 192.0.2.1 / AAAA 2001:db8::1          multi.test  A 192.0.2.1, 192.0.2.2, 192.0.2.3
  cname.test    CNAME a.test (+ the A/AAAA of a.test)    loop.test   CNAME loop2.test, loop2.test CNAME loop.test
  txt.test      TXT with three strings, raw bytes kept   spf.test    SPF (type 99) "v=spf1 -all"
  mx.test       MX 10 mail.test                          ns.test     NS ns1.test
  soa.test      SOA                                      1.2.0.192.in-addr.arpa  PTR a.test
  nodata.test   NOERROR, no answer, SOA in authority     anything else NXDOMAIN with SOA in authority
  servfail.test SERVFAIL   refused.test REFUSED   formerr.test FORMERR   notimp.test NOTIMP   yxdomain.test rcode 6
  silent.test   never answered                            garbage.test answer whose records do not parse
  big.test      TXT of about 3000 bytes: TC over UDP unless the query's EDNS size allows it; full over TCP
  tc.test       always TC over UDP (one A record kept), full answer (two A records) over TCP
  edns.test     TXT "size=N do=D" describing the query's OPT record ("size=none" without one)
  transport.test TXT "udp" or "tcp": how the query arrived
  slow.test     A 192.0.2.9 after 300 ms
Usage: fake_dns_server.py ADDRESS PORT_FILE   (binds port 0 on UDP, the same port on TCP, writes the port)
"""
import select
import socket
import struct
import sys
import time

ZONE = "test"
SOA_RDATA_NAMES = ("ns1.test", "hostmaster.test")


def encode_name(name):
    out = b""
    if name not in ("", "."):
        for label in name.rstrip(".").split("."):
            raw = label.encode()
            out += bytes([len(raw)]) + raw
    return out + b"\0"


def rr(name, rtype, rdata, ttl=300):
    return encode_name(name) + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def txt_rdata(strings):
    return b"".join(bytes([len(s)]) + s for s in strings)


def soa_rr(owner=ZONE):
    rdata = encode_name(SOA_RDATA_NAMES[0]) + encode_name(SOA_RDATA_NAMES[1]) + struct.pack("!IIIII", 2026112801, 3600, 600, 86400, 60)
    return rr(owner, 6, rdata)


def parse_query(data):
    if len(data) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", data[:12])
    pos = 12
    labels = []
    while True:
        if pos >= len(data):
            return None
        length = data[pos]
        if length == 0:
            pos += 1
            break
        if length & 0xC0:
            return None
        labels.append(data[pos + 1:pos + 1 + length].decode("latin-1"))
        pos += 1 + length
    if pos + 4 > len(data):
        return None
    qtype, qclass = struct.unpack("!HH", data[pos:pos + 4])
    question = data[12:pos + 4]
    pos += 4
    edns = None
    if ar >= 1 and pos + 11 <= len(data) and data[pos] == 0:
        rtype, size, ttl = struct.unpack("!HHI", data[pos + 1:pos + 9])
        if rtype == 41:
            edns = (size, bool(ttl & 0x8000))
    return {"id": qid, "rd": flags & 0x0100, "name": ".".join(labels).lower(), "qtype": qtype,
            "question": question, "edns": edns}


def build(query, rcode=0, answers=(), authority=(), additional=(), tc=False, aa=True):
    flags = 0x8000 | (0x0400 if aa else 0) | (0x0200 if tc else 0) | query["rd"] | 0x0080 | (rcode & 0xF)
    header = struct.pack("!HHHHHH", query["id"], flags, 1, len(answers), len(authority), len(additional))
    return header + query["question"] + b"".join(answers) + b"".join(authority) + b"".join(additional)


def answer(query, transport):
    """Returns (response bytes or None, delay seconds)."""
    name, qtype = query["name"], query["qtype"]
    a_records = {"a.test": ["192.0.2.1"], "multi.test": ["192.0.2.1", "192.0.2.2", "192.0.2.3"]}
    aaaa_records = {"a.test": ["2001:db8::1"]}
    rcodes = {"servfail.test": 2, "refused.test": 5, "formerr.test": 1, "notimp.test": 4, "yxdomain.test": 6}
    if name == "silent.test":
        return None, 0
    if name in rcodes:
        return build(query, rcode=rcodes[name]), 0
    if name == "garbage.test":
        # One answer whose rdata length runs past the end of the message.
        header = struct.pack("!HHHHHH", query["id"], 0x8180 | query["rd"], 1, 1, 0, 0)
        return header + query["question"] + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x10\x00\x40\x01", 0
    if name == "slow.test":
        return build(query, answers=[rr(name, 1, socket.inet_aton("192.0.2.9"))]), 0.3
    if name == "transport.test":
        return build(query, answers=[rr(name, 16, txt_rdata([transport.encode()]))]), 0
    if name == "edns.test":
        text = "size=none" if query["edns"] is None else "size=%d do=%d" % (query["edns"][0], query["edns"][1])
        return build(query, answers=[rr(name, 16, txt_rdata([text.encode()]))]), 0
    if name == "big.test":
        strings = [bytes([ord("a") + i % 26]) * 250 for i in range(12)]
        full = build(query, answers=[rr(name, 16, txt_rdata(strings))])
        limit = 512 if query["edns"] is None else max(512, query["edns"][0])
        if transport == "udp" and len(full) > limit:
            return build(query, tc=True), 0
        return full, 0
    if name == "tc.test":
        first = rr(name, 1, socket.inet_aton("192.0.2.10"))
        second = rr(name, 1, socket.inet_aton("192.0.2.11"))
        if transport == "udp":
            return build(query, answers=[first], tc=True), 0
        return build(query, answers=[first, second]), 0
    if name in ("cname.test", "loop.test", "loop2.test"):
        target = {"cname.test": "a.test", "loop.test": "loop2.test", "loop2.test": "loop.test"}[name]
        answers = [rr(name, 5, encode_name(target))]
        if name == "loop.test":
            answers.append(rr("loop2.test", 5, encode_name("loop.test")))
        elif qtype == 1:
            answers += [rr(target, 1, socket.inet_aton(a)) for a in a_records[target]]
        elif qtype == 28:
            answers += [rr(target, 28, socket.inet_pton(socket.AF_INET6, a)) for a in aaaa_records[target]]
        return build(query, answers=answers), 0
    records = []
    exists = name in a_records or name in aaaa_records or name in (
        "txt.test", "spf.test", "mx.test", "ns.test", "soa.test", "nodata.test", "1.2.0.192.in-addr.arpa", ZONE)
    if qtype == 1 and name in a_records:
        records = [rr(name, 1, socket.inet_aton(a)) for a in a_records[name]]
    elif qtype == 28 and name in aaaa_records:
        records = [rr(name, 28, socket.inet_pton(socket.AF_INET6, a)) for a in aaaa_records[name]]
    elif qtype == 16 and name == "txt.test":
        records = [rr(name, 16, txt_rdata([b"v=spf1 ", b"include:_spf.test ", b"\xff\x00raw -all"]))]
    elif qtype == 99 and name == "spf.test":
        records = [rr(name, 99, txt_rdata([b"v=spf1 -all"]))]
    elif qtype == 15 and name == "mx.test":
        records = [rr(name, 15, struct.pack("!H", 10) + encode_name("mail.test"))]
    elif qtype == 2 and name == "ns.test":
        records = [rr(name, 2, encode_name("ns1.test"))]
    elif qtype == 6 and name == "soa.test":
        records = [soa_rr(name)]
    elif qtype == 12 and name == "1.2.0.192.in-addr.arpa":
        records = [rr(name, 12, encode_name("a.test"))]
    if records:
        return build(query, answers=records), 0
    if exists:
        return build(query, authority=[soa_rr()]), 0
    return build(query, rcode=3, authority=[soa_rr()]), 0


def main():
    address, port_file = sys.argv[1], sys.argv[2]
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    for _ in range(50):
        udp = socket.socket(family, socket.SOCK_DGRAM)
        udp.bind((address, 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(family, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind((address, port))
            break
        except OSError:
            udp.close()
            tcp.close()
    else:
        sys.exit("no free port with both UDP and TCP")
    tcp.listen(64)
    with open(port_file + ".tmp", "w") as out:
        out.write("%d\n" % port)
    import os
    os.rename(port_file + ".tmp", port_file)

    delayed = []  # (due, bytes, address)
    connections = {}  # socket -> buffered bytes
    while True:
        timeout = None
        if delayed:
            timeout = max(0.0, min(d[0] for d in delayed) - time.monotonic())
        readable, _, _ = select.select([udp, tcp] + list(connections), [], [], timeout)
        now = time.monotonic()
        for item in [d for d in delayed if d[0] <= now]:
            delayed.remove(item)
            udp.sendto(item[1], item[2])
        for sock in readable:
            if sock is udp:
                data, peer = udp.recvfrom(65535)
                query = parse_query(data)
                if query is None:
                    continue
                response, delay = answer(query, "udp")
                if response is None:
                    continue
                if delay:
                    delayed.append((now + delay, response, peer))
                else:
                    udp.sendto(response, peer)
            elif sock is tcp:
                conn, _ = tcp.accept()
                connections[conn] = b""
            else:
                chunk = b""
                try:
                    chunk = sock.recv(65535)
                except OSError:
                    pass
                if not chunk:
                    del connections[sock]
                    sock.close()
                    continue
                buffer = connections[sock] + chunk
                while len(buffer) >= 2:
                    length = struct.unpack("!H", buffer[:2])[0]
                    if len(buffer) < 2 + length:
                        break
                    query = parse_query(buffer[2:2 + length])
                    buffer = buffer[2 + length:]
                    if query is None:
                        continue
                    response, _ = answer(query, "tcp")
                    if response is not None:
                        sock.sendall(struct.pack("!H", len(response)) + response)
                connections[sock] = buffer


if __name__ == "__main__":
    main()
