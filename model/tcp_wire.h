/*
 * tcp_wire.h - the IPv4/TCP wire format, alone (internal to the model;
 * what callers need - the segment, the flags, decoding - is in tcp.h).
 *
 * Everything the model sends or receives is a real IPv4 datagram: a 20-byte
 * IPv4 header (no options on output; options are skipped on input), a TCP
 * header with the options the model knows (MSS, window scale, SACK-permitted,
 * SACK, timestamps, in Linux's layout), and the payload. Checksums are computed
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp.h" /* tcp_segment, the flags, the wire errors */

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

/* tcp_wire_encode is public (tcp.h). */

/* tcp_wire_encode, or with `opaque` the payload and the TCP checksum left
 * unwritten (the payload area keeps what buf held, the checksum field is
 * 0): for datagrams nobody reads past their headers (tcp_host_config's
 * opaque_payload). */
size_t tcp_wire_encode_opt(uint8_t *buf, size_t cap, const tcp_segment *s,
                           bool opaque);

/* tcp_wire_decode, with the TCP checksum verified or not. */
int tcp_wire_decode_opt(tcp_segment *s, const uint8_t *buf, size_t len,
                        bool verify_tcp_checksum);

/* The Internet checksum of buf[0..len) folded with `sum` (host order). */
uint16_t tcp_wire_checksum(const uint8_t *buf, size_t len, uint32_t sum);

#endif
