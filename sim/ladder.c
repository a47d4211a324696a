/*
 * ladder.c - see ladder.h.
 *
 * Only what explains the race is printed between segments: state changes,
 * the client's and server's delayed-ACK timers (armed, fired, cancelled),
 * shutdown and close, reads that end (end of stream or an error), and
 * unread data discarded by a reset. Retransmission timers and ordinary
 * reads would drown it.
 */
#include "ladder.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"

/* At most this many timeline events are kept (about 35 MB): a longer
 * timeline is no longer read line by line, and replay's memory stays
 * bounded whatever the conversation. Events past it are counted. */
#define LADDER_MAX_EVENTS 200000

struct ladder {
  tcp_event *ev;
  size_t n, cap;
  ladder_seg *segs;
  size_t nsegs;
  uint32_t *chain; /* per segment: the next in its bucket, index + 1 */
  uint32_t *head;  /* per bucket: the newest unmatched segment, index + 1 */
  size_t nbuckets; /* a power of two, or 0 */
  ladder_mark *marks;
  size_t nmarks, capmarks;
  uint64_t dropped; /* events past LADDER_MAX_EVENTS, not kept */
  uint32_t iss[2];
  bool have_iss[2];
};

ladder *ladder_new(void) {
  return calloc(1, sizeof(ladder));
}

void ladder_free(ladder *l) {
  if (!l)
    return;
  free(l->ev);
  free(l->segs);
  free(l->chain);
  free(l->head);
  free(l->marks);
  free(l);
}

/* An arrival is matched to the segment sent with the same sender, raw
 * sequence and acknowledgment numbers, flags and length: a hash of those
 * finds the unmatched candidates in O(1) (a scan of every segment for
 * each arrival made a long conversation quadratic). */
static size_t seg_hash(int from, uint32_t seq, uint8_t flags, uint16_t len,
                       uint32_t ack) {
  uint64_t h = (uint64_t)seq * 0x9E3779B97F4A7C15ull;
  h ^= ((uint64_t)ack << 17) ^ ((uint64_t)flags << 8) ^ ((uint64_t)len << 40) ^
       (uint64_t)from;
  h *= 0xBF58476D1CE4E5B9ull;
  return (size_t)(h ^ (h >> 31));
}

static size_t hash_of(const ladder_seg *g) {
  return seg_hash(g->from, g->raw_seq, g->flags, g->len,
                  (g->flags & TCP_ACK) ? g->raw_ack : 0);
}

static void bucket_add(ladder *l, size_t i) {
  size_t b = hash_of(&l->segs[i]) & (l->nbuckets - 1);
  l->chain[i] = l->head[b];
  l->head[b] = (uint32_t)(i + 1);
}

/* Room for one more segment in the hash: 0, or -1 (out of memory). */
static int buckets_grow(ladder *l) {
  if (2 * (l->nsegs + 1) <= l->nbuckets)
    return 0;
  size_t nb = l->nbuckets ? 2 * l->nbuckets : 1024;
  uint32_t *h = calloc(nb, sizeof *h);
  if (!h)
    return -1;
  free(l->head);
  l->head = h;
  l->nbuckets = nb;
  for (size_t i = 0; i < l->nsegs; i++) /* oldest first: newest at heads */
    if (l->segs[i].recv_ns < 0)
      bucket_add(l, i);
  return 0;
}

static int side_of(uint32_t host) {
  return host == CONV_CLIENT_ADDR ? 0 : 1;
}

static bool wanted(const tcp_event *ev) {
  switch (ev->type) {
  case TCP_EV_SEG_OUT:
  case TCP_EV_STATE:
  case TCP_EV_DATA_LOST:
    return true;
  case TCP_EV_TIMER_ARM:
  case TCP_EV_TIMER_FIRE:
  case TCP_EV_TIMER_CANCEL:
    return ev->timer == TCP_TIMER_DELACK;
  case TCP_EV_APP:
    return ev->call == TCP_CALL_SHUTDOWN || ev->call == TCP_CALL_CLOSE ||
           ev->call == TCP_CALL_ABORT ||
           (ev->call == TCP_CALL_RECV && ev->result <= 0 &&
            ev->result != TCP_ERR_WOULDBLOCK);
  default:
    return false;
  }
}

/* An arrival: the first (oldest) segment from the other side that
 * matches it and has not arrived yet. */
static void arrived(ladder *l, const tcp_event *ev) {
  if (!l->nbuckets)
    return;
  int from = 1 - side_of(ev->host);
  uint32_t ack = (ev->seg.flags & TCP_ACK) ? ev->seg.ack : 0;
  size_t b = seg_hash(from, ev->seg.seq, ev->seg.flags, ev->seg.len, ack) &
             (l->nbuckets - 1);
  uint32_t *link = &l->head[b], *best = NULL;
  for (uint32_t k = *link; k; link = &l->chain[k - 1], k = *link) {
    ladder_seg *g = &l->segs[k - 1];
    if (g->from == from && g->raw_seq == ev->seg.seq &&
        g->flags == ev->seg.flags && g->len == ev->seg.len &&
        (!(g->flags & TCP_ACK) || g->raw_ack == ev->seg.ack))
      best = link; /* newest first: the last match is the oldest */
  }
  if (!best)
    return;
  size_t i = *best - 1;
  l->segs[i].recv_ns = (int64_t)ev->time_ns;
  *best = l->chain[i]; /* matched: out of its bucket */
}

static void mark(ladder *l, const tcp_event *ev) {
  if (l->nmarks == l->capmarks) {
    size_t cap = l->capmarks ? 2 * l->capmarks : 64;
    ladder_mark *p = realloc(l->marks, cap * sizeof *p);
    if (!p)
      return;
    l->marks = p;
    l->capmarks = cap;
  }
  l->marks[l->nmarks++] =
      (ladder_mark){ev->time_ns, side_of(ev->host), ev->type, ev->to};
}

size_t ladder_marks(const ladder *l, const ladder_mark **out) {
  *out = l->marks;
  return l->nmarks;
}

void ladder_on_event(void *user, const tcp_event *ev) {
  ladder *l = user;
  if (ev->type == TCP_EV_SEG_IN) {
    arrived(l, ev);
    return;
  }
  if (!wanted(ev))
    return;
  if (l->n == LADDER_MAX_EVENTS) {
    l->dropped++;
    return;
  }
  if ((ev->type == TCP_EV_TIMER_ARM || ev->type == TCP_EV_TIMER_FIRE) ||
      ev->type == TCP_EV_STATE)
    mark(l, ev);
  if (l->n == l->cap) {
    /* each array is taken as soon as it is grown: a failure of a later
     * one leaves every pointer valid (the event is then not kept) */
    size_t cap = l->cap ? 2 * l->cap : 256;
    if (cap > LADDER_MAX_EVENTS)
      cap = LADDER_MAX_EVENTS;
    tcp_event *p = realloc(l->ev, cap * sizeof *p);
    if (!p) {
      l->dropped++;
      return;
    }
    l->ev = p;
    ladder_seg *q = realloc(l->segs, cap * sizeof *q);
    if (!q) {
      l->dropped++;
      return;
    }
    l->segs = q;
    uint32_t *c = realloc(l->chain, cap * sizeof *c);
    if (!c) {
      l->dropped++;
      return;
    }
    l->chain = c;
    l->cap = cap;
  }
  if (ev->type == TCP_EV_SEG_OUT && buckets_grow(l) != 0) {
    l->dropped++;
    return;
  }
  tcp_event e = *ev;
  e.dgram = NULL;
  e.seg.data = NULL;
  e.conn = NULL;
  l->ev[l->n++] = e;
  if (ev->type != TCP_EV_SEG_OUT)
    return;
  int s = side_of(ev->host);
  if ((ev->seg.flags & TCP_SYN) && !l->have_iss[s]) {
    l->iss[s] = ev->seg.seq;
    l->have_iss[s] = true;
  }
  ladder_seg *g = &l->segs[l->nsegs++];
  g->time_ns = ev->time_ns;
  g->from = s;
  g->flags = ev->seg.flags;
  g->seq = ev->seg.seq - (l->have_iss[s] ? l->iss[s] : 0);
  g->ack = (ev->seg.flags & TCP_ACK)
               ? ev->seg.ack - (l->have_iss[1 - s] ? l->iss[1 - s] : 0)
               : 0;
  g->len = ev->seg.len;
  g->why = ev->why;
  g->recv_ns = -1;
  g->raw_seq = ev->seg.seq;
  g->raw_ack = ev->seg.ack;
  bucket_add(l, l->nsegs - 1);
}

void ladder_mark_outcome(ladder *l, const conv_outcome *o) {
  const conv_anatomy *a = &o->a;
  bool acked = false;
  for (size_t i = 0; i < l->nsegs; i++) {
    ladder_seg *g = &l->segs[i];
    g->mark = 0;
    if (!o->redundant_ack)
      continue;
    bool pure = !g->len && !(g->flags & (TCP_SYN | TCP_FIN | TCP_RST));
    if (!acked && g->from == 0 && pure &&
        (int64_t)g->time_ns == a->redundant_ack && g->why == a->redundant_why) {
      g->mark = LADDER_REDUNDANT_ACK;
      acked = true;
    } else if (acked && g->from == 1 && (g->flags & TCP_RST) &&
               (int64_t)g->time_ns == a->server_rst) {
      g->mark = LADDER_ITS_RST;
      break;
    }
  }
  if (!o->server_rst || o->reset_cause == CONV_CAUSE_REDUNDANT_ACK)
    return;
  /* another mechanism: its RST, and for a RST that answers a segment, the
   * client's segment that reached the server last before it */
  ladder_seg *rst = NULL, *cause = NULL;
  for (size_t i = 0; i < l->nsegs && !rst; i++) {
    ladder_seg *g = &l->segs[i];
    if (g->from == 1 && (g->flags & TCP_RST) &&
        (int64_t)g->time_ns == a->server_rst)
      rst = g;
  }
  if (!rst)
    return;
  rst->mark = LADDER_ITS_RST;
  if (o->reset_cause != CONV_CAUSE_NO_CONNECTION &&
      o->reset_cause != CONV_CAUSE_DATA_AFTER_CLOSE &&
      o->reset_cause != CONV_CAUSE_UNKNOWN)
    return;
  for (size_t i = 0; i < l->nsegs; i++) {
    ladder_seg *g = &l->segs[i];
    if (g->from == 0 && g->recv_ns >= 0 && g->recv_ns <= a->server_rst &&
        (!cause || g->recv_ns >= cause->recv_ns))
      cause = g;
  }
  if (cause)
    cause->mark = LADDER_RST_CAUSE;
}

size_t ladder_segments(const ladder *l, const ladder_seg **out) {
  *out = l->segs;
  return l->nsegs;
}

void ladder_print(const ladder *l, FILE *f) {
  static const char *const who[2] = {"client", "server"};
  fprintf(f, "%10s  %-6s  %-13s %8s %8s %6s  %s\n", "time (ms)", "", "flags",
          "seq", "ack", "len", "why");
  size_t k = 0;
  for (size_t i = 0; i < l->n; i++) {
    const tcp_event *e = &l->ev[i];
    double ms = (double)e->time_ns / 1e6;
    int s = side_of(e->host);
    if (e->type == TCP_EV_SEG_OUT) {
      const ladder_seg *g = &l->segs[k++];
      char fl[32];
      bool alert = g->mark != 0;
      fprintf(f, "%10.3f  %-6s  %-13s %8" PRIu32 " %8" PRIu32 " %6u  %s%s\n",
              ms, s ? "<--" : "-->", tcp_flags_str(g->flags, fl, sizeof fl),
              g->seq, g->ack, g->len, tcp_why_name(g->why),
              alert ? "  <<<" : "");
      continue;
    }
    char what[160];
    switch (e->type) {
    case TCP_EV_STATE:
      snprintf(what, sizeof what, "%s -> %s", tcp_state_name(e->from),
               tcp_state_name(e->to));
      break;
    case TCP_EV_TIMER_ARM:
      snprintf(what, sizeof what, "delayed ACK armed, due at %.3f ms",
               (double)e->deadline_ns / 1e6);
      break;
    case TCP_EV_TIMER_FIRE:
      snprintf(what, sizeof what, "delayed ACK fires");
      break;
    case TCP_EV_TIMER_CANCEL:
      snprintf(what, sizeof what, "delayed ACK cancelled");
      break;
    case TCP_EV_DATA_LOST:
      snprintf(what, sizeof what, "%" PRId64 " unread bytes discarded", e->arg);
      break;
    case TCP_EV_APP:
      if (e->result < 0)
        snprintf(what, sizeof what, "%s() fails: %s", tcp_call_name(e->call),
                 tcp_strerror((int)e->result));
      else if (e->call == TCP_CALL_RECV)
        snprintf(what, sizeof what, "recv() = 0: end of stream");
      else
        snprintf(what, sizeof what, "%s()", tcp_call_name(e->call));
      break;
    default:
      what[0] = 0;
      break;
    }
    fprintf(f, "%10.3f  %*s%s: %s\n", ms, s ? 26 : 8, "", who[s], what);
  }
  if (l->dropped)
    fprintf(f,
            "... the timeline stops here: %" PRIu64 " more events were not "
            "kept (at most %d are); the outcome and the anatomy below "
            "cover the whole conversation\n",
            l->dropped, LADDER_MAX_EVENTS);
}

uint64_t ladder_dropped(const ladder *l) {
  return l->dropped;
}
