#!/usr/bin/env python3
"""Writes a random payload file and a single-file .torrent for it (BEP 3 metainfo).

Usage: make_torrent.py PAYLOAD_PATH SIZE_BYTES ANNOUNCE_URL TORRENT_PATH
"""
import hashlib
import os
import sys

payload, size, announce, torrent = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
piece_length = 65536


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


data = os.urandom(size)
with open(payload, "wb") as out:
    out.write(data)
pieces = b"".join(hashlib.sha1(data[i:i + piece_length]).digest() for i in range(0, size, piece_length))
info = {"name": os.path.basename(payload), "length": size, "piece length": piece_length, "pieces": pieces}
with open(torrent, "wb") as out:
    out.write(bencode({"announce": announce, "info": info}))
