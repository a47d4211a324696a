/*
 * fuzz_ladder.c - libFuzzer target for the ladder (replay's timeline): any
 * bytes in, read as a stream of trace events of both hosts (segments out
 * and in with any numbers and flags, states, timers, calls, lost data),
 * then the outcome's marks and the printed timeline. Arrivals that match
 * nothing, repeated segments and hash collisions are the point: a crash,
 * a sanitizer finding or a leak is a finding, and so is an arrival time
 * given to a segment that was never sent by the other side.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conv.h"
#include "fuzz_check.h"
#include "ladder.h"

/* One event from 16 bytes. */
static void event_of(const uint8_t *b, uint64_t *t, tcp_event *ev) {
  memset(ev, 0, sizeof *ev);
  static const tcp_event_type types[] = {
      TCP_EV_SEG_OUT,      TCP_EV_SEG_IN,    TCP_EV_SEG_IN,
      TCP_EV_STATE,        TCP_EV_TIMER_ARM, TCP_EV_TIMER_FIRE,
      TCP_EV_TIMER_CANCEL, TCP_EV_APP,       TCP_EV_DATA_LOST};
  ev->type = types[b[0] % (sizeof types / sizeof *types)];
  ev->host = (b[0] & 0x80) ? CONV_SERVER_ADDR : CONV_CLIENT_ADDR;
  *t += b[1];
  ev->time_ns = *t;
  ev->seg.flags = b[2];
  /* few distinct numbers, so that arrivals match sent segments */
  ev->seg.seq = (uint32_t)(b[3] & 7) * 1000u + (b[4] & 3);
  ev->seg.ack = (uint32_t)(b[5] & 7) * 1000u;
  ev->seg.len = (uint16_t)(b[6] & 3);
  ev->why = (tcp_why)(b[7] % 8);
  ev->from = (tcp_state)(b[8] % 11);
  ev->to = (tcp_state)(b[9] % 11);
  ev->timer = (b[10] & 1) ? TCP_TIMER_DELACK : (tcp_timer)0;
  ev->deadline_ns = *t + b[11];
  ev->call = (tcp_app_call)(b[12] % 4);
  ev->result = (int8_t)b[13];
  ev->arg = b[14];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static FILE *null;
  if (!null)
    null = fopen("/dev/null", "w");
  ladder *l = ladder_new();
  MUST(l, "fuzz_ladder: no ladder");
  uint64_t t = 0;
  size_t sent[2] = {0, 0};
  for (size_t i = 0; i + 16 <= size; i += 16) {
    tcp_event ev;
    event_of(data + i, &t, &ev);
    if (ev.type == TCP_EV_SEG_OUT)
      sent[ev.host == CONV_SERVER_ADDR]++;
    ladder_on_event(l, &ev);
  }
  conv_outcome o;
  memset(&o, 0, sizeof o);
  o.redundant_ack = size & 1;
  o.a.redundant_ack = size ? (int64_t)data[0] : CONV_NONE;
  o.a.server_rst = size > 1 ? (int64_t)data[1] : CONV_NONE;
  ladder_mark_outcome(l, &o);
  const ladder_seg *g;
  size_t n = ladder_segments(l, &g);
  MUST(n == sent[0] + sent[1] || ladder_dropped(l), "fuzz_ladder: segments");
  for (size_t i = 0; i < n; i++)
    MUST(g[i].recv_ns < 0 || (uint64_t)g[i].recv_ns >= g[i].time_ns,
         "fuzz_ladder: a segment arrived before it was sent");
  const ladder_mark *m;
  (void)ladder_marks(l, &m);
  ladder_print(l, null);
  ladder_free(l);
  return 0;
}
