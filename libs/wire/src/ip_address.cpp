#include "nettool/wire/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace nettool {

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.family = IpFamily::v4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

IpAddress IpAddress::from_v4_bytes(std::span<const std::uint8_t> four) {
    IpAddress a;
    a.family = IpFamily::v4;
    std::copy_n(four.begin(), std::min<std::size_t>(4, four.size()), a.bytes.begin());
    return a;
}

IpAddress IpAddress::from_v6_bytes(std::span<const std::uint8_t> sixteen) {
    IpAddress a;
    a.family = IpFamily::v6;
    std::copy_n(sixteen.begin(), std::min<std::size_t>(16, sixteen.size()), a.bytes.begin());
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() > 45) return std::nullopt;
    std::string copy(text);
    IpAddress a;
    if (copy.find(':') == std::string::npos) {
        // inet_pton accepts only the strict dotted quad, which is what we want.
        if (inet_pton(AF_INET, copy.c_str(), a.bytes.data()) != 1) return std::nullopt;
        a.family = IpFamily::v4;
        return a;
    }
    if (inet_pton(AF_INET6, copy.c_str(), a.bytes.data()) != 1) return std::nullopt;
    a.family = IpFamily::v6;
    return a;
}

std::uint32_t IpAddress::v4_host_order() const {
    return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
           std::uint32_t{bytes[3]};
}

std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family == IpFamily::v4) {
        inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
    } else if (family == IpFamily::v6) {
        inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    } else {
        return "-";
    }
    return buf;
}

IpAddress IpAddress::unmapped() const {
    static constexpr std::array<std::uint8_t, 12> mapped_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (family == IpFamily::v6 && std::equal(mapped_prefix.begin(), mapped_prefix.end(), bytes.begin())) {
        return from_v4_bytes(std::span<const std::uint8_t>(bytes.data() + 12, 4));
    }
    return *this;
}

IpPrefix IpPrefix::of(const IpAddress& address, int length) {
    IpPrefix p;
    p.network = address;
    int bits = static_cast<int>(address.size()) * 8;
    p.length = std::clamp(length, 0, bits);
    for (int i = 0; i < static_cast<int>(address.size()); ++i) {
        int keep = std::clamp(p.length - i * 8, 0, 8);
        std::uint8_t mask = keep == 0 ? 0 : static_cast<std::uint8_t>(0xFF << (8 - keep));
        p.network.bytes[static_cast<std::size_t>(i)] &= mask;
    }
    return p;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
    auto slash = text.find('/');
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    int bits = static_cast<int>(address->size()) * 8;
    int length = bits;
    if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3) return std::nullopt;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
        if (ec != std::errc() || end != digits.data() + digits.size() || length < 0 || length > bits) {
            return std::nullopt;
        }
    }
    return of(*address, length);
}

bool IpPrefix::contains(const IpAddress& address) const {
    if (address.family != network.family) return false;
    return of(address, length).network == network;
}

std::string IpPrefix::to_string() const { return network.to_string() + "/" + std::to_string(length); }

bool is_private_or_local(const IpAddress& raw) {
    static const std::array<IpPrefix, 10> local = {
        *IpPrefix::parse("10.0.0.0/8"),     *IpPrefix::parse("172.16.0.0/12"), *IpPrefix::parse("192.168.0.0/16"),
        *IpPrefix::parse("169.254.0.0/16"), *IpPrefix::parse("127.0.0.0/8"),   *IpPrefix::parse("100.64.0.0/10"),
        *IpPrefix::parse("fc00::/7"),       *IpPrefix::parse("fe80::/10"),     *IpPrefix::parse("::1/128"),
        *IpPrefix::parse("0.0.0.0/32"),
    };
    IpAddress address = raw.unmapped();
    return std::any_of(local.begin(), local.end(), [&](const IpPrefix& p) { return p.contains(address); });
}

std::size_t IpAddressHash::operator()(const IpAddress& address) const noexcept {
    // FNV-1a over the used bytes and the family.
    std::size_t h = 1469598103934665603ULL ^ static_cast<std::size_t>(address.family);
    for (std::size_t i = 0; i < address.size(); ++i) {
        h ^= address.bytes[i];
        h *= 1099511628211ULL;
    }
    return h;
}

}  // namespace nettool
