/*
 * conv_params.h - the parameters of one half-close conversation: their names,
 * units, defaults and valid ranges, and the parsing of values with units.
 *
 * One table serves `halfclose replay --KEY=VALUE`, the scenario files and
 * the results store's columns, so a key means the same everywhere. Keys of
 * the TCP profile (tcp_profile_knobs) are accepted beside these and apply
 * to both hosts.
 *
 * Units: times ns, us, ms, s; sizes B, KB, KiB, MB, MiB (a bare number is
 * bytes); rates bps, kbps, Mbps, Gbps; probabilities as a fraction or with
 * %; booleans true/false, yes/no, on/off, 1/0.
 */
#ifndef HALFCLOSE_CONV_PARAMS_H
#define HALFCLOSE_CONV_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp.h"

typedef enum hc_kind {
  HC_TIME,  /* nanoseconds */
  HC_BYTES, /* bytes */
  HC_RATE,  /* bits per second */
  HC_PROB,  /* probability in [0, 1) */
  HC_COUNT, /* plain integer */
  HC_BOOL   /* 0 or 1 */
} hc_kind;

/* [server] close_mode, the server's close (the words of the key). */
typedef enum conv_close_mode {
  CONV_CLOSE_PLAIN = 0, /* "close": close() */
  CONV_CLOSE_LINGER,    /* "linger": shutdown(SEND), drain, then close() */
  CONV_CLOSE_ABORT      /* "abort": SO_LINGER 0 and close(): a RST */
} conv_close_mode;

/* [path] qdisc: ns-3's queue discs (the words of the key) */
typedef enum conv_qdisc {
  CONV_QDISC_FIFO = 0,
  CONV_QDISC_RED,
  CONV_QDISC_CODEL,
  CONV_QDISC_FQ_CODEL,
  CONV_QDISC_PIE
} conv_qdisc;

/* [path] cross_kind */
typedef enum conv_cross_kind {
  CONV_CROSS_BULK = 0,
  CONV_CROSS_ONOFF
} conv_cross_kind;

/* [path] cross_tcp: ns-3's TCP, or the model under a built-in profile (the
 * word is the profile's name) */
typedef enum conv_cross_tcp { CONV_CROSS_TCP_NS3 = 0 } conv_cross_tcp;

/* The word of value v of a worded parameter `key`, or NULL. */
const char *hc_param_word(const char *key, uint64_t v);

/* One conversation's parameters, in the units of their names. */
typedef struct conv_params {
  /* [link] */
  uint64_t delay_ns;  /* one-way propagation delay */
  uint64_t rate_bps;  /* data rate */
  double loss;        /* per-packet loss probability, each direction */
  uint64_t queue;     /* device queue, packets */
  uint64_t mtu;       /* bytes */
  uint64_t ns3_stack; /* 1: through ns-3's internet stack, the model as its
                         TCP (the plug-in path), not the fast link model */
  /* [client] */
  uint64_t request;             /* request bytes */
  uint64_t half_close;          /* 1: shutdown(SEND) after the request */
  uint64_t shutdown_delay_ns;   /* from the request queued to the shutdown */
  uint64_t read_size;           /* bytes per read */
  uint64_t read_interval_ns;    /* between reads; 0 = read when readable */
  uint64_t read_delay_ns;       /* from the request to the first read */
  uint64_t close_when_read;     /* 1: close() once the whole response was
                                   read (its length known, as a protocol's
                                   length field tells it), not at end of
                                   stream: the article's normal trace */
  uint64_t read_close_delay_ns; /* ... this long after the last byte */
  uint64_t requests;            /* request/response exchanges on the one
                                   connection (1: the article's) */
  uint64_t pipeline;            /* 1: every request at once, not each after
                                   the response before it */
  uint64_t gap_ns;              /* from a response read whole to the next
                                   request (without pipeline) */
  uint64_t reuse_timeout_ns;    /* a connection idle longer than this is
                                   not reused: the next request opens a new
                                   one (0: always reused) */
  uint64_t retry;               /* times a failed request is resent, each
                                   on a new connection */
  /* [server] */
  uint64_t response;        /* response bytes */
  uint64_t wait_eof;        /* 1: respond at end of stream; 0: once the
                               whole request has arrived */
  uint64_t think_ns;        /* from the request read to the response */
  uint64_t close_delay_ns;  /* from the response queued to close() */
  uint64_t close_on_eof;    /* 1: close() at the client's end of stream,
                               after the response, not right after it */
  uint64_t port;            /* the server's port */
  uint64_t max_requests;    /* the server closes after this many responses,
                               reading no request beyond them; 0: after the
                               client's `requests` */
  uint64_t idle_timeout_ns; /* close a connection idle this long between
                               requests (0: never) */
  uint64_t close_mode;      /* how the server closes: CONV_CLOSE_* */
  uint64_t linger_ns;       /* close_mode linger: read and discard after
                               shutdown(SEND) until end of stream or this
                               long, then close() */
  /* [path]: routers between the ends, ns-3's internet stack (path.cc) */
  uint64_t routers;             /* 0: the one link of [link] */
  uint64_t bottleneck_rate_bps; /* each link between two routers */
  uint64_t bottleneck_delay_ns;
  double bottleneck_loss;
  uint64_t qdisc;          /* the routers' queue disc: CONV_QDISC_* */
  uint64_t qdisc_limit;    /* ... its limit, packets */
  uint64_t cross_flows;    /* connections across the routers' links */
  uint64_t cross_kind;     /* CONV_CROSS_BULK or CONV_CROSS_ONOFF */
  uint64_t cross_tcp;      /* their TCP: CONV_CROSS_TCP_* */
  uint64_t cross_rate_bps; /* on/off: the rate while on */
  uint64_t cross_on_ns;    /* on/off: mean on time (exponential) */
  uint64_t cross_off_ns;   /* on/off: mean off time (exponential) */
  uint64_t cross_lead_ns;  /* the cross traffic runs this long before the
                              client's connect */
  /* [tcp] */
  uint64_t random_phase; /* 1: each host's delayed-ACK tick grid gets a
                            random phase; 0: the profile's delack_phase */
  /* [batch] */
  uint64_t time_limit_ns; /* simulated time allowed per conversation */
} conv_params;

typedef struct hc_param {
  const char *key;          /* as written in files and on the command line */
  const char *section;      /* link, client, server, tcp or batch */
  hc_kind kind;             /* unit kind */
  size_t off;               /* offset in conv_params */
  double def;               /* default, in base units */
  double min, max;          /* valid range, base units, inclusive */
  const char *help;         /* one line */
  const char *const *words; /* a worded key's words (value: the index; kind
                               HC_COUNT), or NULL */
} hc_param;

/* The table, *n entries. */
const hc_param *hc_params(size_t *n);

/* The entry for `key`, or NULL. */
const hc_param *hc_param_find(const char *key);

/* Every parameter at its default. */
void conv_params_default(conv_params *p);

/*
 * About how many simulation events one conversation with these parameters
 * takes at most: four per segment of the request and response, each
 * segment as large as the link's MTU, both ends' MSS, the receiver's
 * buffer and the sender's buffer allow (client and server may be NULL:
 * the link alone), and the application's paced reads (each at most
 * read_size and the client's receive buffer, bounded by the time limit).
 * For refusing, with the estimate, a conversation that would run for
 * minutes (a terabyte response, reads every nanosecond, a 1-byte buffer
 * under megabytes), and a path's cross traffic (hc_cross_events).
 * hc_conv_bounded also refuses cross traffic without two routers, and a
 * path with ns-3's TCP at the ends (client NULL).
 */
double hc_conv_events(const conv_params *p, const tcp_profile *client,
                      const tcp_profile *server);
#define HC_MAX_EVENTS 5e7 /* about a minute of one core */

/* ... of them, about how many a [path]'s cross traffic takes, over its
 * lead and the time limit (0 without). */
double hc_cross_events(const conv_params *p);

/* 0 if the conversation is within HC_MAX_EVENTS; -1 with why (the
 * estimate, how long it would take, what to lower) if not. */
int hc_conv_bounded(const conv_params *p, const tcp_profile *client,
                    const tcp_profile *server, char *why, size_t cap);

/* One value of key d from text: one of its words, or a number in its
 * units within its range. 0, or -1 with what was expected in why. */
int hc_param_parse(const hc_param *d, const char *text, double *v, char *why,
                   size_t cap);
/* A value of key d as hc_param_parse reads it (its word, or with a unit). */
char *hc_param_format(const hc_param *d, double v, char *buf, size_t cap);
/* What key d takes, in words: "a time: ns, ... from 0ms to 1h", "one of
 * close, linger, abort". Returns buf. */
const char *hc_param_range(const hc_param *d, char *buf, size_t cap);
/* Read and write a parameter as a double in base units. */
double hc_param_get(const conv_params *p, const hc_param *d);
void hc_param_set(conv_params *p, const hc_param *d, double v);

/*
 * Parse `text` as a value of `kind` into *v (base units). On failure returns
 * -1 and puts what was expected into why[0..cap). A value of another kind's
 * unit ("20ms" for a size) is refused with that said.
 */
int hc_parse_value(hc_kind kind, const char *text, double *v, char *why,
                   size_t cap);

/* Format v (base units) with a readable unit into buf. */
char *hc_format_value(hc_kind kind, double v, char *buf, size_t cap);

/* The unit words of a kind, for messages: "ns, us, ms, s", ... */
const char *hc_kind_units(hc_kind kind);

/* What a profile knob takes, in words: "a time from 0ms to 10s", "one of
 * off, oneshot, tick", "true or false". Returns buf. */
const char *hc_knob_range(const tcp_knob_info *k, char *buf, size_t cap);

/*
 * Profile knobs as text, the one place text meets the model's typed knobs:
 * hc_parse_knob reads `text` with the units of the knob's kind (the same
 * parser as every conversation key) or one of its words; hc_knob_value
 * takes a value already in base units (a scenario's draw). Both check the
 * knob's range and say what was expected in why[0..cap). hc_format_knob
 * prints a value as hc_parse_knob reads it.
 */
int hc_parse_knob(const tcp_knob_info *k, const char *text, uint64_t *v,
                  char *why, size_t cap);
int hc_knob_value(const tcp_knob_info *k, double v, uint64_t *out, char *why,
                  size_t cap);
char *hc_format_knob(const tcp_knob_info *k, uint64_t v, char *buf, size_t cap);

/* Set or print knob `knob` of `p` through the two above: 0, or -1 with
 * the reason in why. */
int hc_profile_set_text(tcp_profile *p, const char *knob, const char *text,
                        char *why, size_t cap);
char *hc_profile_get_text(const tcp_profile *p, const char *knob, char *buf,
                          size_t cap);

#endif
