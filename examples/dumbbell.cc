// dumbbell.cc - ns-3's BulkSend to PacketSink over a dumbbell: `flows`
// senders on the left, as many sinks on the right, two routers between
// them and a bottleneck with a queue disc from ns-3's traffic control.
// halfclose's model is the TCP of every end host (the routers carry no
// TCP); each sender moves `bytes` and closes.
//
//   ./dumbbell [--flows=3] [--bytes=500000] [--queueDisc=ns3::FqCoDelQueueDisc]
//              [--bottleneck=2Mbps]
//              [--ns3::HalfcloseTcpL4Protocol::Profile=bsd44]
//
// Prints per flow the bytes the sink received and the segments its sender
// retransmitted (from the model's ModelEvent trace), then the queue disc's
// drops and marks, then "all N flows complete" or "incomplete".
#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/halfclose-module.h"
#include "ns3/internet-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

#include <map>

using namespace ns3;

static std::map<std::string, uint32_t> rtx; // by trace context (node path)

static void on_event(std::string context, const std::string &line) {
  // one line per model event; a retransmission says why it was sent
  if (line.find("seg-out") != std::string::npos &&
      line.find("retransmit") != std::string::npos)
    rtx[context.substr(0, context.find("/$"))]++;
}

int main(int argc, char **argv) {
  uint32_t flows = 3;
  uint64_t bytes = 500000;
  std::string queueDisc = "ns3::FqCoDelQueueDisc", bottleneck = "2Mbps";
  std::string queueSize = "50p";
  CommandLine cmd;
  cmd.AddValue("flows", "senders (and sinks)", flows);
  cmd.AddValue("bytes", "bytes each sender moves", bytes);
  cmd.AddValue("queueDisc", "the bottleneck's queue disc (a TypeId)",
               queueDisc);
  cmd.AddValue("queueSize", "its size (MaxSize)", queueSize);
  cmd.AddValue("bottleneck", "the bottleneck's rate", bottleneck);
  cmd.Parse(argc, argv);

  NodeContainer left, right, routers;
  left.Create(flows);
  right.Create(flows);
  routers.Create(2);
  InternetStackHelper hosts, plain;
  hosts.SetTcp("ns3::HalfcloseTcpL4Protocol"); // the model on every host
  hosts.Install(left);
  hosts.Install(right);
  plain.Install(routers);

  PointToPointHelper access, neck;
  access.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
  access.SetChannelAttribute("Delay", StringValue("2ms"));
  neck.SetDeviceAttribute("DataRate", StringValue(bottleneck));
  neck.SetChannelAttribute("Delay", StringValue("20ms"));
  neck.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1p"));
  NetDeviceContainer core = neck.Install(routers);
  TrafficControlHelper tch;
  tch.SetRootQueueDisc(queueDisc, "MaxSize",
                       QueueSizeValue(QueueSize(queueSize)));
  QueueDiscContainer qd = tch.Install(core.Get(0));

  Ipv4AddressHelper ip;
  ip.SetBase("10.0.0.0", "255.255.255.0");
  ip.Assign(core);
  std::vector<Ipv4Address> sinkAddr;
  for (uint32_t i = 0; i < flows; i++) {
    std::ostringstream a, b;
    a << "10.1." << i + 1 << ".0";
    b << "10.2." << i + 1 << ".0";
    ip.SetBase(a.str().c_str(), "255.255.255.0");
    ip.Assign(access.Install(left.Get(i), routers.Get(0)));
    ip.SetBase(b.str().c_str(), "255.255.255.0");
    sinkAddr.push_back(
        ip.Assign(access.Install(right.Get(i), routers.Get(1))).GetAddress(0));
  }
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();

  ApplicationContainer sinks;
  for (uint32_t i = 0; i < flows; i++) {
    PacketSinkHelper sink("ns3::TcpSocketFactory",
                          InetSocketAddress(Ipv4Address::GetAny(), 9000));
    sinks.Add(sink.Install(right.Get(i)));
    BulkSendHelper bulk("ns3::TcpSocketFactory",
                        InetSocketAddress(sinkAddr[i], 9000));
    bulk.SetAttribute("MaxBytes", UintegerValue(bytes));
    bulk.Install(left.Get(i)).Start(MilliSeconds(10 * i));
  }
  Config::Connect("/NodeList/*/$ns3::HalfcloseTcpL4Protocol/ModelEvent",
                  MakeCallback(&on_event));
  Simulator::Stop(Seconds(120));
  Simulator::Run();

  uint32_t complete = 0;
  for (uint32_t i = 0; i < flows; i++) {
    uint64_t got = DynamicCast<PacketSink>(sinks.Get(i))->GetTotalRx();
    std::ostringstream path;
    path << "/NodeList/" << left.Get(i)->GetId();
    std::cout << "flow " << i << ": " << got << " of " << bytes
              << " bytes received, " << rtx[path.str()]
              << " segments retransmitted by its sender\n";
    complete += got == bytes;
  }
  QueueDisc::Stats st = qd.Get(0)->GetStats();
  std::cout << queueDisc << " at the bottleneck: " << st.nTotalDroppedPackets
            << " packets dropped, " << st.nTotalMarkedPackets << " marked, of "
            << st.nTotalReceivedPackets << " enqueued\n";
  if (complete == flows)
    std::cout << "all " << flows << " flows complete\n";
  else
    std::cout << complete << " of " << flows << " flows complete: incomplete\n";
  Simulator::Destroy();
  return complete == flows ? 0 : 1;
}
