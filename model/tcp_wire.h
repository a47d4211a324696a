/*
 * tcp_wire.h - the IPv4/TCP wire format, alone.
 *
 * Everything the model sends or receives is a real IPv4 datagram: a 20-byte
 * IPv4 header (no options on output; options are skipped on input), a TCP
 * header with at most an MSS option, and the payload. Checksums are computed
 * on output and verified on input, so captures open in Wireshark clean.
 *
 * Application payload is not carried through the model: byte k of a stream is
 * tcp_payload_byte(k), a pure function of the stream offset. A sender fills
 * segments from it, a receiver checks every arriving byte against it, and an
 * application that reads gets the same bytes. This keeps the model free of
 * per-segment buffers and gives an end-to-end integrity check for free.
 *
 * Decoding never reads outside [buf, buf + len) and says why a datagram was
 * rejected. Nothing here allocates.
 */
#ifndef HALFCLOSE_TCP_WIRE_H
#define HALFCLOSE_TCP_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* TCP header flag bits, as on the wire. */
#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_URG 0x20u

#define TCP_IPV4_HDR_LEN 20u /* IPv4 header without options, bytes */
#define TCP_TCP_HDR_LEN  20u /* TCP header without options, bytes */
#define TCP_MSS_OPT_LEN  4u  /* kind 2, length 4, 16-bit value */
#define TCP_IPPROTO_TCP  6u
#define TCP_MAX_DATAGRAM 65535u /* largest IPv4 datagram, bytes */

/* One TCP segment in host byte order, as encoded or decoded. */
typedef struct tcp_segment {
  uint32_t src;         /* IPv4 source address */
  uint32_t dst;         /* IPv4 destination address */
  uint16_t sport;       /* TCP source port */
  uint16_t dport;       /* TCP destination port */
  uint32_t seq;         /* sequence number */
  uint32_t ack;         /* acknowledgment number (meaningful with TCP_ACK) */
  uint8_t flags;        /* TCP_FIN | TCP_SYN | ... */
  uint16_t wnd;         /* advertised window, bytes (no scaling) */
  uint16_t urp;         /* urgent pointer (never set by the model) */
  uint16_t mss;         /* MSS option value, bytes; 0 = option absent */
  uint8_t ttl;          /* IPv4 time to live */
  uint16_t ip_id;       /* IPv4 identification */
  uint16_t len;         /* payload length, bytes */
  const uint8_t *data;  /* decode: payload inside the datagram; encode: the
                           payload to copy, or NULL to generate it */
  uint64_t payload_off; /* encode with data == NULL: stream offset of the
                           first payload byte */
} tcp_segment;

/* Why a datagram was rejected by tcp_wire_decode (all negative). */
typedef enum tcp_wire_error {
  TCP_WIRE_OK = 0,
  TCP_WIRE_TOO_SHORT = -1,        /* fewer bytes than the headers need */
  TCP_WIRE_NOT_IPV4 = -2,         /* IP version is not 4 */
  TCP_WIRE_BAD_IHL = -3,          /* IHL < 5 or past the datagram */
  TCP_WIRE_BAD_TOTAL_LEN = -4,    /* total length disagrees with the buffer */
  TCP_WIRE_BAD_IP_CHECKSUM = -5,  /* IPv4 header checksum wrong */
  TCP_WIRE_FRAGMENT = -6,         /* MF set or fragment offset non-zero */
  TCP_WIRE_NOT_TCP = -7,          /* protocol is not 6 */
  TCP_WIRE_BAD_DATA_OFFSET = -8,  /* TCP data offset < 5 or past the datagram */
  TCP_WIRE_BAD_OPTION = -9,       /* an option runs past the header */
  TCP_WIRE_BAD_TCP_CHECKSUM = -10 /* TCP checksum (with pseudo-header) wrong */
} tcp_wire_error;

/* The name of a tcp_wire_error, e.g. "bad TCP checksum". */
const char *tcp_wire_strerror(int err);

/* The 64-bit word of the stream that holds offsets 8w .. 8w + 7. */
static inline uint64_t tcp_payload_word(uint64_t w) {
  uint64_t x = (w ^ (w >> 31)) * 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 29);
}

/* The byte at stream offset `off` of every stream the model carries. */
static inline uint8_t tcp_payload_byte(uint64_t off) {
  return (uint8_t)(tcp_payload_word(off >> 3) >> ((off & 7) * 8));
}

/* Fill dst[0..len) with the stream bytes starting at offset `off`. */
void tcp_payload_fill(uint8_t *dst, uint64_t off, size_t len);

/* Index of the first byte of src[0..len) that is not the stream byte at
 * offset off + i, or len when all match. */
size_t tcp_payload_check(const uint8_t *src, uint64_t off, size_t len);

/* Encoded size of segment `s`, bytes. */
size_t tcp_wire_size(const tcp_segment *s);

/*
 * Encode `s` into buf[0..cap). Returns the datagram length, or 0 when it does
 * not fit in `cap` or exceeds TCP_MAX_DATAGRAM.
 */
size_t tcp_wire_encode(uint8_t *buf, size_t cap, const tcp_segment *s);

/*
 * Decode the datagram buf[0..len) into `s` (s->data points into buf).
 * Returns TCP_WIRE_OK or a negative tcp_wire_error; `s` is unspecified then.
 */
int tcp_wire_decode(tcp_segment *s, const uint8_t *buf, size_t len);

/* The Internet checksum of buf[0..len) folded with `sum` (host order). */
uint16_t tcp_wire_checksum(const uint8_t *buf, size_t len, uint32_t sum);

#endif
