/*
 * floor_ns3.cc - the floor as ns-3 itself sets it: raw datagrams bounced
 * between two nodes over ns-3's PointToPointNetDevice and channel (10 Mb/s,
 * 20 ms, drop-tail queue, no internet stack), the receive callback sending
 * the next one back. K datagrams of 576 bytes per "conversation", N of
 * them; the cost per packet of the simulator's own device path.
 *
 *   floor_ns3 [N] [K]   (defaults 20000 and 31, halfclose's packets per
 *                         conversation on the article's shape)
 *
 * Prints one line: packets, CPU seconds, ns per packet.
 */
#include <ns3/core-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

using namespace ns3;

namespace {

Ptr<PointToPointNetDevice> dev[2];
long left = 0;
uint8_t payload[576];

bool Bounce(Ptr<NetDevice> d, Ptr<const Packet>, uint16_t, const Address &) {
  if (left-- > 0) {
    int to = d == dev[0] ? 1 : 0;
    dev[1 - to]->Send(Create<Packet>(payload, sizeof payload),
                      dev[to]->GetAddress(), 0x0800);
  }
  return true;
}

double cpu_s() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

} // namespace

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 20000;
  long k = argc > 2 ? atol(argv[2]) : 31;
  if (n <= 0 || k <= 0) {
    fprintf(stderr, "usage: floor_ns3 [N] [K]\n");
    return 2;
  }
  payload[0] = 0x45;
  NodeContainer nodes;
  nodes.Create(2);
  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
  p2p.SetChannelAttribute("Delay", StringValue("20ms"));
  NetDeviceContainer devs = p2p.Install(nodes);
  for (int i = 0; i < 2; i++) {
    dev[i] = DynamicCast<PointToPointNetDevice>(devs.Get(i));
    dev[i]->SetReceiveCallback(MakeCallback(&Bounce));
  }
  double t0 = cpu_s();
  for (long c = 0; c < n; c++) { /* one run of the simulator each, as a
                                    conversation */
    left = k - 1;
    dev[0]->Send(Create<Packet>(payload, sizeof payload),
                 dev[1]->GetAddress(), 0x0800);
    Simulator::Run();
  }
  double cpu = cpu_s() - t0;
  Simulator::Destroy();
  printf("packets %ld cpu_s %.3f ns/packet %.0f\n", n * k, cpu,
         cpu * 1e9 / (double)(n * k));
  return 0;
}
