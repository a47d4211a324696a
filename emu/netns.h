/*
 * netns.h - a real Linux kernel at one end of an emulation link: its own
 * network namespace with a TAP (tap0, or the name asked for: the scripts'
 * is tun0, as packetdrill's scripts expect) that has the end's address
 * and MAC,
 * the peer as a permanent neighbour, IPv6 off, and the kernel's TCP pinned
 * to what the model has (no timestamps, SACK or window scaling; no metrics
 * kept between connections). Congestion control is chosen per socket by
 * halfclose-peer (cubic).
 *
 * Names are hc-PID-TAG (another suffix when that name is taken: a
 * namespace that exists is never deleted to make room). Each is recorded
 * with its creator's PID and start time in /run/halfclose-netns before it
 * exists: a run killed with -9 leaves its namespaces behind, and
 * emu_sweep() of a later run removes those whose creator is gone, never a
 * namespace without a record. Every function reports errors as 0/-1 and a
 * message in (err, cap).
 */
#ifndef HALFCLOSE_NETNS_H
#define HALFCLOSE_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct emu_ns {
  char name[48];  /* hc-PID-TAG */
  uint32_t addr;  /* the kernel's IPv4 address */
  uint8_t mac[6]; /* the TAP's MAC */
  char dev[16];   /* the TAP's name */
  int tap_fd;     /* our end of it, or -1 */
  bool created;   /* the namespace exists */
} emu_ns;

/* Root, /dev/net/tun and ip: 0, or -1 with what is missing. */
int emu_check(char *err, size_t cap);

/* Remove the namespaces of runs that are gone. */
void emu_sweep(void);

/* The TCP options a namespace's kernel offers (its sysctls
 * net.ipv4.tcp_timestamps, tcp_sack, tcp_window_scaling): Linux's
 * default is all three. */
#define EMU_OPT_TS     0x1u
#define EMU_OPT_SACK   0x2u
#define EMU_OPT_WSCALE 0x4u
#define EMU_OPT_LINUX  (EMU_OPT_TS | EMU_OPT_SACK | EMU_OPT_WSCALE)

/* Create namespace hc-PID-TAG for a kernel at `addr` (MAC `mac`) whose
 * peer is `peer` at `peer_mac`, with an MTU, its TAP named `dev` (NULL:
 * tap0), offering the options `opts` (EMU_OPT_*); ns->tap_fd is our end. */
int emu_ns_create(emu_ns *ns, const char *tag, const char *dev, uint32_t addr,
                  const uint8_t mac[6], uint32_t peer,
                  const uint8_t peer_mac[6], uint32_t mtu, unsigned opts,
                  char *err, size_t cap);

/* "timestamps, SACK and window scaling on" (or which are off): the
 * settings `opts` stand for, in words. */
const char *emu_opts_text(unsigned opts);

/* Close our end and remove the namespace (its TAP goes with it). */
void emu_ns_delete(emu_ns *ns);

/* Remove every namespace of this process that exists now, from a signal
 * handler: only system calls (unmount and unlink, as `ip netns del`
 * does), nothing that allocates. */
void emu_ns_remove_all_now(void);

/* A handler for the exit signals: emu_ns_remove_all_now(), then exit
 * 128 + sig as the signal would. */
void emu_ns_exit_on_signal(int sig);

/* Install `handler` for every signal that ends a run from outside:
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE, each blocked while it
 * runs. */
void emu_catch_exit_signals(void (*handler)(int));

/* Run argv inside the namespace, its standard output into *out (a pipe);
 * the process dies with ours. 0 or -1. */
int emu_ns_spawn(const emu_ns *ns, char *const argv[], int *out, pid_t *pid);

#endif
