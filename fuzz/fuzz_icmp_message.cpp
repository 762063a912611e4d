// parse_icmp_message: the first byte picks the family and the options (raw IPv4 socket with its IP header, or the
// ICMP message alone; checksum verified or not), the rest is the message.
#include "fuzz_input.hpp"
#include "fuzz_target.hpp"
#include "nettool/io/icmp.hpp"

NETTOOL_FUZZ_TARGET(icmp_message) {
    using namespace nettool;
    fuzz::FuzzInput input(data, size);
    const std::uint8_t mode = input.byte();
    const IpFamily family = (mode & 1) ? IpFamily::v6 : IpFamily::v4;
    IcmpParseOptions options;
    options.with_ip_header = family == IpFamily::v4 && (mode & 2) != 0;
    options.verify_checksum = (mode & 4) != 0;
    const auto bytes = input.rest();
    const IcmpMessage message = parse_icmp_message(bytes, family, options);
    NETTOOL_FUZZ_CHECK(message.status == IcmpParseStatus::ok || !message.error.empty());
    if (!message.echo_data.empty()) {
        NETTOOL_FUZZ_CHECK(message.echo_data.data() >= bytes.data() &&
                           message.echo_data.data() + message.echo_data.size() <= bytes.data() + bytes.size());
    }
    if (message.status == IcmpParseStatus::ok) {
        (void)echo_status_for(family, message.type, message.code);
        (void)describe_icmp(family, message.type, message.code);
    }
    return 0;
}
