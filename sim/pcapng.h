/*
 * pcapng.h - a capture writer in the pcapng format, one interface of bare
 * IPv4 packets (LINKTYPE_RAW) with nanosecond timestamps, each packet with
 * its direction and, where halfclose knows it, a comment saying why it was
 * sent - which Wireshark and tshark show as they are (frame.comment).
 */
#ifndef HALFCLOSE_PCAPNG_H
#define HALFCLOSE_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct hc_pcapng hc_pcapng;

enum { HC_PCAPNG_IN = 1, HC_PCAPNG_OUT = 2 };

/* Create `path` with its section and interface (named `ifname`). 0, or -1
 * with a message. */
int hc_pcapng_open(hc_pcapng **out, const char *path, const char *ifname,
                   char *err, size_t cap);

/* One packet at t_ns from the capture's start, inbound or outbound, with
 * its comment (NULL: none). A write that fails is remembered for close. */
void hc_pcapng_packet(hc_pcapng *w, int64_t t_ns, const uint8_t *d, size_t len,
                      int direction, const char *comment);

/* Close; 0, or -1 with a message when any write failed (the file is then
 * incomplete). NULL is a no-op. */
int hc_pcapng_close(hc_pcapng *w, char *err, size_t cap);

#endif
