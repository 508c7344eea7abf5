// Package analyze answers questions about whole header spaces rather than single packets:
// which protocols and ports get from one endpoint to another and which do not, and why
// (Reach); who reaches whom across a topology (Matrix); whether stated intents hold (Check);
// and which flows change between two topologies, and through which change (Diff).
//
// Method: equivalence classes. Every decision the engine takes on a port, an ICMP type or a
// protocol number comes from a security group rule (§4.1.4), a network ACL entry (§5.4) or a
// NAT gateway's protocol restriction (§2.2.6). For one pair of endpoints, a first packet per
// protocol class (TCP, UDP, ICMP, other protocols) shows which of those components the flow
// consults, forward and back; their rules cut each dimension (destination port, source port,
// ICMP type and code, protocol number) into intervals inside which nothing can change a
// decision. The product of the intervals are the atoms. One representative packet per atom
// is sent with engine.Options{ContinuePastBlocks: true}, on a fresh engine.State, and, when it
// arrives, the receiving host's answer is sent back the same way (a listening service: SYN-ACK,
// a UDP reply, an echo reply, a reply in kind; other ICMP types get none). Atoms whose outcome
// is the same (verdict, every blocker by code, component and rule, the path's components, the
// source address the destination sees) merge into the parts reported to the user.
//
// Source ports matter because replies are matched by network ACLs on their destination port
// (§5.6): they are cut only by the ACL entries (and non-tracked security group checks) met on
// the way back. Behind a NAT gateway the reply's destination port is one the gateway chose in
// 1024-65535 (§2.2.3); an ACL that admits only part of that range blocks some connections and
// is reported with REMAP_EPHEMERAL_PORT. Replies that come back from another address than
// the one the source sent to (asymmetric routing through a NAT gateway) are reported with
// VPCLAB_REPLY_SOURCE_MISMATCH. A path through an appliance one way only is no blocker of the
// VPC's (§1.2.5); a stateful appliance drops what its OS would, in the engine, for every tool
// alike (VPCLAB_ASYMMETRIC_INSPECTION, §13.13).
//
// The package keeps no rules of its own: every packet is the engine's to decide, the rule
// sets the engine consulted say where decisions may change (engine.Network.RuleSpans), and
// the hosts that answer are tools' (tools.Hosts).
//
// Matrix answers Reach for every ordered pair, in parallel over sources. One packet first
// tells whether anything can arrive (a path depends on addresses, not ports; only a NAT
// gateway's protocol restriction depends on the protocol, and stops other protocols sooner);
// destinations in another VPC that none of the source VPC's route prefixes, VPN networks or
// internet-gateway checks (§1.2, §3.3, §7.3) tell apart share one answer per source. The
// subnets scope places a probe interface with an allow-all security group in every subnet,
// so it shows what the network between subnets allows (routes, NACLs, NAT gateways), not
// what particular instances' groups do.
//
// Diff compares two topologies resource by resource first (ModelDiff, one row of kindRows per
// resource kind), and evaluates only the flows from and to the interfaces a change can touch;
// a changed security group rule narrows that to the rule's own protocol and ports (§4.1.3:
// a header's verdict depends only on the rules that match it). Changes on shared paths (NAT
// gateways, appliances, their subnets, gateways) touch their whole VPC; a peering touches its
// two VPCs, and a transit gateway, its attachments and route tables the VPCs whose flows
// they can carry; VPN and prefix-list changes touch everything. Sources and destinations are grouped by subnet: routes inside a
// VPC are never narrower than a subnet (§1.2.5), so one packet per pair of groups rules out
// the pairs that arrive in neither topology and end the same way in both. Resources are
// compared by ID; where IDs differ (a lab against a snapshot of the same network, resources
// re-created), MatchTopologies pairs them by the keys of their rows (Name tag, CIDR, group
// name, private IP, associations) and gives the after topology the before topology's IDs,
// so the comparison stays by ID.
//
// The package is pure, like the engine: no I/O, no clock; callers pass topologies and
// compiled networks in and write the results out.
package analyze
