/* The ceiling for `nettool p2p -r`: a bare libpcap read loop that touches every packet (sums the captured
 * bytes) and does nothing else. Usage: pcap_loop FILE */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(argv[1], errbuf);
    if (p == NULL) {
        fprintf(stderr, "%s\n", errbuf);
        return 2;
    }
    struct pcap_pkthdr* header;
    const unsigned char* data;
    unsigned long long packets = 0, bytes = 0, checksum = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &header, &data)) == 1) {
        ++packets;
        bytes += header->len;
        if (header->caplen > 0) checksum += data[header->caplen - 1];
    }
    printf("%llu packets %llu bytes (checksum %llu)\n", packets, bytes, checksum);
    pcap_close(p);
    return 0;
}
