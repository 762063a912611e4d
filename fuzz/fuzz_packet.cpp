// decode_packet on one frame; the first byte picks the link type.
#include "fuzz_input.hpp"
#include "fuzz_target.hpp"
#include "nettool/wire/packet.hpp"

#include <array>

NETTOOL_FUZZ_TARGET(packet) {
    using namespace nettool;
    static constexpr std::array link_types{link_type::null_bsd, link_type::ethernet,  link_type::raw,
                                           link_type::loop,     link_type::linux_sll, link_type::ipv4,
                                           link_type::ipv6,     link_type::linux_sll2, link_type::raw_dlt12,
                                           link_type::raw_dlt14, 9999};
    fuzz::FuzzInput input(data, size);
    const int link = link_types[input.byte() % link_types.size()];
    const auto frame = input.rest();
    PacketView view;
    const DecodeStatus status = decode_packet(link, frame, view);
    NETTOOL_FUZZ_CHECK(status == view.status);
    // The payload is a view into the frame, never past it.
    if (!view.payload.empty()) {
        NETTOOL_FUZZ_CHECK(view.payload.data() >= frame.data() &&
                           view.payload.data() + view.payload.size() <= frame.data() + frame.size());
    }
    return 0;
}
