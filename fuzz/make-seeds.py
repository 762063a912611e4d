#!/usr/bin/python3
"""Writes the hand-made seed inputs of fuzz/seeds/<target>/ (run from anywhere; rewrites them all).

Seeds for targets whose entry takes a leading selector byte (packet, icmp_message, ikelog_lines) are derived from
the test fixtures with that byte prepended; the rest are small valid examples of each input kind. Needs
python3-dnslib (scripts/install-deps installs it).
"""
import pathlib
import shutil
import struct

import dnslib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"

# fuzz_packet.cpp's link type table, by LINKTYPE value.
PACKET_LINK_INDEX = {0: 0, 1: 1, 101: 2, 108: 3, 113: 4, 228: 5, 229: 6, 276: 7, 12: 8, 14: 9}
# all_formats() is sorted by name: fuzz_ikelog_lines.cpp picks one by index.
IKE_FORMATS = ["cisco-asa", "cisco-ios", "etx-vrt", "fortigate", "libreswan", "strongswan", "yamaha-rtx"]


def write(target, name, data):
    directory = SEEDS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(bytes(data) if isinstance(data, (bytes, bytearray)) else data.encode())


def pcap_records(path):
    """(link type, frame) of a classic little-endian microsecond pcap."""
    data = path.read_bytes()
    magic, = struct.unpack_from("<I", data, 0)
    if magic != 0xA1B2C3D4:
        return []
    link = struct.unpack_from("<I", data, 20)[0] & 0xFFFF
    records, offset = [], 24
    while offset + 16 <= len(data):
        _, _, captured, _ = struct.unpack_from("<IIII", data, offset)
        records.append((link, data[offset + 16:offset + 16 + captured]))
        offset += 16 + captured
    return records


def packet_seeds():
    count = 0
    for path in sorted((ROOT / "tests" / "fixtures").glob("*/*.pcap")):
        for link, frame in pcap_records(path)[:6]:
            if link in PACKET_LINK_INDEX:
                write("packet", f"{path.stem}-{count}", bytes([PACKET_LINK_INDEX[link]]) + frame)
                count += 1


def dns_seeds():
    answer = dnslib.DNSRecord.question("www.example.com", "A").reply()
    answer.add_answer(dnslib.RR("www.example.com", dnslib.QTYPE.CNAME, rdata=dnslib.CNAME("web.example.com")))
    answer.add_answer(dnslib.RR("web.example.com", dnslib.QTYPE.A, rdata=dnslib.A("192.0.2.1"), ttl=60))
    write("dns_message", "cname-chain", answer.pack())
    txt = dnslib.DNSRecord.question("example.com", "TXT").reply()
    txt.add_answer(dnslib.RR("example.com", dnslib.QTYPE.TXT, rdata=dnslib.TXT(["v=spf1 ip4:192.0.2.0/24", " -all"])))
    write("dns_message", "txt", txt.pack())
    mx = dnslib.DNSRecord.question("example.com", "MX").reply()
    mx.add_answer(dnslib.RR("example.com", dnslib.QTYPE.MX, rdata=dnslib.MX("mail.example.com", 10)))
    mx.add_auth(dnslib.RR("example.com", dnslib.QTYPE.SOA,
                          rdata=dnslib.SOA("ns.example.com", "admin.example.com", (1, 2, 3, 4, 5))))
    mx.add_ar(dnslib.EDNS0(udp_len=1232))
    write("dns_message", "mx-soa-edns", mx.pack())
    aaaa = dnslib.DNSRecord.question("v6.example.com", "AAAA").reply()
    aaaa.add_answer(dnslib.RR("v6.example.com", dnslib.QTYPE.AAAA, rdata=dnslib.AAAA("2001:db8::1")))
    aaaa.add_answer(dnslib.RR("1.2.0.192.in-addr.arpa", dnslib.QTYPE.PTR, rdata=dnslib.PTR("host.example.com")))
    write("dns_message", "aaaa-ptr", aaaa.pack())
    nx = dnslib.DNSRecord.question("nothing.example.com", "A").reply()
    nx.header.rcode = dnslib.RCODE.NXDOMAIN
    write("dns_message", "nxdomain", nx.pack())
    truncated = bytearray(answer.pack()[:40])
    truncated[2] |= 0x02  # TC
    write("dns_message", "truncated-tc", bytes(truncated))


def icmp_seeds():
    def checksum(data):
        if len(data) % 2:
            data += b"\0"
        total = sum(struct.unpack(f"!{len(data) // 2}H", data))
        total = (total >> 16) + (total & 0xFFFF)
        total += total >> 16
        return (~total) & 0xFFFF

    def icmp(type_, code, rest, payload):
        body = struct.pack("!BBH", type_, code, 0) + rest + payload
        return body[:2] + struct.pack("!H", checksum(body)) + body[4:]

    def ipv4(protocol, payload, source="192.0.2.1", destination="192.0.2.2", ttl=64):
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, ttl, protocol, 0,
                             bytes(map(int, source.split("."))), bytes(map(int, destination.split("."))))
        header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
        return header + payload

    request = icmp(8, 0, struct.pack("!HH", 0x1234, 1), b"nettool-ping-payload")
    reply = icmp(0, 0, struct.pack("!HH", 0x1234, 1), b"nettool-ping-payload")
    unreachable = icmp(3, 1, b"\0\0\0\0", ipv4(1, request)[:28])
    too_big = icmp(3, 4, struct.pack("!HH", 0, 1400), ipv4(1, request)[:28])
    exceeded = icmp(11, 0, b"\0\0\0\0", ipv4(1, request))
    # mode bits: 1 = IPv6, 2 = with the IPv4 header, 4 = verify the checksum
    write("icmp_message", "echo-reply", bytes([4]) + reply)
    write("icmp_message", "echo-reply-raw", bytes([6]) + ipv4(1, reply))
    write("icmp_message", "unreachable-raw", bytes([6]) + ipv4(1, unreachable, "198.51.100.1"))
    write("icmp_message", "frag-needed", bytes([4]) + too_big)
    write("icmp_message", "time-exceeded", bytes([0]) + exceeded)
    v6_request = struct.pack("!BBHHH", 128, 0, 0, 0x1234, 7) + b"payload6"
    v6_reply = struct.pack("!BBHHH", 129, 0, 0, 0x1234, 7) + b"payload6"
    v6_header = struct.pack("!IHBB16s16s", 0x60000000, len(v6_request), 58, 64,
                            bytes.fromhex("20010db8" + "0" * 23 + "1"), bytes.fromhex("20010db8" + "0" * 23 + "2"))
    write("icmp_message", "v6-echo-reply", bytes([1]) + v6_reply)
    write("icmp_message", "v6-too-big", bytes([1]) + struct.pack("!BBHI", 2, 0, 0, 1280) + v6_header + v6_request)
    write("icmp_message", "v6-time-exceeded", bytes([1]) + struct.pack("!BBHI", 3, 0, 0, 0) + v6_header + v6_request)


def spf_seeds():
    records = {
        "simple": "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx -all",
        "include": "v=spf1 include:_spf.example.net a:mail.%{d} mx/24//64 ~all",
        "macros": "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} redirect=%{d2}.example.net",
        "exp": "v=spf1 -all exp=explain.%{d}",
        "explain": "%{i} is not one of %{d}'s designated mail servers, see %{r} at %{t} for %{h} %{c} %{p} %{v}",
        "pra": "spf2.0/pra,mfrom ip4:192.0.2.1 ?all",
        "ptr": "v=spf1 ptr:example.com a/24 +all",
        "bad": "v=spf1 ip4:300.1.1.1/33 foo=%{z} -all",
        "escapes": "v=spf1 exists:%%%_%-%{s}%{o}%{h}.x.example.com -all",
    }
    for name, text in records.items():
        write("spf_record", name, text)
    tables = {
        "include-tree": "example.com TXT v=spf1 include:a.example.com mx -all\n"
                        "a.example.com TXT v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/64 -all\n"
                        "example.com MX mail.example.com\nmail.example.com A 192.0.2.3\n",
        "redirect-loop": "example.com TXT v=spf1 redirect=b.example.com\nb.example.com TXT v=spf1 redirect=example.com\n",
        "macros-ptr": "example.com TXT v=spf1 exists:%{ir}.%{v}._spf.%{d} ptr -all exp=exp.example.com\n"
                      "exp.example.com TXT %{i} is not allowed by %{d}\n"
                      "3.2.0.192.in-addr.arpa PTR mail.example.com\nmail.example.com A 192.0.2.3\n",
        "errors": "example.com TXT v=spf1 include:gone.example.com a:void.example.com -all\n"
                  "gone.example.com ERROR\nvoid.example.com NX\n",
        "two-records": "example.com TXT v=spf1 -all\nexample.com TXT v=spf1 +all\n",
    }
    for name, text in tables.items():
        write("spf_check_host", name, text)


def ikelog_seeds():
    for index, name in enumerate(IKE_FORMATS):
        for log in sorted((ROOT / "tests" / "fixtures" / "ikelog" / name).glob("*.log")):
            lines = log.read_bytes().splitlines(keepends=True)[:60]
            write("ikelog_lines", f"{name}-{log.stem}", bytes([index]) + b"".join(lines))
    strongswan = (ROOT / "tests" / "fixtures" / "ikelog" / "strongswan").glob("*.log")
    lines = [line for log in sorted(strongswan) for line in log.read_text(errors="replace").splitlines()[:20]]
    datagrams = []
    for number, line in enumerate(lines):
        message = line.split(": ", 1)[-1]
        if number % 3 == 0:
            datagrams.append(f"<30>1 2026-12-03T09:00:{number % 60:02d}.123Z vpn1 charon 42 - [meta x=\"1\"] {message}")
        elif number % 3 == 1:
            datagrams.append(f"<30>Dec  3 09:00:{number % 60:02d} vpn1 charon[42]: {message}")
        else:
            datagrams.append(line)
    write("syslog", "strongswan-mixed", "\x1e".join(datagrams))
    write("syslog", "bom-5424", b"<165>1 2003-10-11T22:14:15.003Z host app - ID47 - \xef\xbb\xbfhello")


def text_seeds():
    write("text_files", "resolv.conf", "# generated\nnameserver 192.0.2.53\nnameserver 2001:db8::53%eth0\n"
                                       "search example.com\noptions ndots:2 timeout:1\n")
    write("text_files", "hosts", "127.0.0.1 localhost\n::1 localhost ip6-localhost\n192.0.2.7 gw gw.example.com # x\n"
                                 "fe80::1%eth0 router\n")
    write("text_files", "route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                                 "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n")
    write("text_files", "address-v6", "2001:db8::ffff:192.0.2.1")
    write("text_files", "prefix", "fd00::/8")
    write("link", "modes-words", struct.pack("<4I", 0x0000102F, 0x00000001, 0, 0x80000000))


def main():
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    packet_seeds()
    dns_seeds()
    icmp_seeds()
    spf_seeds()
    ikelog_seeds()
    text_seeds()
    for directory in sorted(SEEDS.iterdir()):
        print(f"{directory.name}: {len(list(directory.iterdir()))} seeds")


if __name__ == "__main__":
    main()
