// Package live runs a topology with real packets: every instance, and every host on the
// internet or beyond a VGW that the lab declares, becomes a Linux network namespace with an
// eth0, and one dataplane process carries every frame between them through vpclab's engine.
// Real ping, traceroute, tcpdump, curl and iperf3 then show what AWS would.
//
//	 namespace vpclab-LAB-source          dataplane process             namespace vpclab-LAB-destination
//	┌──────────────────────────┐   fd   ┌──────────────────────┐   fd   ┌──────────────────────────┐
//	│ eth0 10.0.0.11/24 (TAP)  │◄──────►│ ARP: the router MAC   │◄──────►│ eth0 10.0.1.55/24 (TAP)  │
//	│ default via 10.0.0.1     │        │ IPv4: engine.Send     │        │ default via 10.0.1.1     │
//	│ ip_default_ttl 255       │        │ rewrite, write to the │        │ ip_default_ttl 255       │
//	└──────────────────────────┘        │ ENI or host it reached│        └──────────────────────────┘
//	                                    └──────────────────────┘
//
// Only this package touches the operating system's network; the engine decides everything.
//
// Devices. Each ENI is a TAP device created inside its namespace as eth0 (eth1, ... for
// further ENIs), with the ENI's MAC, primary and secondary private IPs and MTU 9001 (§6.9).
// The dataplane holds the TAP's file descriptor; a TAP is not persistent, so it vanishes with
// the process. TAPs carry a virtio-net header so the kernel may hand over TSO super-packets
// and partial checksums, which the dataplane rewrites in place and passes on. Where TAP is
// unavailable the lab falls back to veth pairs read with AF_PACKET sockets from a namespace
// of the lab's own (offloads off on the instance side, PACKET_IGNORE_OUTGOING on the socket).
// Everything is set up through netlink; nothing shells out to ip.
//
// Addressing. An instance's default route points at its subnet's router, base+1 (§6.4). The
// dataplane answers every ARP request with one fixed router MAC (proxy ARP), so traffic to
// the same subnet also crosses the engine. The VPC router is no TTL hop (§6.6); a NAT gateway
// is (§2.3.5), and ICMP errors and the headers they quote are translated back through it.
//
// Several VPCs. A lab may join VPCs by peering and transit gateways, and their blocks may
// repeat one another (two VPCs of 10.1.0.0/16 each peered with a third, §7.1.8). Nothing here
// takes an address to be unique: each instance has its namespace, a packet enters the engine
// at the ENI of the device it came from, and goes out on the device of the ENI the engine
// delivered it to. The interfaces of AWS services (NAT and transit gateways) get no
// namespace: the engine plays those services.
//
// Appliances. An instance with a source/destination check off, through which routes send
// traffic (§1.2.5), is a router in its namespace: IP forwarding on unless the lab says
// ip_forward: false, no ICMP redirects sent or taken, no reverse-path filter (nodeSysctls).
// The engine, with Options.RealAppliances, delivers a packet routed to it to its device
// unchanged, after the network ACL and security groups AWS applies on the way in; the
// appliance's kernel takes one off the TTL (§6.8), applies whatever iptables or nft rules the
// lab adds in its namespace, and routes the packet as its own routes say: out of eth0 to its
// subnet's router, or to a connected subnet of a further ENI (as on EC2, where the OS, not the
// VPC, picks the interface a multi-homed appliance forwards out of). The dataplane takes it
// in there as anything the instance sends (Location FromENI): source/dest check (off),
// security groups out, network ACL out, the route table of that ENI's subnet (§0 step 7);
// its source, not the appliance's, makes it relayed (§7.1.13). So tcpdump in the appliance
// sees the transit traffic, and its firewall decides. A stateful appliance
// (forwarding: stateful) is then what its kernel's connection tracking rules make it, for
// example iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP: the engine no longer
// plays its OS (§13.13). Linux's TCP tracking is stricter than the simulator's model behind
// asymmetric routing: it also drops the flows the appliance saw start, whose answers go
// around it.
//
// Lifecycle. Up creates the namespaces and devices, then starts the dataplane: in the same
// process (foreground) or as a detached re-execution of the program (background) that
// inherits the devices' descriptors. Everything Up creates is written to a manifest under
// /run/vpclab/LAB/ before it is created, so Down, or the next Up of a crashed lab, removes
// exactly what the manifest lists and nothing else. A topology built in memory, which no
// background dataplane could load again, runs in the foreground only.
package live
