/*
 * profile.c - behaviour profiles: the presets, where each value comes from,
 * and the knob table.
 *
 * A profile is plain data. Each preset is a column of the table below: for
 * every knob a value and its source - an RFC section, a 4.4BSD-Lite2 file
 * and function, a Linux function or sysctl default, Microsoft's
 * documentation - or "assumed" with the reason for the choice where no
 * public source exists. Every rate the suite reports depends on these
 * values, so `halfclose profiles` prints this table as it is.
 *
 *   nt351     Windows NT 3.51 before the service pack: the KB Q152474 bug.
 *   nt351-sp  The same with the article's fix: after the ACK of the FIN,
 *             nothing of its own accord.
 *   bsd44     4.4BSD-Lite2, sys/netinet.
 *   linux     Linux 6.x defaults, as far as the model has the features
 *             (timestamps, SACK and window scaling negotiated).
 *   +rfc1337  Modifier: ignore RST in TIME-WAIT.
 *
 * Presets are built once from the table through tcp_profile_set(), so a
 * preset value obeys the same ranges as a user's. Values are numbers in
 * the knob's base unit: text and units are parsed and printed above the
 * model, in one place (sim/conv_params.c).
 */
#include "tcp_internal.h"

#include <assert.h>
#include <stdio.h>
#include <inttypes.h>
#include <string.h>

static const char *const presets[] = {"nt351", "nt351-sp", "bsd44", "linux",
                                      NULL};
#define NPRESETS 4

const char *const *tcp_profile_presets(void) {
  return presets;
}

/* Sources quoted more than once. */
#define NT_DOC_ASSUMED                                                         \
  "documented for NT 4.0 SP4+ and Windows 2000 (TcpDelAckTicks, 100 ms "       \
  "ticks); assumed for NT 3.51: no public source"
#define KB_BUG                                                                 \
  "KB Q152474: the delayed ACK pending when the FIN was ACKed fires "          \
  "afterwards"
#define BSD_OUTPUT_CLEARS                                                      \
  "4.4BSD-Lite2 tcp_output.c tcp_output(): every segment sent clears "         \
  "TF_ACKNOW|TF_DELACK"
#define BSD_RST_SWITCH                                                         \
  "4.4BSD-Lite2 tcp_input.c: RST in CLOSING/LAST_ACK/TIME_WAIT -> "            \
  "tcp_close() with no so_error"
#define LINUX_ACK_SENT                                                         \
  "Linux tcp_event_ack_sent(): any ACK sent clears the ICSK_TIME_DACK timer"
#define UNUSED        "not used by this profile's delayed-ACK mode"
#define UNUSED_SNDBUF "not used: the send buffer does not grow (snd_buf_grows)"

typedef struct preset_cell {
  uint64_t value;     /* in the knob's base unit (ns, bytes, count, 0/1,
                        the index of a word) */
  const char *source; /* where it comes from, or "assumed: why"; NULL:
                         as nt351 (nt351-sp's SAME) */
} preset_cell;

typedef struct preset_row {
  const char *knob;
  preset_cell v[NPRESETS]; /* nt351, nt351-sp, bsd44, linux */
} preset_row;

/* nt351-sp copies nt351 except where its cell names a value. */
#define SAME                                                                   \
  { 0, NULL }

static const preset_row table[] = {
    {"delack_mode",
     {{TCP_DELACK_TICK, "NT's TCP timer runs in 100 ms ticks; " NT_DOC_ASSUMED},
      SAME,
      {TCP_DELACK_TICK,
       "4.4BSD-Lite2 tcp_timer.c tcp_fasttimo(): sends the flagged "
       "delayed ACKs every 200 ms (PR_FASTHZ 5)"},
      {TCP_DELACK_ONESHOT,
       "Linux tcp_send_delayed_ack(): a one-shot ICSK_TIME_DACK "
       "timer from the arrival"}}},
    {"delack",
     {{200 * TCP_MS, "TcpDelAckTicks default 2 x 100 ms; " NT_DOC_ASSUMED},
      SAME,
      {200 * TCP_MS, "4.4BSD-Lite2 tcp_fasttimo(): the next 200 ms fast tick"},
      {40 * TCP_MS, "Linux TCP_DELACK_MIN (HZ/25): the ATO's lower bound"}}},
    {"delack_max",
     {{0, "assumed: no adaptive timeout is documented for NT"},
      SAME,
      {0, "4.4BSD-Lite2: fixed, no adaptation"},
      {200 * TCP_MS,
       "Linux TCP_DELACK_MAX (HZ/5); the ATO adapts to the arrival "
       "gaps (tcp_event_data_recv(); approximated)"}}},
    {"delack_tick",
     {{100 * TCP_MS, "NT's 100 ms TCP timer; " NT_DOC_ASSUMED},
      SAME,
      {200 * TCP_MS, "4.4BSD-Lite2 PR_FASTHZ 5: 200 ms"},
      {4 * TCP_MS, "a jiffy at CONFIG_HZ=250 (Debian's kernels): a delayed "
                   "ACK armed with an ATO of 0 - a FIN before any data, "
                   "icsk_ack.ato being set at the first data "
                   "(tcp_event_data_recv()) - fires at the next one "
                   "(tcp_send_delayed_ack()); measured 4.5 ms "
                   "(script_kernel)"}}},
    {"delack_phase",
     {{0, "the tick grid is host-wide and its phase unknown: drawn per "
          "host when random_phase is on"},
      SAME,
      {0, "as nt351: drawn per host when random_phase is on"},
      {0, "the jiffies' phase (CLOCK_MONOTONIC's multiples of the jiffy, "
          "tick_init_jiffy_update()) and with it the TCP timestamps' "
          "milliseconds (tcp_clock_ms()): drawn per host when random_phase "
          "is on; crosscheck sets the kernels' own"}}},
    {"delack_wheel",
     {{0, UNUSED},
      SAME,
      {0, UNUSED},
      {1, "Linux kernel/time/timer.c calc_index(): a timer-wheel timer is "
          "rounded up one granule so it never fires early - the delayed ACK "
          "armed for jiffies + ATO fires at the tick after (HZ 250: 40-44 "
          "ms for an ATO of 40; crosscheck: the kernel's delayed ACK after "
          "a FIN 40.1-40.4 ms, and none yet at 40.6-40.9)"}}},
    {"delack_finwait",
     {{1, "implied by KB Q152474: a delayed ACK is pending in "
          "FIN-WAIT-2 when the server's FIN arrives"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_input.c TCP_REASS: TF_DELACK only in "
          "ESTABLISHED, TF_ACKNOW in every other state"},
      {1, "Linux __tcp_ack_snd_check(): no state condition"}}},
    {"ack_rule",
     {{TCP_ACK_RULE_SEGMENTS,
       "assumed: RFC 1122 §4.2.3.2 asks for an ACK at least "
       "every second full-sized segment; how NT counted is not "
       "documented"},
      SAME,
      {TCP_ACK_RULE_NONE,
       "4.4BSD-Lite2 tcp_input.c counts no segments: every in-order "
       "segment sets TF_DELACK; the every-other-segment ACK is "
       "tcp_output()'s window update when the reader drains "
       "(adv >= 2 x t_maxseg)"},
      {TCP_ACK_RULE_BYTES,
       "Linux __tcp_ack_snd_check(): ACK at once when rcv_nxt - "
       "rcv_wup > rcv_mss (its window condition: ack_window_holds)"}}},
    {"ack_every",
     {{2, "RFC 1122 §4.2.3.2; TcpAckFrequency default 2 is documented for "
          "Windows Server 2003 and later, assumed for NT 3.51"},
      SAME,
      {2, "not used with ack_rule none"},
      {2, "Linux: more than one rcv_mss of unacknowledged bytes, i.e. the "
          "second full segment"}}},
    {"ack_window_holds",
     {{0, "not used with ack_rule segments"},
      SAME,
      {0, "not used with ack_rule none"},
      {1, "Linux __tcp_ack_snd_check(): ... and __tcp_select_window() >= "
          "rcv_wnd; else the ACK waits for a read (tcp_cleanup_rbuf()) or "
          "the timer"}}},
    {"ack_pushed",
     {{0, "assumed, no public source: NT's pushed-segment handling is not "
          "documented"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_input.c: PSH does not change when an ACK goes"},
      {1, "Linux tcp_measure_rcv_mss(): a full segment with PSH, or a short "
          "one, sets ICSK_ACK_PUSHED; tcp_cleanup_rbuf(): a read that "
          "empties the queue then ACKs at once; crosscheck: the kernel's "
          "single-segment ACKs right after a PSH segment"}}},
    {"rcv_grow_quickack",
     {{0, "assumed, no public source: no such coupling is documented for NT"},
      SAME,
      {0, "4.4BSD-Lite2 has no quick-ACK mode"},
      {1, "Linux tcp_grow_window(): each arrival that raises rcv_ssthresh "
          "(by 2 x advmss, up to the free space) sets icsk_ack.quick |= 1; "
          "the threshold starts under window_clamp, the full space at the "
          "default payload share less a segment (tcp_init_buffer_space()), "
          "until the first segment over 536 bytes measures the share and "
          "raises it to the window offered (tcp_measure_rcv_mss(), "
          "tcp_set_window_clamp()); measured by crosscheck: 20 to 22 "
          "segments ACKed at once at MSS 1460, as this predicts, and the "
          "kernel's rcv_ssthresh (tcp_info) 64088 after a 300-byte request, "
          "64512 at a client's first segment"}}},
    {"quickack",
     {{0, "assumed: no quick-ACK mode is documented for NT"},
      SAME,
      {0, "4.4BSD-Lite2 has no quick-ACK mode"},
      {16, "Linux TCP_MAX_QUICKACKS 16 (tcp_incr_quickack(): "
           "min(rcv_wnd / 2 rcv_mss, 16) at the first data)"}}},
    {"cwnd_restart",
     {{0, "assumed: no congestion window validation is documented for NT "
          "3.51 (it predates RFC 2861)"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_output() resets snd_cwnd to one segment when "
          "t_idle, the time since the last segment received, reaches "
          "t_rxtcur - a different rule, which a peer's request always "
          "resets in these conversations: not modelled (assumed off)"},
      {1, "Linux tcp_slow_start_after_idle_check(): "
          "net.ipv4.tcp_slow_start_after_idle = 1; a write with nothing in "
          "flight more than the RTO after the last data sent calls "
          "tcp_cwnd_restart(): the window halved per RTO idle, not below "
          "the initial window (RFC 2861); crosscheck: a keep-alive "
          "connection's second response starts from ten segments"}}},
    {"quickack_idle",
     {{0, "assumed: no quick-ACK mode is documented for NT"},
      SAME,
      {0, "4.4BSD-Lite2 has no quick-ACK mode"},
      {1, "Linux tcp_event_data_recv(): data after a gap longer than the "
          "RTO calls tcp_incr_quickack(sk, TCP_MAX_QUICKACKS) (\"too long "
          "gap\"); crosscheck: the kernel ACKs each segment of a keep-alive "
          "connection's second response"}}},
    {"pingpong_thresh",
     {{0, "assumed: no interactive mode is documented for NT"},
      SAME,
      {0, "4.4BSD-Lite2 has no quick-ACK mode to leave"},
      {1, "Linux tcp_event_data_sent(): data sent within the ATO of the "
          "last arrival counts (inet_csk_inc_pingpong_cnt()); at "
          "net.ipv4.tcp_pingpong_thresh (1 on the kernels measured, 6.1 "
          "and 6.18) quick ACKs stop (tcp_in_quickack_mode()) and a delayed "
          "ACK that fires ends it (tcp_delack_timer_handler()); crosscheck: "
          "the kernel carries the ACK of a keep-alive connection's second "
          "request on the response"}}},
    {"ack_cancels_delack",
     {{1, "assumed: an ACK on any segment satisfies the pending one "
          "(RFC 1122 §4.2.3.2); the article's bug is specific to the "
          "ACK of the FIN"},
      SAME,
      {1, BSD_OUTPUT_CLEARS},
      {1, LINUX_ACK_SENT}}},
    {"fin_ack_cancels_delack",
     {{0, KB_BUG}, SAME, {1, BSD_OUTPUT_CLEARS}, {1, LINUX_ACK_SENT}}},
    {"fin_ack_now",
     {{1, "RFC 9293 §3.10.7.4 eighth: a FIN is acknowledged; assumed at "
          "once, as the article's traces show for the client"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_input.c: a FIN sets TF_ACKNOW in every state"},
      {0, "Linux tcp_fin(): ESTABLISHED -> CLOSE_WAIT only schedules the "
          "ACK (inet_csk_schedule_ack()) and enters pingpong mode; "
          "FIN-WAIT-1/2 call tcp_send_ack() at once"}}},
    {"fin_ack_final",
     {{0, KB_BUG},
      {1, "KB Q152474's fix: TCPIP.SYS changed 'to not send an "
          "acknowledgment if an acknowledgment was already sent for a "
          "FIN packet'"},
      {0, "4.4BSD-Lite2: tcp_output()'s window-update test has no "
          "state guard and PRU_RCVD (tcp_usrreq.c) calls tcp_output(), "
          "so reads after the FIN send window updates"},
      {1, "Linux tcp_fin(): FIN-WAIT-2 goes to tcp_time_wait() at once "
          "(the socket keeps no timers); tcp_cleanup_rbuf() sends no "
          "window update after RCV_SHUTDOWN"}}},
    {"rfc1337",
     {{0, "KB Q152474: a RST in TIME-WAIT reaches the application "
          "(RFC 1337, 1992, only recommends ignoring it)"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_input.c: RST in TIME_WAIT -> tcp_close()"},
      {0, "Linux sysctl net.ipv4.tcp_rfc1337 = 0 "
          "(tcp_timewait_state_process() kills the mini-socket)"}}},
    {"rfc5961",
     {{0, "assumed RFC 793 §3.9 (RFC 5961 dates from 2010): any "
          "in-window RST resets, a SYN in the window resets"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_input.c: any RST in the window is acted "
          "on; a SYN in the window -> tcp_drop(ECONNRESET) and a RST"},
      {1, "Linux tcp_validate_incoming(): RST only at exactly rcv_nxt, "
          "else and for a SYN tcp_send_challenge_ack() (since 3.6)"}}},
    {"rst_timewait_notifies",
     {{1, "KB Q152474: the RST after the ACK of the FIN makes recv() "
          "fail with WSAECONNRESET"},
      SAME,
      {0, BSD_RST_SWITCH},
      {0, "Linux tcp_time_wait(): the application's socket is "
          "detached from the TIME-WAIT mini-socket a RST kills"}}},
    {"rst_closing_notifies",
     {{1, "assumed as for TIME-WAIT: the article shows Winsock "
          "reporting a reset after the FIN exchange"},
      SAME,
      {0, BSD_RST_SWITCH},
      {1, "Linux tcp_reset(): sk_err = ECONNRESET in every state but "
          "SYN-SENT, CLOSE-WAIT and CLOSE"}}},
    {"rst_close_wait_epipe",
     {{0, "Winsock has no EPIPE: a reset is WSAECONNRESET"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_input.c: so_error = ECONNRESET in "
          "ESTABLISHED to CLOSE_WAIT"},
      {1, "Linux tcp_reset(): CLOSE-WAIT -> sk_err = EPIPE"}}},
    {"rst_discards_unread",
     {{1, "KB Q152474: the client 'fails to receive data': recv() "
          "returns WSAECONNRESET and the unread data is lost"},
      SAME,
      {0, "4.4BSD-Lite2 uipc_socket.c soreceive(): buffered data "
          "before so_error"},
      {0, "Linux tcp_recvmsg(): queued data before sk_err"}}},
    {"recv_eof_first",
     {{0, "KB Q152474: the client in TIME-WAIT, the FIN received, still "
          "gets WSAECONNRESET from recv()"},
      SAME,
      {0, "4.4BSD-Lite2 uipc_socket.c soreceive(): so_error is tested "
          "before SS_CANTRCVMORE"},
      {1, "Linux tcp_recvmsg_locked(): with nothing copied, SOCK_DONE "
          "(set by tcp_fin()) ends the read before sk_err is looked at"}}},
    {"close_unread_rst",
     {{1, "assumed, no public source for NT 3.51: as RFC 2525 2.17 "
          "recommends and Linux does"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_usrreq.c tcp_disconnect(): sbflush() of the "
          "receive buffer, then tcp_usrclosed() and a FIN"},
      {1, "Linux __tcp_close(): data_was_unread -> "
          "tcp_send_active_reset() (RFC 2525 2.17)"}}},
    {"rst_abort_ack",
     {{0, "assumed, no public source for NT 3.51: RFC 793's ABORT, "
          "<SEQ=SND.NXT><CTL=RST> (RFC 9293 3.10.4)"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_subr.c tcp_drop(): tcp_output() in CLOSED, "
          "whose flags are tcp_fsm.h tcp_outflags[TCPS_CLOSED] = "
          "TH_RST|TH_ACK"},
      {1, "Linux tcp_send_active_reset(): TCPHDR_ACK | TCPHDR_RST at "
          "tcp_acceptable_seq()"}}},
    {"rst_data_after_close",
     {{1, "assumed, no public source for NT 3.51: as 4.4BSD and Linux"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_input.c: new data after the user process is "
          "gone (SS_NOFDREF, t_state > CLOSE_WAIT) -> tcp_close(), "
          "dropwithreset"},
      {1, "Linux tcp_rcv_state_process(): FIN-WAIT-1/2 with RCV_SHUTDOWN "
          "and new data -> tcp_reset(), and the caller sends a RST"}}},
    {"winupdate",
     {{TCP_WINUPDATE_BSD,
       "assumed, no public source: NT's TCP is BSD-derived in its "
       "window handling (the article does not say)"},
      SAME,
      {TCP_WINUPDATE_BSD,
       "4.4BSD-Lite2 tcp_output(): adv >= 2 x t_maxseg or 2 x adv >= "
       "so_rcv.sb_hiwat"},
      {TCP_WINUPDATE_LINUX,
       "Linux tcp_cleanup_rbuf(): 2 x the window offered <= window_clamp "
       "and the new window >= twice it"}}},
    {"winupdate_after_fin",
     {{0, "assumed, no public source: the article names only the "
          "delayed ACK"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_output(): the window-update test (adv >= 2 "
          "x t_maxseg or half the buffer) has no state guard"},
      {0, "Linux tcp_cleanup_rbuf(): no window update once "
          "RCV_SHUTDOWN (the FIN) is set"}}},
    {"nagle",
     {{1, "RFC 1122 §4.2.3.4 (MUST); TCP_NODELAY off by default"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_output(): idle or TF_NODELAY"},
      {1, "Linux tcp_nagle_check(); TCP_NODELAY off by default"}}},
    {"nagle_minshall",
     {{0, "assumed, no public source: RFC 896 as RFC 1122 §4.2.3.4 states "
          "it (no small segment while data is unacknowledged)"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_output(): a small segment goes only when idle "
          "(snd_una == snd_max)"},
      {1, "Linux tcp_nagle_check() with tcp_minshall_check(): a small "
          "segment waits only while an earlier small one (snd_sml) is "
          "unacknowledged"}}},
    {"mss",
     {{1460, "Ethernet: MTU 1500 - 40 (RFC 879)"},
      SAME,
      {1460, "4.4BSD-Lite2 tcp_mss(): interface MTU - 40"},
      {1460, "Linux tcp_mtu_to_mss(): MTU 1500 - 40 without options"}}},
    {"timestamps",
     {{0, "assumed: RFC 1323's options came to Windows with Windows 2000 "
          "(Tcp1323Opts); NT 3.51 sends none"},
      SAME,
      {0, "off here: 4.4BSD-Lite2 tcp_newtcpcb() requests timestamps "
          "(tcp_do_rfc1323 = 1), but this profile's rules are modelled "
          "without them (docs/profiles.md)"},
      {1, "Linux sysctl net.ipv4.tcp_timestamps = 1: tcp_syn_options() and "
          "tcp_established_options() put TS val/ecr on every segment; "
          "tcp_current_mss() takes the option's 12 bytes from the payload"}}},
    {"sack_permitted",
     {{0, "assumed: SACK (RFC 2018, 1996) came to Windows with Windows 98 "
          "and 2000; NT 3.51 has none"},
      SAME,
      {0, "4.4BSD-Lite2 has no SACK (RFC 2018 came in 1996)"},
      {1, "Linux sysctl net.ipv4.tcp_sack = 1: sackOK in the SYN "
          "(tcp_syn_options()), blocks in the ACKs of out-of-order data "
          "(tcp_established_options())"}}},
    {"window_scaling",
     {{0, "assumed: RFC 1323's options came to Windows with Windows 2000 "
          "(Tcp1323Opts); NT 3.51 sends none"},
      SAME,
      {0, "off here: 4.4BSD-Lite2 tcp_newtcpcb() requests scaling "
          "(tcp_do_rfc1323 = 1), but this profile's rules are modelled "
          "without it (docs/profiles.md)"},
      {1, "Linux sysctl net.ipv4.tcp_window_scaling = 1"}}},
    {"wscale",
     {{0, "not used: window_scaling off"},
      SAME,
      {0, "not used: window_scaling off"},
      {10, "Linux tcp_select_initial_window(): ilog2(max(tcp_rmem[2], "
           "rmem_max)) - 15 = 10 with the tcp_rmem[2] of 33554432 measured "
           "on Linux 6.18 (7 where it is 6291456)"}}},
    {"init_cwnd",
     {{2, "assumed, no public source for NT 3.51 (1995), which predates "
          "RFC 2001 (1997; §2: one segment) and RFC 2581 (1999; §3.1: at "
          "most two); two is this study's assumption"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_input.c tcp_mss(): snd_cwnd = mss"},
      {10, "Linux TCP_INIT_CWND 10 (RFC 6928)"}}},
    {"rcv_buf",
     {{8760, "NT rounds its 8 KB default window up to 6 full Ethernet "
             "segments (Microsoft's NT TCP/IP implementation notes)"},
      SAME,
      {8192, "4.4BSD-Lite2 tcp_usrreq.c tcp_recvspace 1024*8"},
      {81920, "Linux tcp_space(): tcp_rmem[1] 131072 x the payload share "
              "of its memory (scaling_ratio, about 0.62 for 1460-byte "
              "segments); measured by crosscheck: Linux offers 65535 until "
              "about 16 KB are unread, then about 81 900 less the unread "
              "bytes"}}},
    {"snd_buf",
     {{8192, "Winsock SO_SNDBUF default 8 KB"},
      SAME,
      {8192, "4.4BSD-Lite2 tcp_usrreq.c tcp_sendspace 1024*8"},
      {46080, "Linux tcp_init_buffer_space() -> tcp_sndbuf_expand(): "
              "2 x 10 x 2304 bytes of memory (measured: SO_SNDBUF 46080 at "
              "the first write)"}}},
    {"rcv_wnd_mss",
     {{0, "assumed: RFC 1122 §4.2.3.3 receiver SWS avoidance"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_output.c: receiver SWS avoidance by 2 segments "
          "or half the buffer"},
      {1, "Linux __tcp_select_window() without window scaling: the window "
          "offered last unless the free space is not within one segment of "
          "it, then the free space rounded down to whole segments; "
          "tcp_select_window() never offers less than is left (measured: "
          "64240, 62780, 58400, 54020 - all multiples of 1460); the SYN's "
          "window too (tcp_select_initial_window(): 64240, "
          "linux-syn-window.pkt against the kernel); free space under half "
          "the full space ends quick-ACK mode, under a sixteenth offers "
          "none, and rcv_ssthresh caps it"}}},
    {"psh_chunks",
     {{0, "assumed: PSH on the last segment of what the application "
          "queued (RFC 9293 §3.9.1)"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_output.c: TH_PUSH when the segment empties the "
          "send buffer"},
      {1, "Linux tso_fragment() sends tcp_min_tso_segs (2) segments of an "
          "skb at a time and tcp_gso_segment() puts its PSH on the last: "
          "crosscheck's captures show PSH on every second segment of a "
          "burst and on its last, and none on a segment sent alone as "
          "cwnd opened by one"}}},
    {"tso_defer",
     {{0, "assumed: NT 3.51 has no segmentation offload"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_output.c: a segment at a time, as the window "
          "allows"},
      {1, "Linux tcp_write_xmit(): chunks of min(tcp_cwnd_test(), "
          "tcp_tso_autosize()) segments - the pacing rate, 2 x cwnd x mss / "
          "srtt in slow start, over 1024, at least 2 - and "
          "tcp_tso_should_defer() waits for a larger one when the last "
          "write was under 1 ms ago, less than a third of the window is "
          "free and the oldest unacknowledged skb is older than srtt / 2; "
          "crosscheck at 100 Mb/s: PSH every 3-4 segments"}}},
    {"rcv_buf_grows",
     {{0, "assumed: Winsock's SO_RCVBUF is a fixed byte count"},
      SAME,
      {0, "4.4BSD-Lite2 sbspace(): sb_hiwat fixed by soreserve()"},
      {1, "Linux tcp_rcv_space_adjust() (dynamic right-sizing): at a read "
          "a receive round trip after the last measure, bytes read in it "
          "beyond the last measure (less what is still queued) raise the "
          "space (and window_clamp) to 2 x copied, grown again in "
          "proportion (tcp_rcvbuf_grow(), Linux 6.18); the round trip from "
          "tcp_rcv_rtt_measure(): the time a window's worth of data takes "
          "to arrive, and with timestamps tcp_rcv_rtt_measure_ts(): the age "
          "of the TS val a full segment echoes, in whole ms (an echo a "
          "pure ACK carried gives none: rcv_rtt_last_tsecr); the first "
          "measure from the connection's establishment "
          "(tcp_init_buffer_space()); crosscheck: quick ACKs go on through "
          "a second response after the first measure, and tcp_info's "
          "rcv_rtt stays 0 through a first flight that echoes what the "
          "server's ACK of the request echoed"}}},
    {"snd_buf_grows",
     {{0, "assumed: Winsock's SO_SNDBUF is a fixed byte count"},
      SAME,
      {0, "4.4BSD-Lite2 sbspace(): a fixed byte count"},
      {1, "Linux tcp_sendmsg_locked(): a new skb only while sk_wmem_queued "
          "(payload + 832 a skb) < sk_sndbuf, the first write taking half "
          "the peer's window plus the initial window (measured: 46720 of "
          "60000); tcp_new_space(): grows to 2 x max(10, cwnd) x "
          "snd_buf_seg unless cwnd is full, wakes the writer when free >= "
          "queued / 2 (sk_stream_write_space()); crosscheck: the FIN alone "
          "after a response of 46.7-50 KB"}}},
    {"snd_buf_seg",
     {{2304, UNUSED_SNDBUF},
      SAME,
      {2304, UNUSED_SNDBUF},
      {2304, "Linux tcp_sndbuf_expand() per_mss: roundup_pow_of_two(mss + "
             "MAX_TCP_HEADER + skb_shared_info) + sk_buff, 2048 + 256 at MSS "
             "1460 (measured: SO_SNDBUF 46080 = 2 x 10 x 2304, later "
             "101376 = 2 x 22 x 2304)"}}},
    {"rto_initial",
     {{3 * TCP_S, "RFC 1122 §4.2.3.1: 3 s before a sample"},
      SAME,
      {6 * TCP_S,
       "4.4BSD-Lite2 tcp_subr.c tcp_newtcpcb(): ((TCPTV_SRTTBASE >> 2) "
       "+ (TCPTV_SRTTDFLT << 2)) >> 1 = 6 s"},
      {1 * TCP_S, "Linux TCP_TIMEOUT_INIT 1 s (RFC 6298 §2.1)"}}},
    {"rto_min",
     {{500 * TCP_MS, "assumed: NT's lower bound is not documented"},
      SAME,
      {1 * TCP_S, "4.4BSD-Lite2 tcp_timer.h TCPTV_MIN: 2 slow ticks"},
      {200 * TCP_MS, "Linux TCP_RTO_MIN"}}},
    {"tlp",
     {{0, "NT 3.51 predates tail loss probes (RFC 8985, 2021; Linux 3.10, "
          "2013)"},
      SAME,
      {0, "4.4BSD-Lite2 predates tail loss probes"},
      {1, "Linux tcp_schedule_loss_probe() with net.ipv4.tcp_early_retrans "
          "3 (the default): with SACK, in the Open state, data out: the "
          "timer at 2 x srtt + TCP_TIMEOUT_MIN (2 ms), + tcp_rto_min with "
          "one packet out, at most the RTO; tcp_send_loss_probe(): new "
          "data if the window takes it, else the last segment; one "
          "outstanding (tlp_high_seq); tcp_process_tlp_ack(): an ACK "
          "beyond it without a D-SACK reduces cwnd (cubic's 717/1024); "
          "crosscheck: the kernel's server sent its last segment again "
          "11.6 ms after it while a reader held its ACK"}}},
    {"rto_var_min",
     {{0, "assumed: RFC 1122 §4.2.3.1's RTO with a lower bound"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_input.c tcp_xmit_timer(): TCPT_RANGESET("
          "t_rxtcur, TCP_REXMTVAL(tp), t_rttmin, TCPTV_REXMTMAX): the bound "
          "is on the RTO"},
      {1, "Linux tcp_rtt_estimator(): rttvar_us never below "
          "tcp_rto_min_us, and tcp_set_rto(): rto = srtt + rttvar - the "
          "200 ms add to the smoothed RTT; crosscheck: a keep-alive "
          "server's window after 372 ms idle at a 58 ms RTT is halved once "
          "(RTO 258 ms), not twice"}}},
    {"rtt_per_ack",
     {{0, "assumed: one segment timed a round trip, as RFC 1122 "
          "§4.2.3.1's BSD-derived stacks did"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_output.c/tcp_input.c: t_rtt times one segment "
          "(t_rtseq) at a time, tcp_xmit_timer() on its ACK"},
      {1, "Linux tcp_clean_rtx_queue(): every ACK that newly acknowledges "
          "data samples the time since the oldest such skb was sent "
          "(first_ackt; none when one was sent again, FLAG_RETRANS_DATA_"
          "ACKED), tcp_ack_update_rtt() -> tcp_rtt_estimator(); with a "
          "queue at a 10 Mb/s link the smoothed RTT reached 15 ms where "
          "one timed segment a round trip gave 4 (tcp_probe srtt); "
          "crosscheck: a keep-alive server's window after 405 ms idle is "
          "halved once (RTO 215 ms), not twice"}}},
    {"cubic_start",
     {{0, "NT 3.51 predates cubic (2008): RFC 5681 congestion avoidance "
          "assumed"},
      SAME,
      {0, "4.4BSD-Lite2 tcp_input.c: snd_cwnd += incr * incr / snd_cwnd "
          "an ACK"},
      {1, "Linux tcp_cubic.c bictcp_update(): until a loss sets "
          "last_max_cwnd the increment is capped at cnt 20 (\"5% per "
          "RTT\"), and tcp_cong_avoid_ai() counts the segments acked - a "
          "segment per 20; a timeout resets it (bictcp_reset()); after a "
          "fast retransmit the model keeps RFC 5681's; tcp_info: cwnd 25 "
          "to 26 in the 24 ACKs after HyStart, as this gives"}}},
    {"hystart",
     {{0, "NT 3.51 predates HyStart (2008)"},
      SAME,
      {0, "4.4BSD-Lite2 predates HyStart"},
      {1, "Linux tcp_cubic.c hystart 1, hystart_detect 3: "
          "hystart_update() ends slow start (ssthresh = cwnd) from 16 "
          "segments when a round's ACK train outlasts (delay_min + "
          "hystart_ack_delay()) / 2 or its first 8 delay samples exceed "
          "delay_min + clamp(delay_min / 8, 4 ms, 16 ms); tcp_probe: "
          "ssthresh 22 at cwnd 22, 19 ms into a 10 Mb/s response"}}},
    {"rto_max",
     {{240 * TCP_S, "assumed: no public source"},
      SAME,
      {64 * TCP_S, "4.4BSD-Lite2 tcp_timer.h TCPTV_REXMTMAX"},
      {120 * TCP_S, "Linux TCP_RTO_MAX"}}},
    {"rcv_wnd_bsd",
     {{0, "assumed: RFC 1122 §4.2.3.3 receiver SWS avoidance (the right "
          "edge moves by min(buffer/2, MSS) at least)"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_output.c tcp_output(): win = sbspace(), 0 "
          "when below sb_hiwat/4 and t_maxseg, never less than rcv_adv - "
          "rcv_nxt"},
      {0, "not used: rcv_wnd_mss (Linux's __tcp_select_window()) decides"}}},
    {"ss_incr_mss",
     {{0, "assumed, no public source: byte counting, at most one segment "
          "per ACK (RFC 5681 §3.1)"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_input.c: every ACK of something new opens "
          "snd_cwnd by t_maxseg in slow start (incr = t_maxseg), the "
          "passive side's ACK of its SYN included (SYN-RECEIVED falls "
          "into the ESTABLISHED ACK processing): its first flight is two "
          "segments"},
      {0, "Linux tcp_slow_start() grows cwnd by the segments newly acked: "
          "ss_acked_segs"}}},
    {"ss_acked_segs",
     {{0, "assumed, no public source: RFC 5681 §3.1's byte counting"},
      SAME,
      {0, "4.4BSD-Lite2: a whole MSS per ACK (ss_incr_mss)"},
      {1, "Linux tcp_slow_start(): cwnd = min(cwnd + acked, ssthresh), "
          "acked the packets the ACK newly acknowledges (an ACK of two "
          "segments opens two); crosscheck: the kernel's tcp_probe showed "
          "the server's cwnd 36 after a 26-segment response, the "
          "byte-counting model's 34, and its second response after idle "
          "starts with 18 segments (36 halved)"}}},
    {"persist_min",
     {{0, "assumed, no public source: the persist timer starts at the "
          "RTO"},
      SAME,
      {5 * TCP_S, "4.4BSD-Lite2 tcp_output.c tcp_setpersist(): "
                  "TCPT_RANGESET(..., TCPTV_PERSMIN) with TCPTV_PERSMIN 5 s "
                  "(tcp_timer.h)"},
      {0, "Linux tcp_probe0_base(): the RTO, at least TCP_RTO_MIN (the "
          "rto_min floor applies already)"}}},
    {"persist_max",
     {{240 * TCP_S, "assumed: as rto_max"},
      SAME,
      {60 * TCP_S, "4.4BSD-Lite2 tcp_timer.h TCPTV_PERSMAX 60 s"},
      {120 * TCP_S, "Linux tcp_probe0_when(): clamped to TCP_RTO_MAX"}}},
    {"probe_data",
     {{0, "assumed, no public source for NT 3.51: an empty probe"},
      SAME,
      {1, "4.4BSD-Lite2 tcp_output.c: with t_force set by tcp_timers.c's "
          "TCPT_PERSIST and a zero window, win = 1 and one byte goes; "
          "snd_nxt stays, snd_max covers it"},
      {0, "Linux tcp_xmit_probe_skb(): no data, sequence snd_una - 1"}}},
    {"max_retries",
     {{5, "TcpMaxDataRetransmissions default 5 (Microsoft's NT "
          "documentation)"},
      SAME,
      {12, "4.4BSD-Lite2 tcp_timer.h TCP_MAXRXTSHIFT"},
      {15, "Linux sysctl net.ipv4.tcp_retries2 = 15"}}},
    {"syn_retries",
     {{3, "TcpMaxConnectRetransmissions default 3 (documented for NT "
          "4.0; assumed for 3.51)"},
      SAME,
      {6, "approximation: 4.4BSD-Lite2 gives up at TCPTV_KEEP_INIT (75 s), "
          "not after a count"},
      {6, "Linux sysctl net.ipv4.tcp_syn_retries = 6"}}},
    {"msl",
     {{120 * TCP_S, "TcpTimedWaitDelay default 240 s = 2 MSL (Microsoft's NT "
                    "documentation)"},
      SAME,
      {30 * TCP_S, "4.4BSD-Lite2 tcp_timer.h TCPTV_MSL 30 s"},
      {30 * TCP_S, "Linux TCP_TIMEWAIT_LEN 60 s = 2 x 30 s"}}},
    {"ttl",
     {{32, "DefaultTTL 32 in NT 3.5x (Microsoft's NT TCP/IP registry "
           "documentation)"},
      SAME,
      {64, "4.4BSD-Lite2 ip.h IPDEFTTL 64 (used by ip_input.c)"},
      {64, "Linux sysctl net.ipv4.ip_default_ttl = 64"}}},
};
#define NROWS (sizeof table / sizeof table[0])

static int preset_index(const char *name) {
  for (int i = 0; i < NPRESETS; i++)
    if (strcmp(presets[i], name) == 0)
      return i;
  return -1;
}

/* The cell of preset i for row r, following nt351-sp's SAME to nt351. */
static const preset_cell *cell(size_t r, int i) {
  const preset_cell *c = &table[r].v[i];
  return c->source ? c : &table[r].v[0];
}

int tcp_profile_source(const char *preset, const char *knob, uint64_t *value,
                       const char **source) {
  int i = preset_index(preset);
  if (i < 0)
    return TCP_ERR_UNKNOWN_PROFILE;
  for (size_t r = 0; r < NROWS; r++)
    if (strcmp(table[r].knob, knob) == 0) {
      const preset_cell *c = cell(r, i);
      if (value)
        *value = c->value;
      if (source)
        *source = c->source;
      return TCP_OK;
    }
  return TCP_ERR_UNKNOWN_KNOB;
}

/* Preset i, built once from the table (every value passes the knob ranges,
 * which the profile tests check). */
static const tcp_profile *built(int i) {
  static tcp_profile cache[NPRESETS];
  static bool done[NPRESETS];
  if (!done[i]) {
    tcp_profile p = {0};
    for (size_t r = 0; r < NROWS; r++) {
      int rv = tcp_profile_set(&p, table[r].knob, cell(r, i)->value);
      (void)rv;
      assert(rv == 0 && "profile.c built: a preset value is invalid");
    }
    snprintf(p.name, sizeof p.name, "%s", presets[i]);
    cache[i] = p;
    done[i] = true;
  }
  return &cache[i];
}

int tcp_profile_preset(tcp_profile *p, const char *name) {
  char base[sizeof p->name - 9]; /* room for "+rfc1337" */
  const char *plus = strchr(name, '+');
  size_t n = plus ? (size_t)(plus - name) : strlen(name);
  if (n >= sizeof base)
    return TCP_ERR_UNKNOWN_PROFILE;
  memcpy(base, name, n);
  base[n] = 0;
  bool rfc1337 = false;
  while (plus) {
    const char *mod = plus + 1;
    plus = strchr(mod, '+');
    size_t m = plus ? (size_t)(plus - mod) : strlen(mod);
    if (m == 7 && strncmp(mod, "rfc1337", 7) == 0 && !rfc1337)
      rfc1337 = true; /* once: "+rfc1337+rfc1337" is no profile */
    else
      return TCP_ERR_UNKNOWN_PROFILE;
  }
  int i = preset_index(base);
  if (i < 0)
    return TCP_ERR_UNKNOWN_PROFILE;
  tcp_profile tmp = *built(i);
  if (rfc1337) {
    tmp.rfc1337 = true;
    memcpy(tmp.name + n, "+rfc1337", 9);
  }
  *p = tmp;
  return TCP_OK;
}

/* ---------------------------------------------------------------------------
 * The knob table
 */

typedef struct knob {
  tcp_knob_info info;
  size_t off;  /* offset of the field in tcp_profile */
  size_t size; /* its size, bytes */
} knob;

static const char *const delack_modes[] = {"off", "oneshot", "tick", NULL};
static const char *const ack_rules[] = {"none", "segments", "bytes", NULL};
static const char *const winupdate_rules[] = {"bsd", "linux", NULL};

#define K(name, kind, min, max, help)                                          \
  {                                                                            \
    {#name, kind, min, max, help, NULL}, offsetof(tcp_profile, name),          \
        sizeof(((tcp_profile *)0)->name)                                       \
  }
#define KN(knob_name, field, kind, min, max, help)                             \
  {                                                                            \
    {knob_name, kind, min, max, help, NULL}, offsetof(tcp_profile, field),     \
        sizeof(((tcp_profile *)0)->field)                                      \
  }
#define KW(name, words, help)                                                  \
  {                                                                            \
    {#name, TCP_KNOB_WORD, 0, sizeof words / sizeof *words - 2, help, words},  \
        offsetof(tcp_profile, name), sizeof(((tcp_profile *)0)->name)          \
  }

static const knob knobs[] = {
    KW(delack_mode, delack_modes,
       "off, oneshot (timer from the arrival) or tick (host-wide grid)"),
    KN("delack", delack_ns, TCP_KNOB_TIME, 0, 10 * TCP_S,
       "delayed-ACK timeout (tick: whole ticks x tick; linux: ATO minimum)"),
    KN("delack_max", delack_max_ns, TCP_KNOB_TIME, 0, 10 * TCP_S,
       "adaptive ATO ceiling, 0 = fixed timeout"),
    KN("delack_tick", delack_tick_ns, TCP_KNOB_TIME, 1, 10 * TCP_S,
       "tick mode: tick period; one-shot with delack_max: the jiffy an "
       "ATO of 0 waits"),
    KN("delack_phase", delack_phase_ns, TCP_KNOB_TIME, 0, 10 * TCP_S,
       "tick mode, delack_wheel: offset of the tick grid from time 0"),
    K(delack_wheel, TCP_KNOB_BOOL, 0, 1,
      "one-shot: the timer fires at the tick after its expiry, on the "
      "delack_tick grid; the timestamps' ms on it too (Linux)"),
    K(delack_finwait, TCP_KNOB_BOOL, 0, 1,
      "delay ACKs in FIN-WAIT-1/2 too (else in ESTABLISHED only)"),
    KW(ack_rule, ack_rules,
       "immediate ACK: none, segments (every N full) or bytes (> (N-1) MSS)"),
    K(ack_every, TCP_KNOB_COUNT, 1, 1000, "the N of ack_rule"),
    K(rcv_grow_quickack, TCP_KNOB_BOOL, 0, 1,
      "quick-ACK mode holds while the window's threshold grows (Linux)"),
    K(ack_pushed, TCP_KNOB_BOOL, 0, 1,
      "a read that empties the queue ACKs a pushed segment at once (Linux)"),
    K(ack_window_holds, TCP_KNOB_BOOL, 0, 1,
      "bytes rule: ACK at once only if the window offered would not "
      "shrink (Linux)"),
    K(quickack, TCP_KNOB_COUNT, 0, 1000000,
      "first N data segments are ACKed at once"),
    K(cwnd_restart, TCP_KNOB_BOOL, 0, 1,
      "a write after an idle RTO restarts from the initial window (Linux)"),
    K(quickack_idle, TCP_KNOB_BOOL, 0, 1,
      "data after a gap longer than the RTO restarts quick ACKs (Linux)"),
    K(pingpong_thresh, TCP_KNOB_COUNT, 0, 255,
      "replies within the ATO that end quick ACKs until a delayed ACK "
      "fires (Linux); 0: never"),
    K(ack_cancels_delack, TCP_KNOB_BOOL, 0, 1,
      "any ACK sent clears a pending delayed ACK"),
    K(fin_ack_cancels_delack, TCP_KNOB_BOOL, 0, 1,
      "the ACK of the peer's FIN clears it (false: KB Q152474 bug)"),
    K(fin_ack_now, TCP_KNOB_BOOL, 0, 1,
      "ACK a FIN ending ESTABLISHED at once (false: delayed, Linux)"),
    K(fin_ack_final, TCP_KNOB_BOOL, 0, 1,
      "after the ACK of the FIN no ACK of our own accord (the KB fix)"),
    K(rfc1337, TCP_KNOB_BOOL, 0, 1, "ignore RST in TIME-WAIT (RFC 1337)"),
    K(rfc5961, TCP_KNOB_BOOL, 0, 1,
      "RST only at RCV.NXT, challenge ACKs (false: RFC 793)"),
    K(rst_timewait_notifies, TCP_KNOB_BOOL, 0, 1,
      "a RST in TIME-WAIT reaches the application"),
    K(rst_closing_notifies, TCP_KNOB_BOOL, 0, 1,
      "a RST in CLOSING or LAST-ACK reaches the application"),
    K(rst_close_wait_epipe, TCP_KNOB_BOOL, 0, 1,
      "a RST in CLOSE-WAIT reads as EPIPE, not a reset (Linux)"),
    K(rst_discards_unread, TCP_KNOB_BOOL, 0, 1,
      "a reset discards unread data at once (Winsock)"),
    K(recv_eof_first, TCP_KNOB_BOOL, 0, 1,
      "after the peer's FIN, a reset reads as end of stream (Linux)"),
    K(close_unread_rst, TCP_KNOB_BOOL, 0, 1,
      "close() with unread data sends a RST; else flush and FIN (4.4BSD)"),
    K(rst_abort_ack, TCP_KNOB_BOOL, 0, 1,
      "an abort or a close with unread data sends RST|ACK of RCV.NXT with "
      "the window (4.4BSD, Linux); else RFC 793's bare RST"),
    K(rst_data_after_close, TCP_KNOB_BOOL, 0, 1,
      "new data after close() is answered with a RST, the connection "
      "closed"),
    KW(winupdate, winupdate_rules,
       "a read sends a window update: bsd (opened by 2 MSS or half the "
       "buffer) or linux (the window was at most half and would double)"),
    K(winupdate_after_fin, TCP_KNOB_BOOL, 0, 1,
      "send window updates after the peer's FIN"),
    K(nagle, TCP_KNOB_BOOL, 0, 1, "Nagle's algorithm (RFC 896)"),
    K(nagle_minshall, TCP_KNOB_BOOL, 0, 1,
      "Nagle holds a small segment only while an earlier small one is "
      "unacknowledged (Minshall; Linux)"),
    K(mss, TCP_KNOB_BYTES, 64, 65495, "MSS announced and used at most"),
    K(timestamps, TCP_KNOB_BOOL, 0, 1,
      "offer TCP timestamps (RFC 7323): on every segment when both do, "
      "12 bytes less payload"),
    K(sack_permitted, TCP_KNOB_BOOL, 0, 1,
      "offer SACK (RFC 2018): blocks in the ACKs of out-of-order data"),
    K(window_scaling, TCP_KNOB_BOOL, 0, 1,
      "offer window scaling (RFC 7323 §2)"),
    K(wscale, TCP_KNOB_COUNT, 0, 14, "the window-scale shift offered"),
    K(init_cwnd, TCP_KNOB_COUNT, 1, 100, "initial congestion window, segments"),
    K(rcv_buf, TCP_KNOB_BYTES, 1, TCP_RCV_BUF_MAX,
      "receive space (the window offered is at most 65535: no scaling)"),
    K(snd_buf, TCP_KNOB_BYTES, 1, UINT32_MAX,
      "send buffer (snd_buf_grows: its first size, bytes of memory)"),
    K(rcv_wnd_mss, TCP_KNOB_BOOL, 0, 1,
      "the window offered in whole segments unless within one of the free "
      "space (Linux)"),
    K(psh_chunks, TCP_KNOB_BOOL, 0, 1,
      "PSH on every second segment of a burst and its last (Linux); else "
      "on the last segment queued"),
    K(tso_defer, TCP_KNOB_BOOL, 0, 1,
      "send in chunks sized and deferred as Linux's TSO/GSO does (with "
      "snd_buf_grows)"),
    K(snd_buf_grows, TCP_KNOB_BOOL, 0, 1,
      "the send buffer counts memory a skb and grows with cwnd (Linux)"),
    K(snd_buf_seg, TCP_KNOB_BYTES, 1, 1u << 20,
      "snd_buf_grows: memory a segment of cwnd adds to the buffer"),
    K(rcv_buf_grows, TCP_KNOB_BOOL, 0, 1,
      "the receive space grows with what the application reads a round "
      "trip (Linux)"),
    KN("rto_initial", rto_initial_ns, TCP_KNOB_TIME, TCP_MS, 600 * TCP_S,
       "RTO before any RTT sample"),
    KN("rto_min", rto_min_ns, TCP_KNOB_TIME, 1, 600 * TCP_S,
       "lower bound of the RTO"),
    KN("rto_max", rto_max_ns, TCP_KNOB_TIME, TCP_MS, 3600 * TCP_S,
       "upper bound of the backed-off RTO"),
    K(tlp, TCP_KNOB_BOOL, 0, 1,
      "tail loss probes: the last segment again after 2 SRTT without an "
      "ACK, before the RTO (Linux, needs SACK)"),
    K(rtt_per_ack, TCP_KNOB_BOOL, 0, 1,
      "an RTT sample from every ACK of new data, from the oldest skb it "
      "acknowledges (Linux; with snd_buf_grows)"),
    K(cubic_start, TCP_KNOB_BOOL, 0, 1,
      "congestion avoidance before any loss: a segment per 20 acked "
      "(Linux cubic, no W_max yet)"),
    K(hystart, TCP_KNOB_BOOL, 0, 1,
      "slow start ends at a long ACK train or a grown round trip (Linux "
      "cubic's HyStart; with snd_buf_grows)"),
    K(rto_var_min, TCP_KNOB_BOOL, 0, 1,
      "rto_min bounds the variance term: RTO = SRTT + max(4 RTTVAR, "
      "rto_min) (Linux)"),
    K(rcv_wnd_bsd, TCP_KNOB_BOOL, 0, 1,
      "the window offered is the free space, 0 below a quarter of the "
      "buffer and an MSS, never shrinking (4.4BSD)"),
    K(ss_incr_mss, TCP_KNOB_BOOL, 0, 1,
      "slow start adds a whole MSS per ACK of anything new, the SYN's too "
      "(4.4BSD)"),
    K(ss_acked_segs, TCP_KNOB_BOOL, 0, 1,
      "slow start adds every segment an ACK newly acknowledges (Linux)"),
    KN("persist_min", persist_min_ns, TCP_KNOB_TIME, 0, 600 * TCP_S,
       "the persist timer's floor (it starts at the RTO)"),
    KN("persist_max", persist_max_ns, TCP_KNOB_TIME, TCP_MS, 3600 * TCP_S,
       "the persist timer's backed-off ceiling"),
    K(probe_data, TCP_KNOB_BOOL, 0, 1,
      "a zero-window probe carries one byte beyond the window (4.4BSD); "
      "else it is empty, at SND.UNA - 1 (Linux)"),
    K(max_retries, TCP_KNOB_COUNT, 0, 100,
      "retransmissions of a segment before a timeout error"),
    K(syn_retries, TCP_KNOB_COUNT, 0, 100,
      "retransmissions of a SYN before a timeout error"),
    KN("msl", msl_ns, TCP_KNOB_TIME, 0, 3600 * TCP_S,
       "maximum segment lifetime; TIME-WAIT lasts 2 MSL"),
    K(ttl, TCP_KNOB_COUNT, 1, 255, "IPv4 TTL of segments sent"),
};
#define NKNOBS (sizeof knobs / sizeof knobs[0])

const tcp_knob_info *tcp_profile_knobs(size_t *n) {
  static tcp_knob_info infos[NKNOBS];
  for (size_t i = 0; i < NKNOBS; i++)
    infos[i] = knobs[i].info;
  *n = NKNOBS;
  return infos;
}

const tcp_knob_info *tcp_profile_knob(const char *name) {
  size_t n;
  const tcp_knob_info *k = tcp_profile_knobs(&n);
  for (size_t i = 0; i < n; i++)
    if (strcmp(k[i].name, name) == 0)
      return &k[i];
  return NULL;
}

static const knob *find_knob(const char *name) {
  for (size_t i = 0; i < NKNOBS; i++)
    if (strcmp(knobs[i].info.name, name) == 0)
      return &knobs[i];
  return NULL;
}

static void store(tcp_profile *p, const knob *k, uint64_t v) {
  char *f = (char *)p + k->off;
  if (k->info.kind == TCP_KNOB_BOOL) {
    *(bool *)f = v != 0;
  } else if (k->info.kind == TCP_KNOB_WORD) {
    *(int *)f = (int)v; /* an enum */
  } else {
    switch (k->size) {
    case 1:
      *(uint8_t *)f = (uint8_t)v;
      break;
    case 2:
      *(uint16_t *)f = (uint16_t)v;
      break;
    case 4:
      *(uint32_t *)f = (uint32_t)v;
      break;
    default:
      *(uint64_t *)f = v;
      break;
    }
  }
}

static uint64_t load(const tcp_profile *p, const knob *k) {
  const char *f = (const char *)p + k->off;
  if (k->info.kind == TCP_KNOB_BOOL)
    return *(const bool *)f;
  if (k->info.kind == TCP_KNOB_WORD)
    return (uint64_t) * (const int *)f;
  switch (k->size) {
  case 1:
    return *(const uint8_t *)f;
  case 2:
    return *(const uint16_t *)f;
  case 4:
    return *(const uint32_t *)f;
  default:
    return *(const uint64_t *)f;
  }
}

int tcp_profile_set(tcp_profile *p, const char *name, uint64_t value) {
  const knob *k = find_knob(name);
  if (!k)
    return TCP_ERR_UNKNOWN_KNOB;
  if (value < k->info.min || value > k->info.max)
    return TCP_ERR_BAD_VALUE;
  store(p, k, value);
  return TCP_OK;
}

int tcp_profile_check(const tcp_profile *p, char *why, size_t cap) {
  /* in tick mode the timeout is a whole number of ticks (NT's
   * TcpDelAckTicks, 4.4BSD's two fast-timeout ticks): anything between
   * would be rounded by the grid in a way no stack did */
  if (p->delack_mode == TCP_DELACK_TICK && p->delack_tick_ns &&
      p->delack_ns % p->delack_tick_ns != 0) {
    if (why && cap)
      snprintf(why, cap,
               "delack (%" PRIu64 " ns) is not a whole number of delack_tick "
               "(%" PRIu64 " ns): in tick mode the timeout is ticks x tick",
               p->delack_ns, p->delack_tick_ns);
    return TCP_ERR_BAD_VALUE;
  }
  if (p->rto_min_ns > p->rto_max_ns) {
    if (why && cap)
      snprintf(why, cap,
               "rto_min (%" PRIu64 " ns) is above rto_max (%" PRIu64
               " ns): expected rto_min <= rto_max",
               p->rto_min_ns, p->rto_max_ns);
    return TCP_ERR_BAD_VALUE;
  }
  return 0;
}

int tcp_profile_get(const tcp_profile *p, const char *name, uint64_t *value) {
  const knob *k = find_knob(name);
  if (!k)
    return TCP_ERR_UNKNOWN_KNOB;
  *value = load(p, k);
  return TCP_OK;
}
