/*
 * conv_params.c - the conversation parameter table and value parsing.
 *
 * Defaults are the article's conversation on a 10 Mb/s, 20 ms path: a
 * 300-byte request, half-close, a 20 000-byte response, and a client that
 * reads 1 KiB every 100 ms, slower than the network delivers, so data is
 * still unread when the connection ends.
 */
#include "conv_params.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS 1e6
#define S  1e9
#define P(key, sec, kind, field, def, min, max, help)                          \
  { key, sec, kind, offsetof(conv_params, field), def, min, max, help, NULL }
#define PW(key, sec, field, words, nwords, help)                               \
  {                                                                            \
    key, sec, HC_COUNT, offsetof(conv_params, field), 0, 0, (nwords)-1, help,  \
        words                                                                  \
  }

static const char *const close_words[] = {"close", "linger", "abort", NULL};
static const char *const qdisc_words[] = {"fifo",     "red", "codel",
                                          "fq_codel", "pie", NULL};
static const char *const cross_kind_words[] = {"bulk", "onoff", NULL};
static const char *const cross_tcp_words[] = {"ns3",   "nt351", "nt351-sp",
                                              "bsd44", "linux", NULL};

static const hc_param table[] = {
    P("delay", "link", HC_TIME, delay_ns, 20 * MS, 0, 3600 * S,
      "one-way propagation delay"),
    P("rate", "link", HC_RATE, rate_bps, 10e6, 1000, 400e9, "link data rate"),
    P("loss", "link", HC_PROB, loss, 0, 0, 0.999999,
      "per-packet loss probability, each direction"),
    P("queue", "link", HC_COUNT, queue, 100, 1, 1e6, "device queue, packets"),
    P("mtu", "link", HC_BYTES, mtu, 1500, 576, 65535,
      "link MTU (the MSS is at most MTU - 40)"),
    P("ns3_stack", "link", HC_BOOL, ns3_stack, 0, 0, 1,
      "through ns-3's Ipv4L3Protocol and PointToPointNetDevice, the model as "
      "ns-3's TCP (the plug-in path); the same outcomes, slower"),
    P("request", "client", HC_BYTES, request, 300, 0, 1e12,
      "request the client writes"),
    P("half_close", "client", HC_BOOL, half_close, 1, 0, 1,
      "shutdown(SEND) after the request (false: the control)"),
    P("shutdown_delay", "client", HC_TIME, shutdown_delay_ns, 0, 0, 3600 * S,
      "from the request written to shutdown(SEND)"),
    P("read_size", "client", HC_BYTES, read_size, 1024, 1, 1e9,
      "bytes the client reads at a time"),
    P("read_interval", "client", HC_TIME, read_interval_ns, 100 * MS, 0,
      3600 * S, "between two reads (0: read whenever data arrives)"),
    P("read_delay", "client", HC_TIME, read_delay_ns, 0, 0, 3600 * S,
      "from the request written to the first read"),
    P("close_when_read", "client", HC_BOOL, close_when_read, 0, 0, 1,
      "close once the whole response is read, not at end of stream"),
    P("read_close_delay", "client", HC_TIME, read_close_delay_ns, 0, 0,
      3600 * S, "from the response read whole to close (close_when_read)"),
    P("requests", "client", HC_COUNT, requests, 1, 1, 10000,
      "request/response exchanges on the connection (1: the article's)"),
    P("pipeline", "client", HC_BOOL, pipeline, 0, 0, 1,
      "write every request at once, not each after the last response"),
    P("gap", "client", HC_TIME, gap_ns, 0, 0, 3600 * S,
      "from a response read whole to the next request (no pipeline)"),
    P("reuse_timeout", "client", HC_TIME, reuse_timeout_ns, 0, 0, 3600 * S,
      "a pooled connection idle longer than this is not reused: the next "
      "request opens a new one (0: always reused)"),
    P("retry", "client", HC_COUNT, retry, 0, 0, 10,
      "times a failed request is resent, each on a new connection"),
    P("response", "server", HC_BYTES, response, 20000, 0, 1e12,
      "response the server writes"),
    P("wait_eof", "server", HC_BOOL, wait_eof, 1, 0, 1,
      "respond at end of stream (false: once the request has arrived)"),
    P("think", "server", HC_TIME, think_ns, 0, 0, 3600 * S,
      "from the request read to the response"),
    P("close_delay", "server", HC_TIME, close_delay_ns, 0, 0, 3600 * S,
      "from the response written to close()"),
    P("close_on_eof", "server", HC_BOOL, close_on_eof, 0, 0, 1,
      "close at the client's end of stream, after the response"),
    P("port", "server", HC_COUNT, port, 40000, 1, 65535,
      "the server's port (the default: one no Wireshark dissector claims)"),
    P("max_requests", "server", HC_COUNT, max_requests, 0, 0, 10000,
      "close after this many responses, reading no request beyond them "
      "(0: after the client's requests)"),
    P("idle_timeout", "server", HC_TIME, idle_timeout_ns, 0, 0, 3600 * S,
      "close a connection idle this long after a response, awaiting the "
      "next request (0: never)"),
    PW("close_mode", "server", close_mode, close_words, 3,
       "close: close(); linger: shutdown(SEND), read until end of stream or "
       "`linger`, then close(); abort: SO_LINGER 0, a RST"),
    /* nginx's lingering_time default (assumed as the drain's bound) */
    P("linger", "server", HC_TIME, linger_ns, 30 * S, 1 * MS, 3600 * S,
      "close_mode linger: the longest the server reads on after "
      "shutdown(SEND)"),
    P("routers", "path", HC_COUNT, routers, 0, 0, 4,
      "routers between client and server, on ns-3's internet stack with the "
      "model as its TCP (0: the one link of [link]; else [link] is each "
      "end's link to its router)"),
    P("bottleneck_rate", "path", HC_RATE, bottleneck_rate_bps, 10e6, 1000,
      400e9, "data rate of each link between two routers"),
    P("bottleneck_delay", "path", HC_TIME, bottleneck_delay_ns, 10 * MS, 0,
      3600 * S, "one-way delay of each link between two routers"),
    P("bottleneck_loss", "path", HC_PROB, bottleneck_loss, 0, 0, 0.999999,
      "per-packet loss of each link between two routers, each direction"),
    PW("qdisc", "path", qdisc, qdisc_words, 5,
       "the routers' queue disc (ns-3's traffic-control): fifo, red, codel, "
       "fq_codel or pie"),
    P("qdisc_limit", "path", HC_COUNT, qdisc_limit, 100, 1, 1e6,
      "the queue disc's limit, packets"),
    P("cross_flows", "path", HC_COUNT, cross_flows, 0, 0, 64,
      "cross-traffic connections sharing the links between routers (needs "
      "routers >= 2)"),
    PW("cross_kind", "path", cross_kind, cross_kind_words, 2,
       "cross traffic: bulk (as much as the window takes) or onoff "
       "(cross_rate while on; exponential on and off times)"),
    PW("cross_tcp", "path", cross_tcp, cross_tcp_words, 5,
       "the cross traffic's TCP: ns3 (ns-3's own) or a built-in profile"),
    P("cross_rate", "path", HC_RATE, cross_rate_bps, 2e6, 1000, 400e9,
      "onoff cross traffic: each flow's rate while on"),
    P("cross_on", "path", HC_TIME, cross_on_ns, 500 * MS, 1 * MS, 3600 * S,
      "onoff cross traffic: mean on time"),
    P("cross_off", "path", HC_TIME, cross_off_ns, 500 * MS, 0, 3600 * S,
      "onoff cross traffic: mean off time"),
    P("cross_lead", "path", HC_TIME, cross_lead_ns, 1 * S, 0, 3600 * S,
      "the cross traffic runs this long before the client connects"),
    P("random_phase", "tcp", HC_BOOL, random_phase, 1, 0, 1,
      "draw each host's delayed-ACK tick phase (else delack_phase)"),
    P("time_limit", "batch", HC_TIME, time_limit_ns, 600 * S, 1 * MS, 86400 * S,
      "simulated time allowed for one conversation"),
};
#define NPARAMS (sizeof table / sizeof table[0])

const hc_param *hc_params(size_t *n) {
  *n = NPARAMS;
  return table;
}

const char *hc_param_word(const char *key, uint64_t v) {
  const hc_param *d = hc_param_find(key);
  return d && d->words && v <= d->max ? d->words[v] : NULL;
}

const hc_param *hc_param_find(const char *key) {
  for (size_t i = 0; i < NPARAMS; i++)
    if (strcmp(table[i].key, key) == 0)
      return &table[i];
  return NULL;
}

double hc_param_get(const conv_params *p, const hc_param *d) {
  const char *f = (const char *)p + d->off;
  if (d->kind == HC_PROB)
    return *(const double *)f;
  return (double)*(const uint64_t *)f;
}

void hc_param_set(conv_params *p, const hc_param *d, double v) {
  char *f = (char *)p + d->off;
  if (d->kind == HC_PROB)
    *(double *)f = v;
  else
    *(uint64_t *)f = (uint64_t)llround(v);
}

/* The most payload one segment from a sender to a receiver can carry:
 * the link's MSS, the sender's MSS, the receiver's window (its buffer)
 * and the sender's buffer each bound it; at least one byte. */
static double seg_bytes(const conv_params *p, const tcp_profile *from,
                        const tcp_profile *to) {
  double b = p->mtu > 40 ? (double)(p->mtu - 40) : 1;
  if (from && from->mss && from->mss < b)
    b = from->mss;
  if (to && to->mss && to->mss < b)
    b = to->mss;
  if (to && to->rcv_buf && to->rcv_buf < b)
    b = to->rcv_buf;
  if (from && from->snd_buf && from->snd_buf < b)
    b = from->snd_buf;
  return b >= 1 ? b : 1;
}

double hc_conv_events(const conv_params *p, const tcp_profile *client,
                      const tcp_profile *server) {
  double nreq = (double)(p->requests ? p->requests : 1);
  double segs =
      nreq * (ceil((double)p->request / seg_bytes(p, client, server)) +
              ceil((double)p->response / seg_bytes(p, server, client))) +
      4;
  /* each paced read takes at most read_size, and no more than the
   * receive buffer holds */
  double rs = (double)(p->read_size ? p->read_size : 1);
  if (client && client->rcv_buf && client->rcv_buf < rs)
    rs = client->rcv_buf;
  double reads = segs;
  if (p->read_interval_ns) {
    double ticks = (double)p->time_limit_ns / (double)p->read_interval_ns;
    double need = nreq * ((double)p->response / rs + 2);
    reads = ticks < need ? ticks : need;
  }
  return 4 * segs + reads + hc_cross_events(p);
}

double hc_cross_events(const conv_params *p) {
  if (!p->routers || !p->cross_flows)
    return 0;
  /* the cross traffic fills what the bottleneck and its access links
   * pass (on/off: at most its flows' rate), for the lead and, at most,
   * the time limit; each of its packets takes about three events per
   * link (start, end, arrival), its ACKs half again */
  double rate = (double)p->bottleneck_rate_bps;
  if ((double)p->rate_bps < rate)
    rate = (double)p->rate_bps;
  if (p->cross_kind == CONV_CROSS_ONOFF &&
      (double)p->cross_rate_bps * (double)p->cross_flows < rate)
    rate = (double)p->cross_rate_bps * (double)p->cross_flows;
  double pkts = rate / (8.0 * (double)p->mtu) *
                (double)(p->cross_lead_ns + p->time_limit_ns) / 1e9;
  return pkts * (double)(p->routers + 1) * 3 * 1.5;
}

int hc_conv_bounded(const conv_params *p, const tcp_profile *client,
                    const tcp_profile *server, char *why, size_t cap) {
  if (p->cross_flows && p->routers < 2) {
    if (why)
      snprintf(why, cap,
               "cross_flows = %llu with routers = %llu: cross traffic shares "
               "the links between routers; it needs routers >= 2",
               (unsigned long long)p->cross_flows,
               (unsigned long long)p->routers);
    return -1;
  }
  if (p->routers && !client) {
    if (why)
      snprintf(why, cap,
               "routers = %llu: a [path] runs the model at both "
               "ends; ns-3's own TCP (ns3-native) is not on one",
               (unsigned long long)p->routers);
    return -1;
  }
  double ev = hc_conv_events(p, client, server);
  if (ev <= HC_MAX_EVENTS)
    return 0;
  if (why && hc_cross_events(p) > HC_MAX_EVENTS / 2)
    snprintf(why, cap,
             "would take about %.2g simulation events, about %.0f minutes "
             "of one core (at most %.0e are run), most of them the cross "
             "traffic's until time_limit: refused; lower time_limit, "
             "cross_lead or bottleneck_rate",
             ev, ev / (HC_MAX_EVENTS / 60.0) / 60.0, HC_MAX_EVENTS);
  else if (why)
    snprintf(why, cap,
             "would take about %.2g simulation events, about %.0f minutes "
             "of one core (at most %.0e are run): refused; lower response "
             "or time_limit, read less often, or raise mss, rcv_buf or "
             "snd_buf",
             ev, ev / (HC_MAX_EVENTS / 60.0) / 60.0, HC_MAX_EVENTS);
  return -1;
}

void conv_params_default(conv_params *p) {
  memset(p, 0, sizeof *p);
  for (size_t i = 0; i < NPARAMS; i++)
    hc_param_set(p, &table[i], table[i].def);
}

typedef struct unit {
  const char *word;
  hc_kind kind;
  double scale;
} unit;

/* Besides this project's own spellings, ns-3's: DataRate's units (bps or
 * b/s for bits, Bps or B/s for bytes) with its prefixes k or K (1000), Ki
 * (1024), M, Mi, G, Gi; and SI sizes in kB (QueueSize's "20kB"). */
#define RATE_SPELLINGS(p, scale)                                               \
  {p "bps", HC_RATE, (scale)}, {p "b/s", HC_RATE, (scale)},                    \
      {p "Bps", HC_RATE, 8.0 * (scale)}, {                                     \
    p "B/s", HC_RATE, 8.0 * (scale)                                            \
  }
static const unit units[] = {
    {"ns", HC_TIME, 1},       {"us", HC_TIME, 1e3},
    {"ms", HC_TIME, 1e6},     {"s", HC_TIME, 1e9},
    {"B", HC_BYTES, 1},       {"KB", HC_BYTES, 1e3},
    {"kB", HC_BYTES, 1e3},    {"KiB", HC_BYTES, 1024},
    {"MB", HC_BYTES, 1e6},    {"MiB", HC_BYTES, 1048576},
    {"GB", HC_BYTES, 1e9},    {"GiB", HC_BYTES, 1073741824.0},
    RATE_SPELLINGS("", 1),    RATE_SPELLINGS("k", 1e3),
    RATE_SPELLINGS("K", 1e3), RATE_SPELLINGS("Ki", 1024),
    RATE_SPELLINGS("M", 1e6), RATE_SPELLINGS("Mi", 1048576),
    RATE_SPELLINGS("G", 1e9), RATE_SPELLINGS("Gi", 1073741824.0),
    {"%", HC_PROB, 0.01},
};

const char *hc_kind_units(hc_kind kind) {
  switch (kind) {
  case HC_TIME:
    return "a time: ns, us, ms or s (e.g. 20ms)";
  case HC_BYTES:
    return "a size: B, KB (or kB), KiB, MB, MiB, GB or GiB (e.g. 20KB)";
  case HC_RATE:
    return "a rate: bps, kbps, Mbps or Gbps, or ns-3's spellings "
           "(Mb/s, MBps, Kibps, ...) (e.g. 10Mbps)";
  case HC_PROB:
    return "a probability: a fraction or a percentage (e.g. 0.01 or 1%)";
  case HC_COUNT:
    return "a whole number";
  case HC_BOOL:
    return "true or false";
  }
  return "?";
}

static const char *kind_name(hc_kind k) {
  static const char *const n[] = {"time",        "size",  "rate",
                                  "probability", "count", "boolean"};
  return n[k];
}

int hc_parse_value(hc_kind kind, const char *text, double *v, char *why,
                   size_t cap) {
  while (isspace((unsigned char)*text))
    text++;
  if (kind == HC_BOOL) {
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
      if (strcasecmp(text, yes[i]) == 0) {
        *v = 1;
        return 0;
      }
      if (strcasecmp(text, no[i]) == 0) {
        *v = 0;
        return 0;
      }
    }
    snprintf(why, cap, "expected %s", hc_kind_units(kind));
    return -1;
  }
  /* decimal only: strtod would also take 0x14, inf and nan */
  const char *d = text + (*text == '+' || *text == '-');
  if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
    snprintf(why, cap, "a hexadecimal number; expected %s in decimal",
             hc_kind_units(kind));
    return -1;
  }
  if (!isdigit((unsigned char)d[0]) &&
      !(d[0] == '.' && isdigit((unsigned char)d[1]))) {
    snprintf(why, cap, "expected %s", hc_kind_units(kind));
    return -1;
  }
  char *end;
  errno = 0;
  double x = strtod(text, &end);
  if (end == text || errno || !isfinite(x)) {
    snprintf(why, cap, "expected %s", hc_kind_units(kind));
    return -1;
  }
  while (isspace((unsigned char)*end))
    end++;
  char word[16];
  size_t n = 0;
  while (end[n] && !isspace((unsigned char)end[n]) && n + 1 < sizeof word) {
    word[n] = end[n];
    n++;
  }
  word[n] = 0;
  const char *rest = end + n;
  while (isspace((unsigned char)*rest))
    rest++;
  if (*rest) {
    snprintf(why, cap, "unexpected text after the value; expected %s",
             hc_kind_units(kind));
    return -1;
  }
  double scale = 1;
  if (n) {
    const unit *u = NULL;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
      if (strcmp(word, units[i].word) == 0)
        u = &units[i];
    if (!u) {
      snprintf(why, cap, "unknown unit \"%s\"; expected %s", word,
               hc_kind_units(kind));
      return -1;
    }
    if (u->kind != kind) {
      snprintf(why, cap, "\"%s\" is a unit of %s; expected %s", word,
               kind_name(u->kind), hc_kind_units(kind));
      return -1;
    }
    scale = u->scale;
  } else if (kind == HC_TIME || kind == HC_RATE) {
    snprintf(why, cap, "a unit is required; expected %s", hc_kind_units(kind));
    return -1;
  }
  x *= scale;
  if (kind == HC_COUNT && x != floor(x)) {
    snprintf(why, cap, "expected %s", hc_kind_units(kind));
    return -1;
  }
  *v = x;
  return 0;
}

char *hc_format_value(hc_kind kind, double v, char *buf, size_t cap) {
  switch (kind) {
  case HC_TIME:
    if (v == 0)
      snprintf(buf, cap, "0ms");
    else if (fmod(v, 1e9) == 0)
      snprintf(buf, cap, "%.0fs", v / 1e9);
    else if (fmod(v, 1e6) == 0 || v >= 1e7)
      snprintf(buf, cap, "%.10gms", v / 1e6);
    else if (fmod(v, 1e3) == 0)
      snprintf(buf, cap, "%.0fus", v / 1e3);
    else
      snprintf(buf, cap, "%.0fns", v);
    break;
  case HC_BYTES:
    snprintf(buf, cap, "%.0fB", v);
    break;
  case HC_RATE:
    if (v >= 1e9 && fmod(v, 1e9) == 0)
      snprintf(buf, cap, "%.0fGbps", v / 1e9);
    else if (v >= 1e6 && fmod(v, 1e3) == 0)
      snprintf(buf, cap, "%.10gMbps", v / 1e6);
    else
      snprintf(buf, cap, "%.0fbps", v);
    break;
  case HC_PROB:
    snprintf(buf, cap, "%.10g", v);
    break;
  case HC_COUNT:
    snprintf(buf, cap, "%.0f", v);
    break;
  case HC_BOOL:
    snprintf(buf, cap, "%s", v != 0 ? "true" : "false");
    break;
  }
  return buf;
}

int hc_param_parse(const hc_param *d, const char *text, double *v, char *why,
                   size_t cap) {
  if (d->words) {
    while (isspace((unsigned char)*text))
      text++;
    for (int i = 0; d->words[i]; i++)
      if (strcmp(text, d->words[i]) == 0) {
        *v = i;
        return 0;
      }
    char list[120];
    snprintf(why, cap, "expected %s", hc_param_range(d, list, sizeof list));
    return -1;
  }
  if (hc_parse_value(d->kind, text, v, why, cap) != 0)
    return -1;
  if (*v < d->min || *v > d->max) {
    char lo[32], hi[32];
    snprintf(why, cap, "out of range: expected %s to %s",
             hc_format_value(d->kind, d->min, lo, sizeof lo),
             hc_format_value(d->kind, d->max, hi, sizeof hi));
    return -1;
  }
  return 0;
}

char *hc_param_format(const hc_param *d, double v, char *buf, size_t cap) {
  if (d->words && v >= 0 && v <= d->max)
    snprintf(buf, cap, "%s", d->words[(int)v]);
  else
    hc_format_value(d->kind, v, buf, cap);
  return buf;
}

const char *hc_param_range(const hc_param *d, char *buf, size_t cap) {
  if (d->words) {
    size_t n = (size_t)snprintf(buf, cap, "one of");
    for (int i = 0; d->words[i] && n < cap; i++)
      n += (size_t)snprintf(buf + n, cap - n, "%s %s", i ? "," : "",
                            d->words[i]);
    return buf;
  }
  snprintf(buf, cap, "%s", hc_kind_units(d->kind));
  return buf;
}

const char *hc_knob_range(const tcp_knob_info *k, char *buf, size_t cap) {
  if (k->kind == TCP_KNOB_WORD) {
    size_t n = (size_t)snprintf(buf, cap, "one of");
    for (int i = 0; k->words[i] && n < cap; i++)
      n += (size_t)snprintf(buf + n, cap - n, "%s %s", i ? "," : "",
                            k->words[i]);
  } else if (k->kind == TCP_KNOB_BOOL) {
    snprintf(buf, cap, "true or false");
  } else {
    hc_kind kind = k->kind == TCP_KNOB_TIME    ? HC_TIME
                   : k->kind == TCP_KNOB_BYTES ? HC_BYTES
                                               : HC_COUNT;
    char lo[32], hi[32];
    snprintf(buf, cap, "%s from %s to %s",
             kind == HC_TIME    ? "a time"
             : kind == HC_BYTES ? "a size"
                                : "a whole number",
             hc_format_value(kind, (double)k->min, lo, sizeof lo),
             hc_format_value(kind, (double)k->max, hi, sizeof hi));
  }
  return buf;
}

static hc_kind knob_kind(const tcp_knob_info *k) {
  return k->kind == TCP_KNOB_TIME    ? HC_TIME
         : k->kind == TCP_KNOB_BYTES ? HC_BYTES
         : k->kind == TCP_KNOB_BOOL  ? HC_BOOL
                                     : HC_COUNT;
}

int hc_knob_value(const tcp_knob_info *k, double v, uint64_t *out, char *why,
                  size_t cap) {
  char range[200];
  if (!(v >= 0) || v > 1.8e19 || v + 0.5 < (double)k->min ||
      v - 0.5 > (double)k->max) {
    snprintf(why, cap, "expected %s", hc_knob_range(k, range, sizeof range));
    return -1;
  }
  uint64_t x = (uint64_t)(v + 0.5);
  if (x < k->min || x > k->max) {
    snprintf(why, cap, "expected %s", hc_knob_range(k, range, sizeof range));
    return -1;
  }
  *out = x;
  return 0;
}

int hc_parse_knob(const tcp_knob_info *k, const char *text, uint64_t *out,
                  char *why, size_t cap) {
  char range[200];
  if (k->kind == TCP_KNOB_WORD) {
    while (isspace((unsigned char)*text))
      text++;
    for (int i = 0; k->words[i]; i++)
      if (strcasecmp(text, k->words[i]) == 0) {
        *out = (uint64_t)i;
        return 0;
      }
    snprintf(why, cap, "expected %s", hc_knob_range(k, range, sizeof range));
    return -1;
  }
  double v;
  if (hc_parse_value(knob_kind(k), text, &v, why, cap) != 0) {
    snprintf(why, cap, "expected %s", hc_knob_range(k, range, sizeof range));
    return -1;
  }
  return hc_knob_value(k, v, out, why, cap);
}

char *hc_format_knob(const tcp_knob_info *k, uint64_t v, char *buf,
                     size_t cap) {
  switch (k->kind) {
  case TCP_KNOB_BOOL:
    snprintf(buf, cap, "%s", v ? "true" : "false");
    break;
  case TCP_KNOB_WORD:
    snprintf(buf, cap, "%s", v <= k->max ? k->words[v] : "?");
    break;
  case TCP_KNOB_TIME:
    if (v != 0 && v % TCP_S == 0)
      snprintf(buf, cap, "%" PRIu64 "s", v / (uint64_t)TCP_S);
    else if (v % TCP_MS == 0)
      snprintf(buf, cap, "%" PRIu64 "ms", v / (uint64_t)TCP_MS);
    else if (v % 1000 == 0)
      snprintf(buf, cap, "%" PRIu64 "us", v / 1000);
    else
      snprintf(buf, cap, "%" PRIu64 "ns", v);
    break;
  case TCP_KNOB_BYTES:
    snprintf(buf, cap, "%" PRIu64 "B", v);
    break;
  case TCP_KNOB_COUNT:
    snprintf(buf, cap, "%" PRIu64, v);
    break;
  }
  return buf;
}

int hc_profile_set_text(tcp_profile *p, const char *knob, const char *text,
                        char *why, size_t cap) {
  const tcp_knob_info *k = tcp_profile_knob(knob);
  uint64_t v;
  if (!k) {
    snprintf(why, cap, "no such knob");
    return -1;
  }
  if (hc_parse_knob(k, text, &v, why, cap) != 0)
    return -1;
  return tcp_profile_set(p, knob, v) == 0 ? 0 : -1;
}

char *hc_profile_get_text(const tcp_profile *p, const char *knob, char *buf,
                          size_t cap) {
  const tcp_knob_info *k = tcp_profile_knob(knob);
  uint64_t v;
  if (!k || tcp_profile_get(p, knob, &v) != 0)
    snprintf(buf, cap, "?");
  else
    hc_format_knob(k, v, buf, cap);
  return buf;
}
