#!/usr/bin/env python3
"""A hostile DNS server for the hostile-answer test (hostile_dns.sh): answers no real server sends. UDP and TCP on
one loopback port, standard library only. The first label of the query name picks the attack:

  loop.*      the answer's owner name is a compression pointer to itself
  loop2.*     a CNAME whose target points back into the same name (pointer cycle of two)
  pastend.*   three answers counted, one present, and its RDLENGTH runs past the end (TC not set)
  bigtxt.*    UDP: TC with no answer; TCP: one TXT of 255 strings of 255 bytes (about 64 KiB), starting "v=spf1"
  flood.*     UDP: 500 datagrams answering the one query (plus 500 with other IDs); TCP: 4000 A records
              (only A queries get records; other types a flood of empty NOERROR answers)
  spf.*       TXT "v=spf1" sending every mechanism at the names above, then -all
  anything else: NXDOMAIN
Usage: hostile_dns_server.py ADDRESS PORT PORT_FILE   (PORT 0: any free one; UDP and TCP; writes the port)
"""
import os
import select
import socket
import struct
import sys


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_question(query):
    position, labels = 12, []
    while position < len(query) and query[position] != 0:
        length = query[position]
        labels.append(query[position + 1:position + 1 + length].decode("ascii", "replace"))
        position += 1 + length
    qtype, = struct.unpack_from("!H", query, position + 1)
    return ".".join(labels), qtype, query[12:position + 5]


def header(query_id, rcode=0, tc=False, qd=1, an=0, ns=0, ar=0):
    flags = 0x8400 | (0x0200 if tc else 0) | rcode  # QR, AA
    return struct.pack("!HHHHHH", query_id, flags, qd, an, ns, ar)


def rr(owner, rtype, rdata, ttl=60):
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def answers(query, transport):
    """The datagrams (UDP) or the one message (TCP) answering `query`."""
    query_id, = struct.unpack_from("!H", query, 0)
    name, qtype, question = parse_question(query)
    first = name.split(".", 1)[0].lower()
    question_end = 12 + len(question)
    if first == "loop":
        owner = struct.pack("!H", 0xC000 | question_end)  # points at itself
        return [header(query_id, an=1) + question + rr(owner, 1, bytes([192, 0, 2, 1]))]
    if first == "loop2":
        # The CNAME target is "x" followed by a pointer to the start of that same rdata.
        rdata_start = question_end + 2 + 10
        target = b"\x01x" + struct.pack("!H", 0xC000 | rdata_start)
        return [header(query_id, an=1) + question + rr(struct.pack("!H", 0xC00C), 5, target)]
    if first == "pastend":
        record = struct.pack("!H", 0xC00C) + struct.pack("!HHIH", 16, 1, 60, 2000) + b"\x05v=spf"
        return [header(query_id, an=3) + question + record]
    if first == "bigtxt":
        if transport == "udp":
            return [header(query_id, tc=True) + question]
        strings = b"".join(bytes([255]) + (b"v=spf1 " + b"ip4:192.0.2.1 " * 20)[:255] for _ in range(255))
        return [header(query_id, an=1) + question + rr(struct.pack("!H", 0xC00C), 16, strings)]
    if first == "flood":
        if qtype != 1:  # only A has an answer (NOERROR without records otherwise), still flooded
            return [header(query_id) + question] * (500 if transport == "udp" else 1)
        one = header(query_id, an=1) + question + rr(struct.pack("!H", 0xC00C), 1, bytes([192, 0, 2, 7]))
        if transport == "udp":
            others = [header((query_id + i) & 0xFFFF, an=1) + question + rr(struct.pack("!H", 0xC00C), 1,
                                                                              bytes([192, 0, 2, 8]))
                      for i in range(1, 501)]
            return [one] * 500 + others
        many = b"".join(rr(struct.pack("!H", 0xC00C), 1, bytes([10, i >> 8 & 0xFF, i & 0xFF, 1])) for i in range(4000))
        return [header(query_id, an=4000) + question + many]
    if first == "spf" and qtype == 16:
        zone = name.split(".", 1)[1] if "." in name else name
        text = (f"v=spf1 a:loop.{zone} mx:loop2.{zone} exists:pastend.{zone} include:bigtxt.{zone} "
                f"a:flood.{zone} -all").encode()
        return [header(query_id, an=1) + question + rr(struct.pack("!H", 0xC00C), 16, bytes([len(text)]) + text)]
    return [header(query_id, rcode=3) + question]


def main():
    address, port, port_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((address, port))
    port = udp.getsockname()[1]
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((address, port))
    tcp.listen(16)
    with open(port_file + ".tmp", "w") as out:
        out.write(str(port))
    os.rename(port_file + ".tmp", port_file)
    while True:
        readable, _, _ = select.select([udp, tcp], [], [])
        if udp in readable:
            query, peer = udp.recvfrom(4096)
            try:
                for datagram in answers(query, "udp"):
                    udp.sendto(datagram, peer)
            except (struct.error, IndexError, OSError):
                pass
        if tcp in readable:
            connection, _ = tcp.accept()
            connection.settimeout(2)
            try:
                length, = struct.unpack("!H", connection.recv(2))
                query = b""
                while len(query) < length:
                    chunk = connection.recv(length - len(query))
                    if not chunk:
                        break
                    query += chunk
                message = answers(query, "tcp")[0]
                connection.sendall(struct.pack("!H", len(message)) + message)
            except (struct.error, IndexError, OSError):
                pass
            finally:
                connection.close()


if __name__ == "__main__":
    main()
