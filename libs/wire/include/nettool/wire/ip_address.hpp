#pragma once
// IPv4/IPv6 addresses and prefixes as small values: parsing, printing, comparing, hashing, prefix tests.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace nettool {

enum class IpFamily : std::uint8_t { none, v4, v6 };

struct IpAddress {
    IpFamily family = IpFamily::none;
    std::array<std::uint8_t, 16> bytes{};  // v4 uses the first 4

    static IpAddress v4(std::uint32_t host_order);
    static IpAddress from_v4_bytes(std::span<const std::uint8_t> four);
    static IpAddress from_v6_bytes(std::span<const std::uint8_t> sixteen);
    // Dotted quad or any RFC 4291 text form (no zone ids, no brackets); nullopt for anything else.
    static std::optional<IpAddress> parse(std::string_view text);

    bool is_v4() const { return family == IpFamily::v4; }
    bool is_v6() const { return family == IpFamily::v6; }
    bool valid() const { return family != IpFamily::none; }
    std::size_t size() const { return family == IpFamily::v4 ? 4 : family == IpFamily::v6 ? 16 : 0; }
    std::uint32_t v4_host_order() const;  // only for v4
    std::string to_string() const;        // RFC 5952 for v6
    // ::ffff:a.b.c.d becomes a.b.c.d; everything else unchanged.
    IpAddress unmapped() const;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;
    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct IpPrefix {
    IpAddress network;  // host bits cleared
    int length = 0;

    // "10.0.0.0/8", "fd00::/8"; a bare address is a host prefix (/32 or /128).
    static std::optional<IpPrefix> parse(std::string_view text);
    static IpPrefix of(const IpAddress& address, int length);  // clears the host bits
    bool contains(const IpAddress& address) const;
    std::string to_string() const;
    friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

// RFC 1918, RFC 4193 (ULA), link-local, loopback and CGNAT (100.64/10): the "local host" default.
bool is_private_or_local(const IpAddress& address);

struct IpAddressHash {
    std::size_t operator()(const IpAddress& address) const noexcept;
};

}  // namespace nettool

template <>
struct std::hash<nettool::IpAddress> : nettool::IpAddressHash {};
