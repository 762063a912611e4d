#!/usr/bin/python3
# One peer of a private, encrypted BitTorrent swarm for the tests: libtorrent (python3-libtorrent) with
# encryption forced (RC4 only), no DHT, LSD, UPnP, NAT-PMP or tracker; peers are introduced with connect_peer.
# Usage: encrypted_swarm.py make DATA TORRENT
#        encrypted_swarm.py peer seed|leech ADDRESS TORRENT SAVE_DIR tcp|utp SECONDS [PEER...]
import os
import sys
import time

import libtorrent as lt

if sys.argv[1] == "make":
    data, out = sys.argv[2], sys.argv[3]
    storage = lt.file_storage()
    lt.add_files(storage, data)
    torrent = lt.create_torrent(storage, 16384)
    torrent.set_priv(True)
    lt.set_piece_hashes(torrent, os.path.dirname(data))
    open(out, "wb").write(lt.bencode(torrent.generate()))
    sys.exit(0)

role, address, torrent, save, transport, seconds = sys.argv[2:8]
peers = sys.argv[8:]
utp = transport == "utp"
session = lt.session({
    "listen_interfaces": f"{address}:6881",
    "enable_dht": False, "enable_lsd": False, "enable_upnp": False, "enable_natpmp": False,
    "out_enc_policy": int(lt.enc_policy.forced), "in_enc_policy": int(lt.enc_policy.forced),
    "allowed_enc_level": int(lt.enc_level.rc4), "prefer_rc4": True,
    "enable_outgoing_utp": utp, "enable_incoming_utp": utp,
    "enable_outgoing_tcp": not utp, "enable_incoming_tcp": not utp,
    "allow_multiple_connections_per_ip": True, "alert_mask": 0,
})
handle = session.add_torrent({"ti": lt.torrent_info(torrent), "save_path": save})
# Every peer listens before any connects: the test creates SWARM_GO once all of them do.
go = os.environ.get("SWARM_GO")
while go and not os.path.exists(go):
    time.sleep(0.05)
for peer in peers:
    handle.connect_peer((peer, 6881))
deadline = time.time() + float(seconds)
retry = time.time() + 1
while time.time() < deadline:
    time.sleep(0.2)
    # A connection refused while a peer was still starting is not retried by libtorrent for a while.
    if role == "leech" and time.time() > retry and not handle.status().is_seeding and handle.status().num_peers == 0:
        for peer in peers:
            handle.connect_peer((peer, 6881))
        retry = time.time() + 1
status = handle.status()
print(f"{role} {address}: progress {status.progress:.2f}, peers {status.num_peers}", flush=True)
sys.exit(0 if status.progress == 1.0 else 1)
