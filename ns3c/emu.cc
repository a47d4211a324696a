/*
 * emu.cc - the emulation link: the wrapper's raw link in real time, with a
 * real kernel behind a node through a TAP and ns-3's FdNetDevice.
 *
 * The link itself is unchanged (ns3c.cc): its transmitters are events on
 * the scheduler, which RealtimeSimulatorImpl runs when the wall clock
 * reaches them. A node with a kernel behind it has an FdNetDevice on the
 * TAP (Ethernet II framing): frames the kernel sends to the node's MAC come
 * up its receive callback and go into the link as the node's own sends;
 * what the link delivers to the node is sent down the TAP to the kernel's
 * MAC. ARP never crosses: the kernel side holds a permanent neighbour entry
 * for the peer (see ../shared/EMULATION.md).
 */
#include "ns3c_internal.h"

#include <ns3/fd-net-device-module.h>

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

using namespace ns3;

/*
 * An FdNetDevice reads its TAP on a thread of its own, which it starts in
 * the simulation's first instant. Created by a real-time main thread that
 * resets its children's policy, that thread ran at normal priority and
 * could wait for the main thread: a frame from a kernel entered the link
 * 20-180 us after the kernel queued it, the first of a burst 90-150 us
 * (the net_dev_queue tracepoint against the reader's read()); at real-time
 * priority 10-80 us. So, when the main thread is real-time, the readers get
 * real-time priority one above it; they only read a frame and hand it on.
 */
static void raise_readers() {
  int policy = sched_getscheduler(0);
  struct sched_param me;
  if (policy < 0 || (policy & ~SCHED_RESET_ON_FORK) != SCHED_FIFO ||
      sched_getparam(0, &me) != 0)
    return;
  struct sched_param sp = {};
  sp.sched_priority = me.sched_priority + 1;
  long self = syscall(SYS_gettid);
  DIR *d = opendir("/proc/self/task");
  if (!d)
    return;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    long tid = strtol(e->d_name, NULL, 10);
    if (tid > 0 && tid != self &&
        (sched_getscheduler((pid_t)tid) & ~SCHED_RESET_ON_FORK) == SCHED_OTHER)
      sched_setscheduler((pid_t)tid, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp);
  }
  closedir(d);
}

extern "C" int ns3c_sim_new_realtime(ns3c_sim **out, uint32_t seed,
                                     uint64_t run) {
  return ns3c_sim_create(out, seed, run, true);
}

bool ns3c_link::FromKernel(int i, Ptr<NetDevice> d, Ptr<const Packet> p,
                           uint16_t proto, const Address &from) {
  (void)d;
  (void)from;
  if (proto != 0x0800)
    return true;             /* only IPv4 crosses the link */
  uint32_t n = p->GetSize(); /* into the link's scratch buffer: no
                                allocation per frame */
  if (buf.size() < n)
    buf.resize(n);
  p->CopyData(buf.data(), n);
  ns3c_link_send(this, i, buf.data(), n);
  return true;
}

/*
 * A frame for the kernel is written to the TAP here, not through
 * FdNetDevice::Send: that path builds an ns-3 packet and its Ethernet
 * header and copies them into a buffer it mallocs and frees per frame.
 * After the link's thread has slept, the first frame of a burst spent
 * 35-55 us in it (uprobes against the write), often with a page fault on
 * the buffer that free() had given back, while the frames after it, 120 us
 * apart at 100 Mb/s, went at once: the kernel got the burst's first
 * segments closer together than the link sent them, and its ACKs came
 * back as close. Writing the header and the datagram with one writev()
 * touches nothing the link does not already hold.
 */
void ns3c_link::ToKernel(int j, const uint8_t *d, size_t len) {
  struct iovec v[2] = {{eth[j], sizeof eth[j]},
                       {const_cast<uint8_t *>(d), len}};
  ssize_t n;
  do
    n = writev(tap[j], v, 2);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)(sizeof eth[j] + len))
    stats.tap_errors[j]++;
}

static bool from_kernel_cb(ns3c_link *l, int i, Ptr<NetDevice> d,
                           Ptr<const Packet> p, uint16_t proto,
                           const Address &from) {
  return l->FromKernel(i, d, p, proto, from);
}

extern "C" int ns3c_link_attach_fd(ns3c_link *l, int node, int fd,
                                   const uint8_t self_mac[6],
                                   const uint8_t kernel_mac[6]) {
  if (!l || l->internet || (node != 0 && node != 1) || fd < 0)
    return ns3c_fail(NS3C_ERR_INVAL, "no raw link, bad node or no TAP");
  GUARD_BEGIN
  Ptr<FdNetDevice> dev = CreateObject<FdNetDevice>();
  dev->SetEncapsulationMode(FdNetDevice::DIX);
  Mac48Address self;
  self.CopyFrom(self_mac);
  dev->SetAddress(self);
  dev->SetFileDescriptor(fd);
  l->node[node]->AddDevice(dev);
  /* after AddDevice, which installs the node's own callback */
  dev->SetReceiveCallback(MakeBoundCallback(&from_kernel_cb, l, node));
  l->node[node]->Initialize(); /* schedules the device's start at 0 s */
  Simulator::Schedule(Seconds(0), &raise_readers); /* so after it */
  l->fd[node] = dev;
  l->tap[node] = fd;
  memcpy(l->eth[node], kernel_mac, 6); /* DIX: destination, source, type */
  memcpy(l->eth[node] + 6, self_mac, 6);
  l->eth[node][12] = 0x08;
  l->eth[node][13] = 0x00;
  return NS3C_OK;
  GUARD_END
}
