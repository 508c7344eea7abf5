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
// VPCLAB_REPLY_SOURCE_MISMATCH; a path through an appliance one way only with
// VPCLAB_ASYMMETRIC_ROUTING (§1.2.5).
//
// The package is pure, like the engine: no I/O, no clock; callers pass topologies and
// compiled networks in and write the results out.
package analyze
