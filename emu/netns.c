/*
 * netns.c - network namespaces for real kernels at the ends of an
 * emulation link: creation with a TAP and pinned TCP settings, our end of
 * the TAP, programs run inside, and removal on every exit path. See
 * netns.h.
 */
#define _GNU_SOURCE
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETNS_DIR "/var/run/netns"

/* The `ip` under way, for emu_ns_exit_on_signal(); 0 if none. */
static volatile pid_t ip_pid;

/* Run `ip` with the given arguments, quietly; 0 if it succeeded. */
static int ip(const char *first, ...) {
  char *argv[32];
  int n = 0;
  argv[n++] = "ip";
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a && n < 31; a = va_arg(ap, const char *))
    argv[n++] = (char *)a;
  va_end(ap);
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
    }
    execvp("ip", argv);
    _exit(127);
  }
  ip_pid = pid;
  int status, rv = 0;
  while ((rv = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
    ;
  ip_pid = 0;
  if (rv < 0)
    return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void mac_text(const uint8_t m[6], char *buf) {
  snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
           m[4], m[5]);
}

static void addr_text(uint32_t a, char *buf, size_t cap) {
  snprintf(buf, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
           a & 255);
}

int emu_check(char *err, size_t cap) {
  if (geteuid() != 0) {
    snprintf(err, cap, "emulation needs root (network namespaces, TAPs)");
    return -1;
  }
  if (access("/dev/net/tun", R_OK | W_OK) != 0) {
    snprintf(err, cap, "emulation needs /dev/net/tun: %s", strerror(errno));
    return -1;
  }
  /* the TUN/TAP clone device is character device 10,200 (the kernel's
   * Documentation/admin-guide/devices.txt); anything else bound there (a
   * container's /dev/null) would fail every conversation later */
  struct stat sb;
  if (stat("/dev/net/tun", &sb) != 0 || !S_ISCHR(sb.st_mode) ||
      major(sb.st_rdev) != 10 || minor(sb.st_rdev) != 200) {
    snprintf(err, cap,
             "emulation needs /dev/net/tun to be the TUN/TAP device "
             "(character device 10,200); it is not");
    return -1;
  }
  if (ip("-V", NULL) != 0) {
    snprintf(err, cap, "emulation needs iproute2's ip");
    return -1;
  }
  return 0;
}

/* Each namespace this program makes is recorded, before it exists, in
 * RECORD_DIR/NAME: the creating process's PID and its start time (field
 * 22 of /proc/PID/stat, so a reused PID is not mistaken for it). The
 * sweep removes only namespaces with a record whose process is gone: a
 * namespace that another program (or another user's halfclose-like
 * name) made is never touched. */
#define RECORD_DIR "/run/halfclose-netns"

/* The start time of process pid in clock ticks since boot, or 0. */
static unsigned long long start_time(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  /* the command name (field 2) may hold spaces: count from its ')' */
  char *p = strrchr(buf, ')');
  unsigned long long t = 0;
  for (int field = 2; p && *p; p++)
    if (*p == ' ' && ++field == 22) {
      t = strtoull(p + 1, NULL, 10);
      break;
    }
  return t;
}

static void record_path(const char *name, char *buf, size_t cap) {
  snprintf(buf, cap, RECORD_DIR "/%s", name);
}

/* Record namespace `name` as this process's: 0 or -1. */
static int record_add(const char *name) {
  if (mkdir(RECORD_DIR, 0700) != 0 && errno != EEXIST)
    return -1;
  char path[128];
  record_path(name, path, sizeof path);
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fprintf(f, "%d %llu\n", (int)getpid(), start_time(getpid()));
  return fclose(f) == 0 ? 0 : -1;
}

static void record_del(const char *name) {
  char path[128];
  record_path(name, path, sizeof path);
  unlink(path);
}

void emu_sweep(void) {
  DIR *d = opendir(RECORD_DIR);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[300];
    snprintf(path, sizeof path, RECORD_DIR "/%s", e->d_name);
    FILE *f = fopen(path, "r");
    int pid = 0;
    unsigned long long t = 0;
    int got = f ? fscanf(f, "%d %llu", &pid, &t) : 0;
    if (f)
      fclose(f);
    if (got == 2 && pid > 0 && start_time(pid) == t && t != 0)
      continue; /* its run is alive */
    ip("netns", "del", e->d_name, NULL);
    unlink(path);
  }
  closedir(d);
}

/* Our end of TAP `dev` inside namespace `name`: setns in, open the TUN
 * device as that TAP, setns back. -1 on failure. */
static int open_tap(const char *name, const char *dev) {
  char path[256];
  snprintf(path, sizeof path, NETNS_DIR "/%s", name);
  int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int target = open(path, O_RDONLY | O_CLOEXEC);
  int fd = -1;
  if (self >= 0 && target >= 0 && setns(target, CLONE_NEWNET) == 0) {
    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", dev);
    if (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) != 0) {
      close(fd);
      fd = -1;
    }
    if (setns(self, CLONE_NEWNET) != 0) {
      if (fd >= 0)
        close(fd);
      fd = -1;
    }
  }
  if (self >= 0)
    close(self);
  if (target >= 0)
    close(target);
  return fd;
}

/* The namespaces this process has now, for emu_ns_remove_all_now(). */
#define NS_LIVE_MAX 4
static char ns_live[NS_LIVE_MAX][sizeof(((emu_ns *)0)->name)];

static void live_set(const char *name, bool on) {
  for (int i = 0; i < NS_LIVE_MAX; i++) {
    if (on && !ns_live[i][0]) {
      snprintf(ns_live[i], sizeof ns_live[i], "%s", name);
      return;
    }
    if (!on && strcmp(ns_live[i], name) == 0) {
      ns_live[i][0] = 0;
      return;
    }
  }
}

/* dir "/" name into path, with nothing that allocates (signal-safe). */
static void join_now(char *path, size_t cap, const char *dir,
                     const char *name) {
  size_t n = 0;
  for (const char *c = dir; *c && n + 1 < cap; c++)
    path[n++] = *c;
  if (n + 1 < cap)
    path[n++] = '/';
  for (const char *c = name; *c && n + 1 < cap; c++)
    path[n++] = *c;
  path[n] = 0;
}

void emu_ns_remove_all_now(void) {
  for (int i = 0; i < NS_LIVE_MAX; i++) {
    if (!ns_live[i][0])
      continue;
    char path[128];
    join_now(path, sizeof path, NETNS_DIR, ns_live[i]);
    umount2(path, MNT_DETACH);
    unlink(path);
    join_now(path, sizeof path, RECORD_DIR, ns_live[i]);
    unlink(path);
  }
}

void emu_catch_exit_signals(void (*handler)(int)) {
  /* a closed terminal (HUP), a quit key (QUIT), a reader gone (PIPE):
   * each ends the run as an interrupt does, never leaving a namespace */
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
    sigaddset(&sa.sa_mask, sigs[i]);
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
    sigaction(sigs[i], &sa, NULL);
}

void emu_ns_exit_on_signal(int sig) {
  /* an `ip netns add` under way would finish after we are gone */
  pid_t p = ip_pid;
  if (p > 0) {
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
  }
  emu_ns_remove_all_now();
  _exit(128 + sig);
}

int emu_ns_create(emu_ns *ns, const char *tag, const char *dev, uint32_t addr,
                  const uint8_t mac[6], uint32_t peer,
                  const uint8_t peer_mac[6], uint32_t mtu, unsigned opts,
                  char *err, size_t cap) {
  memset(ns, 0, sizeof *ns);
  ns->tap_fd = -1;
  snprintf(ns->dev, sizeof ns->dev, "%s", dev ? dev : "tap0");
  const char *d = ns->dev;
  /* a name nobody holds: one that exists is another's (ours are removed
   * when done), so it is never deleted here, and another is taken */
  for (int k = 0; k < 100; k++) {
    if (k)
      snprintf(ns->name, sizeof ns->name, "hc-%d-%s-%d", (int)getpid(), tag, k);
    else
      snprintf(ns->name, sizeof ns->name, "hc-%d-%s", (int)getpid(), tag);
    char path[128];
    join_now(path, sizeof path, NETNS_DIR, ns->name);
    if (access(path, F_OK) != 0)
      break;
  }
  ns->addr = addr;
  memcpy(ns->mac, mac, 6);
  char a[20], p[20], m[18], pm[18], mtu_s[12], cidr[24];
  addr_text(addr, a, sizeof a);
  addr_text(peer, p, sizeof p);
  mac_text(mac, m);
  mac_text(peer_mac, pm);
  snprintf(mtu_s, sizeof mtu_s, "%u", mtu);
  snprintf(cidr, sizeof cidr, "%s/24", a);
  const char *n = ns->name;
  /* known before it exists, in this process (a signal while `ip` creates
   * it removes it) and on disk (a kill -9 leaves it to the sweep) */
  live_set(n, true);
  int rv = record_add(n) == 0 ? ip("netns", "add", n, NULL) : -1;
  if (rv == 0) {
    ns->created = true;
  } else {
    live_set(n, false);
    record_del(n);
  }
  /* the kernel's TCP as the profile it is compared with has it: its
   * timestamps, SACK and window scaling (each on by default); no metrics
   * carried from one connection to the next; no IPv6 so nothing else
   * crosses the link */
  const char *const sysctls[] = {
      "net.ipv6.conf.all.disable_ipv6=1",
      (opts & EMU_OPT_TS) ? "net.ipv4.tcp_timestamps=1"
                          : "net.ipv4.tcp_timestamps=0",
      (opts & EMU_OPT_SACK) ? "net.ipv4.tcp_sack=1" : "net.ipv4.tcp_sack=0",
      (opts & EMU_OPT_WSCALE) ? "net.ipv4.tcp_window_scaling=1"
                              : "net.ipv4.tcp_window_scaling=0",
      "net.ipv4.tcp_no_metrics_save=1"};
  for (size_t i = 0; rv == 0 && i < sizeof sysctls / sizeof *sysctls; i++)
    rv = ip("netns", "exec", n, "sysctl", "-qw", sysctls[i], NULL);
  if (rv == 0)
    rv = ip("-n", n, "tuntap", "add", "dev", d, "mode", "tap", NULL);
  if (rv == 0)
    rv = ip("-n", n, "link", "set", d, "address", m, "mtu", mtu_s, NULL);
  if (rv == 0)
    rv = ip("-n", n, "addr", "add", cidr, "dev", d, NULL);
  if (rv == 0)
    rv = ip("-n", n, "link", "set", "lo", "up", NULL);
  if (rv == 0)
    rv = ip("-n", n, "link", "set", d, "up", NULL);
  /* ARP does not cross a point-to-point link: the peer is a permanent
   * neighbour */
  if (rv == 0)
    rv = ip("-n", n, "neigh", "replace", p, "lladdr", pm, "dev", d, "nud",
            "permanent", NULL);
  if (rv == 0 && (ns->tap_fd = open_tap(n, d)) < 0)
    rv = -1;
  if (rv != 0) {
    snprintf(err, cap, "cannot set up network namespace %s", n);
    emu_ns_delete(ns);
    return -1;
  }
  return 0;
}

void emu_ns_delete(emu_ns *ns) {
  if (ns->tap_fd >= 0)
    close(ns->tap_fd);
  ns->tap_fd = -1;
  if (ns->created) {
    ip("netns", "del", ns->name, NULL);
    record_del(ns->name);
    live_set(ns->name, false);
  }
  ns->created = false;
}

int emu_ns_spawn(const emu_ns *ns, char *const argv[], int *out, pid_t *pid) {
  int fd[2];
  if (pipe2(fd, O_CLOEXEC) != 0)
    return -1;
  pid_t p = fork();
  if (p < 0) {
    close(fd[0]);
    close(fd[1]);
    return -1;
  }
  if (p == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the run */
    dup2(fd[1], STDOUT_FILENO);
    char *args[40] = {"ip", "netns", "exec", (char *)ns->name};
    int n = 4;
    for (int i = 0; argv[i] && n < 39; i++)
      args[n++] = argv[i];
    args[n] = NULL;
    execvp("ip", args);
    _exit(127);
  }
  close(fd[1]);
  *out = fd[0];
  *pid = p;
  return 0;
}

const char *emu_opts_text(unsigned opts) {
  static const char *const text[8] = {
      "timestamps, SACK and window scaling off",
      "timestamps on, SACK and window scaling off",
      "SACK on, timestamps and window scaling off",
      "timestamps and SACK on, window scaling off",
      "window scaling on, timestamps and SACK off",
      "timestamps and window scaling on, SACK off",
      "SACK and window scaling on, timestamps off",
      "timestamps, SACK and window scaling on"};
  return text[opts & 7u];
}
