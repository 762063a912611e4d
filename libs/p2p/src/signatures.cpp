// The signature table and the structural checks behind it. Facts are from the protocol specifications (BEP 3,
// 5, 14, 15, 29 for BitTorrent; Gnutella 0.6 and G2 framing), the eMule/eDonkey message framing, ipp2p's eDonkey
// and Kad UDP opcode/length table, the Snort WinNY rule and the corpus captures (Kontiki KDP, PPStream); see
// ../shared/docs/p2p-detection-notes.md. No rule trusts a length from the wire beyond the captured bytes.
#include "nettool/p2p/signatures.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace nettool::p2p {
namespace {

using Bytes = std::span<const std::uint8_t>;

bool starts_with(Bytes data, std::string_view prefix) {
    return data.size() >= prefix.size() && std::memcmp(data.data(), prefix.data(), prefix.size()) == 0;
}

bool starts_with_bytes(Bytes data, std::initializer_list<std::uint8_t> prefix) {
    if (data.size() < prefix.size()) return false;
    std::size_t i = 0;
    for (std::uint8_t b : prefix) {
        if (data[i++] != b) return false;
    }
    return true;
}

std::string_view as_text(Bytes data, std::size_t limit = 2048) {
    return {reinterpret_cast<const char*>(data.data()), std::min(data.size(), limit)};
}

bool contains_ci(std::string_view haystack, std::string_view needle) {
    if (needle.empty() || haystack.size() < needle.size()) return false;
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        std::size_t j = 0;
        while (j < needle.size() && lower(haystack[i + j]) == lower(needle[j])) ++j;
        if (j == needle.size()) return true;
    }
    return false;
}

std::uint16_t le16(Bytes d, std::size_t at) { return static_cast<std::uint16_t>(d[at] | (d[at + 1] << 8)); }
std::uint32_t le32(Bytes d, std::size_t at) {
    return static_cast<std::uint32_t>(d[at]) | (static_cast<std::uint32_t>(d[at + 1]) << 8) |
           (static_cast<std::uint32_t>(d[at + 2]) << 16) | (static_cast<std::uint32_t>(d[at + 3]) << 24);
}
std::uint16_t be16(Bytes d, std::size_t at) { return static_cast<std::uint16_t>((d[at] << 8) | d[at + 1]); }
std::uint32_t be32(Bytes d, std::size_t at) {
    return (static_cast<std::uint32_t>(d[at]) << 24) | (static_cast<std::uint32_t>(d[at + 1]) << 16) |
           (static_cast<std::uint32_t>(d[at + 2]) << 8) | static_cast<std::uint32_t>(d[at + 3]);
}

bool either_port(const PayloadInfo& info, std::uint16_t port) {
    return info.src_port == port || info.dst_port == port;
}

// ---------------------------------------------------------------- bencode

// Parses one bencoded value starting at `pos`; advances `pos`. Depth- and length-bounded.
bool skip_bencode(Bytes d, std::size_t& pos, int depth) {
    if (depth > 32 || pos >= d.size()) return false;
    std::uint8_t c = d[pos];
    if (c == 'i') {
        ++pos;
        if (pos < d.size() && d[pos] == '-') ++pos;
        std::size_t digits = 0;
        while (pos < d.size() && d[pos] >= '0' && d[pos] <= '9') {
            ++pos;
            if (++digits > 20) return false;
        }
        if (digits == 0 || pos >= d.size() || d[pos] != 'e') return false;
        ++pos;
        return true;
    }
    if (c >= '0' && c <= '9') {
        std::uint64_t length = 0;
        std::size_t digits = 0;
        while (pos < d.size() && d[pos] >= '0' && d[pos] <= '9') {
            length = length * 10 + (d[pos] - '0');
            ++pos;
            if (++digits > 9) return false;  // strings in one datagram are far shorter than 10^9
        }
        if (pos >= d.size() || d[pos] != ':') return false;
        ++pos;
        if (length > d.size() - pos) return false;
        pos += static_cast<std::size_t>(length);
        return true;
    }
    if (c == 'l' || c == 'd') {
        bool dict = c == 'd';
        ++pos;
        std::size_t items = 0;
        while (pos < d.size() && d[pos] != 'e') {
            if (++items > 4096) return false;
            if (dict && !(d[pos] >= '0' && d[pos] <= '9')) return false;  // keys are strings
            if (!skip_bencode(d, pos, depth + 1)) return false;
            if (dict && !skip_bencode(d, pos, depth + 1)) return false;
        }
        if (pos >= d.size()) return false;
        ++pos;
        return true;
    }
    return false;
}

// Reads a bencoded string at `pos` into `out` (a view into d).
bool read_bencode_string(Bytes d, std::size_t& pos, std::string_view& out) {
    std::size_t start = pos;
    if (!skip_bencode(d, pos, 0)) return false;
    std::size_t colon = start;
    while (colon < pos && d[colon] != ':') ++colon;
    if (colon >= pos || !(d[start] >= '0' && d[start] <= '9')) return false;
    out = std::string_view(reinterpret_cast<const char*>(d.data()) + colon + 1, pos - colon - 1);
    return true;
}

// ---------------------------------------------------------------- BitTorrent

bool bt_handshake_at(Bytes d, std::size_t at) {
    static constexpr std::string_view pstr = "BitTorrent protocol";
    return d.size() >= at + 20 && d[at] == 19 && std::memcmp(d.data() + at + 1, pstr.data(), pstr.size()) == 0;
}

bool m_bt_handshake(const PayloadInfo& i) { return bt_handshake_at(i.payload, 0); }

bool m_bt_http_tracker(const PayloadInfo& i) {
    auto text = as_text(i.payload, 1024);
    if (!(text.starts_with("GET ") || text.starts_with("HEAD "))) return false;
    auto line_end = text.find("\r\n");
    auto line = text.substr(0, line_end == std::string_view::npos ? text.size() : line_end);
    if (line.find("info_hash=") == std::string_view::npos) return false;
    return line.find("peer_id=") != std::string_view::npos || line.find("/scrape") != std::string_view::npos;
}

bool m_bt_udp_tracker(const PayloadInfo& i) {
    // BEP 15 connect request: 64-bit protocol id 0x41727101980, action 0, transaction id.
    return i.wire_length == 16 && i.payload.size() >= 16 &&
           starts_with_bytes(i.payload, {0x00, 0x00, 0x04, 0x17, 0x27, 0x10, 0x19, 0x80}) && be32(i.payload, 8) == 0;
}

bool m_bt_dht(const PayloadInfo& i) {
    if (i.payload.size() < 12 || i.payload[0] != 'd') return false;
    if (i.payload.size() == i.wire_length) return is_dht_krpc(i.payload);
    // Cut by snaplen: the fixed KRPC openings still identify it.
    return starts_with(i.payload, "d1:ad2:id20:") || starts_with(i.payload, "d1:rd2:id20:");
}

bool m_bt_lsd(const PayloadInfo& i) { return starts_with(i.payload, "BT-SEARCH * HTTP/1.1\r\n"); }

bool m_bt_utp(const PayloadInfo& i) { return parse_utp_header(i.payload, i.wire_length).has_value(); }

bool m_bt_utp_handshake(const PayloadInfo& i) {
    auto header = parse_utp_header(i.payload, i.wire_length);
    return header && header->type == 0 && bt_handshake_at(i.payload, header->header_length);
}

bool m_bt_extension(const PayloadInfo& i) {
    // BEP 10 extended message (id 20) carrying a bencoded dictionary: the LTEP handshake (ext id 0, "m" key) or
    // ut_pex peer exchange ("added"/"dropped" keys). Seen mid-stream, where the 68-byte handshake is long gone.
    const auto& d = i.payload;
    if (d.size() < 12 || d[4] != 20 || d[6] != 'd') return false;
    std::uint32_t length = be32(d, 0);
    if (length < 3 || length > (1u << 20)) return false;
    auto body = as_text(d.subspan(6), 256);
    if (d[5] == 0) return body.starts_with("d1:m") || body.find("1:md") != std::string_view::npos;
    return body.starts_with("d5:added") || body.starts_with("d7:added.f") || body.starts_with("d7:dropped") ||
           body.starts_with("d6:added6") || body.starts_with("d8:added.f6");
}

// ---------------------------------------------------------------- Gnutella

bool m_gnutella_handshake(const PayloadInfo& i) {
    return starts_with(i.payload, "GNUTELLA CONNECT/") || starts_with(i.payload, "GNUTELLA/0.") ||
           starts_with(i.payload, "GNUTELLA OK");
}

bool m_gnutella_http(const PayloadInfo& i) {
    auto text = as_text(i.payload, 2048);
    if (text.starts_with("GIV ")) {
        // "GIV <index>:<servent id hex>/<file name>"
        std::size_t p = 4;
        std::size_t digits = 0;
        while (p < text.size() && text[p] >= '0' && text[p] <= '9') ++p, ++digits;
        return digits > 0 && p < text.size() && text[p] == ':';
    }
    bool request = text.starts_with("GET ") || text.starts_with("HEAD ");
    bool response = text.starts_with("HTTP/1.");
    if (!request && !response) return false;
    if (request && (text.starts_with("GET /uri-res/N2R?urn:sha1:") || text.starts_with("GET /uri-res/N2R?urn:bitprint:") ||
                    text.starts_with("HEAD /gnutella/") || text.starts_with("GET /gnutella/"))) {
        return true;
    }
    return contains_ci(text, "\r\nX-Gnutella-") || contains_ci(text, "\r\nX-Queue:") ||
           contains_ci(text, "\r\nUser-Agent: Gnutella");
}

bool m_gnutella_message(const PayloadInfo& i) { return is_gnutella_message(i.payload, i.wire_length); }

bool m_gnutella_g2(const PayloadInfo& i) {
    // G2 UDP framing: "GND", flags, 16-bit sequence, part number, part count (0 = acknowledgement).
    const auto& d = i.payload;
    if (i.wire_length < 8 || d.size() < 8 || !starts_with(d, "GND")) return false;
    std::uint8_t part = d[6];
    std::uint8_t count = d[7];
    return part >= 1 && (count == 0 || part <= count);
}

// ---------------------------------------------------------------- eDonkey / eMule / Kad

bool m_edonkey_tcp(const PayloadInfo& i) {
    const auto& d = i.payload;
    if (d.size() < 6 || i.wire_length < 6) return false;
    if (d[0] != 0xE3 && d[0] != 0xC5 && d[0] != 0xD4) return false;
    std::uint32_t length = le32(d, 1);
    return length >= 1 && length == i.wire_length - 5;
}

bool m_edonkey_udp(const PayloadInfo& i) {
    const auto& d = i.payload;
    const auto n = i.wire_length;
    if (d.size() < 2 || d.size() != n) return false;
    if (d[0] == 0xE3) {
        switch (d[1]) {
            case 0x96: return n == 6;                                   // server status request
            case 0x97: return n == 34;                                  // server status answer
            case 0xA2: return n == 6 && d[2] == 0xFF && d[3] == 0xF0;  // server description request
            case 0x9A: return n == 18;                                  // get sources
            case 0x92: return n == 10;                                  // server list request
            default: return false;
        }
    }
    if (d[0] == 0xE4) {
        if (d[1] == 0x20) return n == 35 && d[2] != 0 && d[34] != 0;  // Kad
        if (d[1] == 0x00) return n == 27 && d[26] == 0;              // Kad
    }
    return false;
}

// ---------------------------------------------------------------- Soulseek

// Reads a Soulseek string (LE32 length + bytes) at `pos`.
bool soulseek_string(Bytes d, std::size_t& pos, std::size_t max_length, bool printable) {
    if (pos + 4 > d.size()) return false;
    std::uint32_t length = le32(d, pos);
    pos += 4;
    if (length > max_length || length > d.size() - pos) return false;
    if (printable) {
        for (std::size_t k = 0; k < length; ++k) {
            if (d[pos + k] < 0x20 && d[pos + k] != '\t') return false;
        }
    }
    pos += length;
    return true;
}

bool m_soulseek(const PayloadInfo& i) {
    const auto& d = i.payload;
    if (d.size() < 9 || d.size() != i.wire_length) return false;
    if (le32(d, 0) != d.size() - 4) return false;
    // Peer init: code byte 1, user name, connection type "P"/"F"/"D", token.
    if (d[4] == 1) {
        std::size_t pos = 5;
        if (soulseek_string(d, pos, 64, true) && pos + 5 + 4 == d.size() && le32(d, pos) == 1) {
            char type = static_cast<char>(d[pos + 4]);
            if (type == 'P' || type == 'F' || type == 'D') return true;
        }
    }
    // Server login: code 1 (LE32), user, password, version, MD5 hex of user+password, minor version.
    if (d.size() >= 8 + 4 + 4 + 4 + 4 + 32 + 4 && le32(d, 4) == 1) {
        std::size_t pos = 8;
        if (!soulseek_string(d, pos, 64, true) || !soulseek_string(d, pos, 128, true)) return false;
        if (pos + 4 > d.size()) return false;
        pos += 4;
        std::size_t hash_start = pos + 4;
        if (!soulseek_string(d, pos, 32, true) || pos - hash_start != 32) return false;
        return pos + 4 == d.size();
    }
    return false;
}

// ---------------------------------------------------------------- DirectConnect, FastTrack, Ares

bool m_directconnect(const PayloadInfo& i) {
    auto text = as_text(i.payload, 1024);
    static constexpr std::array<std::string_view, 6> nmdc = {"$MyNick ", "$Lock ", "$Key ", "$Supports ",
                                                             "$ValidateNick ", "$HubName "};
    for (auto prefix : nmdc) {
        if (text.starts_with(prefix)) return text.find('|') != std::string_view::npos;
    }
    return text.starts_with("HSUP ADBASE") || text.starts_with("CSUP ADBASE") || text.starts_with("ISUP ADBASE");
}

bool m_fasttrack(const PayloadInfo& i) {
    auto text = as_text(i.payload, 2048);
    if (text.starts_with("GET /.hash=") || text.starts_with("GET /.supernode")) return true;
    if (text.starts_with("GIVE ")) {
        std::size_t p = 5;
        std::size_t digits = 0;
        while (p < text.size() && text[p] >= '0' && text[p] <= '9') ++p, ++digits;
        return digits > 0;
    }
    return (text.starts_with("GET ") || text.starts_with("HTTP/1.")) && contains_ci(text, "\r\nX-Kazaa-");
}

bool m_ares(const PayloadInfo& i) {
    if (i.wire_length == 6 && starts_with_bytes(i.payload, {0x03, 0x00, 0x5A, 0x04, 0x03, 0x05})) return true;
    auto text = as_text(i.payload, 2048);
    return (text.starts_with("GET ") || text.starts_with("HTTP/1.")) && contains_ci(text, "\r\nUser-Agent: Ares ");
}

// ---------------------------------------------------------------- PPStream, Kontiki, Winny

bool m_ppstream(const PayloadInfo& i) {
    const auto& d = i.payload;
    return i.wire_length >= 16 && d.size() >= 16 && le16(d, 0) == i.wire_length && d[4] == 0x71 && d[3] != 0;
}

bool m_kontiki(const PayloadInfo& i) {
    const auto& d = i.payload;
    if (d.size() != i.wire_length || d.size() < 16 || d[0] != 0x02) return false;
    if (d.size() == 20 && be32(d, 16) == 0x02040100) return true;  // KDP request trailer
    if (d.size() == 16 && be32(d, 0) == 0x02042400) return true;   // KDP acknowledgement
    return false;
}

bool m_kontiki_keepalive(const PayloadInfo& i) {
    return i.wire_length == 4 && i.payload.size() == 4 && be32(i.payload, 0) == 0x02010100;
}

bool m_winny(const PayloadInfo& i) { return is_winny_handshake(i.payload, i.wire_length); }

// ---------------------------------------------------------------- port hints

template <std::uint16_t... Ports>
bool ports_any(const PayloadInfo& i) {
    return ((either_port(i, Ports)) || ...);
}

bool hint_bittorrent(const PayloadInfo& i) {
    auto in = [](std::uint16_t p) { return p >= 6881 && p <= 6889; };
    return in(i.src_port) || in(i.dst_port);
}

bool hint_edonkey(const PayloadInfo& i) {
    return ports_any<4661, 4662, 4665, 4672>(i);
}

bool m_never(const PayloadInfo&) { return false; }

constexpr Signature table[] = {
    // payload proofs
    {"bittorrent.handshake", Protocol::bittorrent, Transport::tcp, SignatureKind::payload_proof, 100, 1,
     "peer-wire handshake: byte 19 then \"BitTorrent protocol\" (BEP 3)", m_bt_handshake},
    {"bittorrent.utp_handshake", Protocol::bittorrent, Transport::udp, SignatureKind::payload_proof, 100, 1,
     "peer-wire handshake inside a uTP DATA packet (BEP 29)", m_bt_utp_handshake},
    {"bittorrent.tracker_http", Protocol::bittorrent, Transport::tcp, SignatureKind::payload_proof, 95, 1,
     "HTTP tracker announce/scrape: GET with info_hash= and peer_id= (BEP 3)", m_bt_http_tracker},
    {"bittorrent.tracker_udp", Protocol::bittorrent, Transport::udp, SignatureKind::payload_proof, 95, 1,
     "UDP tracker connect request: protocol id 0x41727101980, action 0 (BEP 15)", m_bt_udp_tracker},
    {"bittorrent.dht", Protocol::bittorrent, Transport::udp, SignatureKind::payload_proof, 95, 1,
     "DHT KRPC message: bencoded dictionary with t, y=q/r/e (BEP 5)", m_bt_dht},
    {"bittorrent.lsd", Protocol::bittorrent, Transport::udp, SignatureKind::payload_proof, 95, 1,
     "Local Service Discovery: \"BT-SEARCH * HTTP/1.1\" (BEP 14)", m_bt_lsd},
    {"bittorrent.extension", Protocol::bittorrent, Transport::tcp, SignatureKind::payload_proof, 90, 1,
     "extension protocol message (id 20): LTEP handshake or ut_pex peer exchange (BEP 10/11)", m_bt_extension},
    {"bittorrent.utp", Protocol::bittorrent, Transport::udp, SignatureKind::payload_proof, 80, 2,
     "uTP framing: version 1, type 0-4, valid extension chain, consistent connection id (BEP 29)", m_bt_utp},
    // Decided per flow from the first payloads of both directions (obfuscation.hpp), never from one packet.
    {"bittorrent.mse", Protocol::bittorrent, Transport::tcp, SignatureKind::payload_proof, 60, 3,
     "encrypted handshake (MSE/PE): 96-608 random bytes each way, initiator first, then its hashes", m_never},
    {"gnutella.handshake", Protocol::gnutella, Transport::tcp, SignatureKind::payload_proof, 100, 1,
     "Gnutella 0.6 handshake: \"GNUTELLA CONNECT/\" or a \"GNUTELLA/0.6\" reply", m_gnutella_handshake},
    {"gnutella.http", Protocol::gnutella, Transport::tcp, SignatureKind::payload_proof, 95, 1,
     "Gnutella file transfer/push: GIV, /uri-res/N2R?urn:, X-Gnutella-* or X-Queue headers", m_gnutella_http},
    {"gnutella.message", Protocol::gnutella, Transport::udp, SignatureKind::payload_proof, 90, 1,
     "Gnutella message (ping, pong, query, hit, push, vendor, DHT) whose header length matches the datagram",
     m_gnutella_message},
    {"gnutella.message_tcp", Protocol::gnutella, Transport::tcp, SignatureKind::payload_proof, 85, 2,
     "Gnutella message framing on TCP (mid-stream connection)", m_gnutella_message},
    {"gnutella.g2", Protocol::gnutella, Transport::udp, SignatureKind::payload_proof, 90, 1,
     "Gnutella2 UDP: \"GND\" header with part/count", m_gnutella_g2},
    {"edonkey.tcp", Protocol::edonkey, Transport::tcp, SignatureKind::payload_proof, 90, 1,
     "eDonkey/eMule TCP message: marker 0xE3/0xC5/0xD4 and length = segment - 5", m_edonkey_tcp},
    {"edonkey.udp", Protocol::edonkey, Transport::udp, SignatureKind::payload_proof, 80, 2,
     "eDonkey server / Kad UDP: opcode with its exact datagram length (ipp2p table)", m_edonkey_udp},
    {"soulseek.message", Protocol::soulseek, Transport::tcp, SignatureKind::payload_proof, 90, 1,
     "Soulseek peer init or login with consistent length-prefixed strings", m_soulseek},
    {"directconnect.command", Protocol::directconnect, Transport::tcp, SignatureKind::payload_proof, 90, 1,
     "Direct Connect: $MyNick/$Lock/$Key/$Supports ... | or ADC SUP ADBASE", m_directconnect},
    {"fasttrack.http", Protocol::fasttrack, Transport::tcp, SignatureKind::payload_proof, 85, 1,
     "FastTrack/Kazaa: GET /.hash=, GIVE, X-Kazaa-* headers", m_fasttrack},
    {"ares.handshake", Protocol::ares, Transport::tcp, SignatureKind::payload_proof, 80, 1,
     "Ares: 6-byte 03 00 5A 04 03 05 handshake or User-Agent: Ares", m_ares},
    {"ppstream.udp", Protocol::ppstream, Transport::udp, SignatureKind::payload_proof, 80, 2,
     "PPStream UDP: little-endian length = datagram length and command marker 0x71", m_ppstream},
    {"kontiki.kdp", Protocol::kontiki, Transport::udp, SignatureKind::payload_proof, 85, 1,
     "Kontiki delivery protocol (KDP) request/acknowledgement framing", m_kontiki},
    {"kontiki.keepalive", Protocol::kontiki, Transport::udp, SignatureKind::payload_proof, 75, 2,
     "Kontiki KDP keepalive 02 01 01 00, repeated", m_kontiki_keepalive},
    {"winny.handshake", Protocol::winny, Transport::tcp, SignatureKind::payload_proof, 95, 1,
     "Winny: 11-byte first packet whose RC4-decrypted command is 01 00 00 00 61", m_winny},
    // port hints: never a verdict alone
    {"gnutella.port", Protocol::gnutella, Transport::tcp, SignatureKind::port_hint, 20, 1,
     "TCP port 6346/6347 (Gnutella default)", ports_any<6346, 6347>},
    {"gnutella.port_udp", Protocol::gnutella, Transport::udp, SignatureKind::port_hint, 20, 1,
     "UDP port 6346/6347 (Gnutella default)", ports_any<6346, 6347>},
    {"bittorrent.port", Protocol::bittorrent, Transport::tcp, SignatureKind::port_hint, 20, 1,
     "TCP port 6881-6889 (BitTorrent default)", hint_bittorrent},
    {"bittorrent.port_udp", Protocol::bittorrent, Transport::udp, SignatureKind::port_hint, 20, 1,
     "UDP port 6881-6889 (BitTorrent DHT/uTP default)", hint_bittorrent},
    {"edonkey.port", Protocol::edonkey, Transport::tcp, SignatureKind::port_hint, 20, 1,
     "TCP port 4661/4662 (eDonkey server/client default)", hint_edonkey},
    {"edonkey.port_udp", Protocol::edonkey, Transport::udp, SignatureKind::port_hint, 20, 1,
     "UDP port 4665/4672 (eDonkey/Kad default)", hint_edonkey},
    {"soulseek.port", Protocol::soulseek, Transport::tcp, SignatureKind::port_hint, 20, 1,
     "TCP port 2234/2240/5534 (Soulseek default)", ports_any<2234, 2240, 5534>},
    {"directconnect.port", Protocol::directconnect, Transport::tcp, SignatureKind::port_hint, 15, 1,
     "TCP port 411/412 (Direct Connect hub)", ports_any<411, 412>},
    {"ppstream.port", Protocol::ppstream, Transport::udp, SignatureKind::port_hint, 20, 1,
     "UDP port 17788 (PPStream)", ports_any<17788>},
    {"kontiki.port", Protocol::kontiki, Transport::udp, SignatureKind::port_hint, 20, 1,
     "UDP port 19948 (Kontiki KDP)", ports_any<19948>},
};

// Simple RC4 for the Winny check.
void rc4(std::span<const std::uint8_t> key, std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
    std::array<std::uint8_t, 256> s{};
    for (int k = 0; k < 256; ++k) s[k] = static_cast<std::uint8_t>(k);
    std::uint8_t j = 0;
    for (int k = 0; k < 256; ++k) {
        j = static_cast<std::uint8_t>(j + s[k] + key[k % key.size()]);
        std::swap(s[k], s[j]);
    }
    std::uint8_t a = 0;
    std::uint8_t b = 0;
    for (std::size_t k = 0; k < in.size(); ++k) {
        a = static_cast<std::uint8_t>(a + 1);
        b = static_cast<std::uint8_t>(b + s[a]);
        std::swap(s[a], s[b]);
        out[k] = in[k] ^ s[static_cast<std::uint8_t>(s[a] + s[b])];
    }
}

}  // namespace

const char* to_string(Protocol protocol) {
    switch (protocol) {
        case Protocol::unknown: return "unknown";
        case Protocol::bittorrent: return "BitTorrent";
        case Protocol::gnutella: return "Gnutella";
        case Protocol::edonkey: return "eDonkey";
        case Protocol::soulseek: return "Soulseek";
        case Protocol::directconnect: return "DirectConnect";
        case Protocol::ares: return "Ares";
        case Protocol::fasttrack: return "FastTrack";
        case Protocol::ppstream: return "PPStream";
        case Protocol::kontiki: return "Kontiki";
        case Protocol::winny: return "Winny";
    }
    return "unknown";
}

const char* to_string(Transport transport) { return transport == Transport::tcp ? "tcp" : "udp"; }

const char* to_string(SignatureKind kind) {
    return kind == SignatureKind::payload_proof ? "payload_proof" : "port_hint";
}

std::span<const Signature> signature_table() { return table; }

std::size_t signature_index(const Signature* signature) { return static_cast<std::size_t>(signature - table); }

const Signature* mse_signature() {
    static const Signature* row = [] {
        for (const auto& r : table) {
            if (std::string_view(r.id) == "bittorrent.mse") return &r;
        }
        return static_cast<const Signature*>(nullptr);
    }();
    return row;
}

const Signature* match_payload_proof(const PayloadInfo& info) {
    if (info.payload.empty()) return nullptr;
    for (const auto& row : table) {
        if (row.kind != SignatureKind::payload_proof) break;
        if (row.transport == info.transport && row.match(info)) return &row;
    }
    return nullptr;
}

const Signature* match_port_hint(Transport transport, std::uint16_t src_port, std::uint16_t dst_port) {
    PayloadInfo info;
    info.transport = transport;
    info.src_port = src_port;
    info.dst_port = dst_port;
    for (const auto& row : table) {
        if (row.kind == SignatureKind::port_hint && row.transport == transport && row.match(info)) return &row;
    }
    return nullptr;
}

bool is_bencoded_value(std::span<const std::uint8_t> data) {
    std::size_t pos = 0;
    return skip_bencode(data, pos, 0) && pos == data.size();
}

bool is_dht_krpc(std::span<const std::uint8_t> data) {
    if (data.empty() || data[0] != 'd' || !is_bencoded_value(data)) return false;
    std::size_t pos = 1;
    bool has_t = false;
    char y = 0;
    bool has_q = false;
    bool has_a = false;
    bool has_r = false;
    bool has_e = false;
    while (pos < data.size() && data[pos] != 'e') {
        std::string_view key;
        if (!read_bencode_string(data, pos, key)) return false;
        std::size_t value_start = pos;
        if (!skip_bencode(data, pos, 1)) return false;
        auto value = data.subspan(value_start, pos - value_start);
        if (key == "t") {
            has_t = value.size() >= 2 && value[0] >= '0' && value[0] <= '9';
        } else if (key == "y") {
            if (value.size() == 3 && value[0] == '1' && value[1] == ':') y = static_cast<char>(value[2]);
        } else if (key == "q") {
            has_q = true;
        } else if (key == "a") {
            has_a = value.size() >= 2 && value[0] == 'd';
        } else if (key == "r") {
            has_r = value.size() >= 2 && value[0] == 'd';
        } else if (key == "e") {
            has_e = value.size() >= 2 && value[0] == 'l';
        }
    }
    if (!has_t) return false;
    switch (y) {
        case 'q': return has_q && has_a;
        case 'r': return has_r;
        case 'e': return has_e;
        default: return false;
    }
}

std::optional<UtpHeader> parse_utp_header(std::span<const std::uint8_t> d, std::uint32_t wire_length) {
    if (d.size() < 20 || wire_length < 20) return std::nullopt;
    std::uint8_t version = d[0] & 0x0F;
    std::uint8_t type = d[0] >> 4;
    if (version != 1 || type > 4) return std::nullopt;
    std::uint8_t extension = d[1];
    if (extension > 4) return std::nullopt;
    // STUN shares the first bytes of a uTP DATA/SACK header; its magic cookie rules it out.
    if (be32(d, 4) == 0x2112A442) return std::nullopt;
    // WireGuard's handshake initiation (01 00 00 00 ...) reads as DATA with connection id 0.
    if (extension == 0 && d[2] == 0 && d[3] == 0) return std::nullopt;
    UtpHeader h;
    h.type = type;
    h.connection_id = be16(d, 2);
    h.timestamp_us = be32(d, 4);
    h.seq_nr = be16(d, 16);
    h.ack_nr = be16(d, 18);
    std::size_t pos = 20;
    int extensions = 0;
    while (extension != 0) {
        if (++extensions > 8) return std::nullopt;
        if (pos + 2 > wire_length) return std::nullopt;
        if (pos + 2 > d.size()) return std::nullopt;  // cannot check a chain that was not captured
        std::uint8_t next = d[pos];
        std::uint8_t length = d[pos + 1];
        if (next > 4 || length == 0) return std::nullopt;
        if (extension == 1 && length % 4 != 0) return std::nullopt;  // selective ack bitmask
        pos += 2 + length;
        if (pos > wire_length) return std::nullopt;
        extension = next;
    }
    h.header_length = pos;
    bool has_data = wire_length > pos;
    // SYN, STATE and RESET carry no data; DATA always does.
    if ((type == 4 || type == 2 || type == 3) && has_data) return std::nullopt;
    if (type == 0 && !has_data) return std::nullopt;
    return h;
}

bool is_gnutella_message(std::span<const std::uint8_t> d, std::uint32_t wire_length) {
    if (d.size() < 23 || wire_length < 23) return false;
    std::uint8_t type = d[16];
    std::uint8_t ttl = d[17];
    std::uint8_t hops = d[18];
    std::uint32_t length = le32(d, 19);
    switch (type) {
        case 0x00: case 0x01: case 0x02: case 0x31: case 0x32: case 0x40: case 0x41: case 0x44: case 0x80:
        case 0x81: break;
        default: return false;
    }
    if (ttl > 16 || hops > 16 || ttl + hops > 16) return false;
    if (type == 0x00 && length > 4096) return false;  // pings carry at most a few GGEP extensions
    return length <= 65536 && length + 23 == wire_length;
}

bool is_winny_handshake(std::span<const std::uint8_t> d, std::uint32_t wire_length) {
    if (wire_length != 11 || d.size() != 11) return false;
    std::array<std::uint8_t, 5> plain{};
    rc4(d.subspan(2, 4), d.subspan(6, 5), plain);
    return plain == std::array<std::uint8_t, 5>{0x01, 0x00, 0x00, 0x00, 0x61};
}

}  // namespace nettool::p2p
