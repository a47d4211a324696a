/*
 * stack_kernel.c - real kernels at the link's ends (emulation): the link
 * stack's node leads to a kernel's TAP, and the kernel's application is a
 * program outside (halfclose-peer), polled until it exits. Its datagrams
 * become the trace (conv_capture); what its program saw becomes the
 * application events.
 */
#include "conv_internal.h"

#define KERNEL_POLL_NS (5 * TCP_MS) /* how often their programs are polled */

bool conv_is_kernel(const run *r, int node) {
  return r->kernel && r->kernel->end[node];
}

/* A kernel client's program exited: what its application saw, as the
 * application events the model would have traced (the reads, the end of
 * stream or the error, the close). Without a state trace, a reset is
 * known only when the application got it: conn_reset then; the bytes its
 * host had received in order (the capture) and the application never
 * read are then lost. */
static void kernel_client_done(run *r, const conv_kernel_report *k) {
  uint64_t bytes = k->bytes_read;
  bool eof = k->eof;
  int64_t err = tcp_error_from_errno(k->error);
  r->out->bytes_read = bytes;
  r->out->client_error = (int)err;
  if (k->counted) { /* responses read whole, over its connections */
    r->app.got = k->responses;
    r->out->connections = k->connections;
    r->out->retries = k->retries;
    r->out->failed_reset = k->failed_reset;
    r->out->failed_eof = k->failed_eof;
  } else if (r->p->response) {
    r->app.got = bytes / r->p->response;
  }
  if (bytes)
    conv_app_event(r, 0, TCP_CALL_RECV, (int64_t)bytes, (int64_t)bytes);
  if (eof)
    conv_app_event(r, 0, TCP_CALL_RECV, 1, 0);
  if (err == TCP_ERR_RESET && r->kernel_rcvd > bytes) {
    tcp_event ev = {0};
    ev.type = TCP_EV_DATA_LOST;
    ev.time_ns = conv_rel(r);
    ev.host = CONV_CLIENT_ADDR;
    ev.arg = (int64_t)(r->kernel_rcvd - bytes);
    conv_trace(&r->s[0], &ev);
  }
  if (err) {
    conv_app_event(r, 0, TCP_CALL_RECV, 1, err);
    if (err == TCP_ERR_RESET && !r->out->conn_reset) {
      r->out->conn_reset = true;
      r->out->a.conn_reset = (int64_t)conv_rel(r);
    }
  }
  conv_app_event(r, 0, TCP_CALL_CLOSE, 0, 0);
}

static void on_watch(void *arg) {
  run *r = arg;
  r->watch_id = 0;
  for (int end = 0; end < 2; end++) {
    bool *done = end == 0 ? &r->app.client_done : &r->app.srv_done;
    conv_kernel_report k = {0};
    if (!conv_is_kernel(r, end) || *done ||
        !r->kernel->poll(r->kernel->user, end,
                         end == 0 ? r->app.srv_done : r->app.client_done, &k))
      continue;
    *done = true;
    if (end == 0)
      kernel_client_done(r, &k);
  }
  if (!(conv_is_kernel(r, 0) && !r->app.client_done) &&
      !(conv_is_kernel(r, 1) && !r->app.srv_done)) {
    conv_settle(r); /* stops once the link has been quiet */
    if (r->stopped)
      return;
  }
  ns3c_schedule(r->e->sim, ns3c_now(r->e->sim) + KERNEL_POLL_NS, on_watch, r,
                &r->watch_id);
  conv_settle(r);
}

int conv_kernel_start(run *r) {
  return ns3c_schedule(r->e->sim, r->t0 + KERNEL_POLL_NS, on_watch, r,
                       &r->watch_id);
}
