// The README's program: BulkSend to PacketSink on halfclose's model (nt351).
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/halfclose-module.h"
#include "ns3/internet-module.h"
#include "ns3/point-to-point-module.h"
using namespace ns3;

int main(int argc, char **argv) {
  CommandLine cmd; // --ns3::HalfcloseTcpL4Protocol::Profile=linux, ...
  cmd.Parse(argc, argv);
  NodeContainer n;
  n.Create(2);
  NetDeviceContainer d = PointToPointHelper().Install(n);
  InternetStackHelper stack;
  stack.SetTcp("ns3::HalfcloseTcpL4Protocol"); // the one line
  stack.Install(n);
  Ipv4InterfaceContainer ip =
      Ipv4AddressHelper("10.0.0.0", "255.0.0.0").Assign(d);
  PacketSinkHelper sink("ns3::TcpSocketFactory",
                        InetSocketAddress(Ipv4Address::GetAny(), 9));
  ApplicationContainer s = sink.Install(n.Get(1));
  BulkSendHelper bulk("ns3::TcpSocketFactory",
                      InetSocketAddress(ip.GetAddress(1), 9));
  bulk.SetAttribute("MaxBytes", UintegerValue(100000));
  bulk.Install(n.Get(0));
  Simulator::Run();
  std::cout << DynamicCast<PacketSink>(s.Get(0))->GetTotalRx()
            << " bytes received\n";
  Simulator::Destroy();
}
