// bulk-nt351.cc - ns-3's BulkSend to PacketSink with halfclose's model as
// the TCP of both nodes, under the nt351 profile: one line differs from
// the same program on ns-3's own TCP (SetTcp).
//   g++ bulk-nt351.cc -o bulk-nt351 $(pkg-config --cflags --libs
//       halfclose-ns3 ns3-applications ns3-point-to-point)
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/halfclose-module.h"
#include "ns3/internet-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

int main(int argc, char **argv) {
  CommandLine cmd;
  cmd.Parse(argc, argv); // --ns3::HalfcloseTcpL4Protocol::Profile=linux
  NodeContainer nodes;
  nodes.Create(2);
  PointToPointHelper link;
  link.SetDeviceAttribute("DataRate", StringValue("10Mbps"));
  link.SetChannelAttribute("Delay", StringValue("20ms"));
  NetDeviceContainer devices = link.Install(nodes);
  InternetStackHelper stack;
  stack.SetTcp("ns3::HalfcloseTcpL4Protocol"); // the one line
  stack.Install(nodes);
  Ipv4AddressHelper ip("10.1.1.0", "255.255.255.0");
  Ipv4InterfaceContainer addr = ip.Assign(devices);
  PacketSinkHelper sink("ns3::TcpSocketFactory",
                        InetSocketAddress(Ipv4Address::GetAny(), 9000));
  ApplicationContainer s = sink.Install(nodes.Get(1));
  BulkSendHelper bulk("ns3::TcpSocketFactory",
                      InetSocketAddress(addr.GetAddress(1), 9000));
  bulk.SetAttribute("MaxBytes", UintegerValue(1000000));
  bulk.Install(nodes.Get(0));
  Simulator::Stop(Seconds(30));
  Simulator::Run();
  std::cout << DynamicCast<PacketSink>(s.Get(0))->GetTotalRx()
            << " bytes received\n";
  Simulator::Destroy();
  return 0;
}
