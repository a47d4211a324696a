/*
 * halfclose-module.h - the halfclose TCP model as an ns-3 module: include
 * this, link with `pkg-config --libs halfclose-ns3`, and
 * InternetStackHelper::SetTcp("ns3::HalfcloseTcpL4Protocol").
 */
#ifndef HALFCLOSE_NS3_MODULE_H
#define HALFCLOSE_NS3_MODULE_H

#include "ns3/halfclose-tcp.h"

/* A program that includes this refers to the library, so a linker that
 * drops unreferenced libraries (--as-needed, Debian's default) keeps it,
 * and the TypeIds are registered before main() asks for them by name. */
namespace {
[[maybe_unused]] const ns3::TypeId halfclose_ns3_tcp_type =
    ns3::HalfcloseTcpL4Protocol::GetTypeId();
}

#endif
