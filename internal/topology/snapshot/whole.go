package snapshot

import "github.com/vpclab/vpclab/internal/model"

// Checks of the snapshot as a whole: what every real account answers but the snapshot lacks.
// Their problems name the snapshot directory, not a file.

// answer records that a file held the top-level key of a describe-* answer vpclab reads,
// even an empty or null one.
func (l *loader) answer(key string) {
	if l.answered == nil {
		l.answered = map[string]bool{}
	}
	l.answered[key] = true
}

// warnMissingFilters warns when the snapshot holds no network ACL or no security group
// although it holds what they filter. Every VPC has a default network ACL (§5.2) and a
// default security group (§4.1.7), so an answer that is missing and one that lists none are
// alike: the snapshot is partial, and vpclab's answers rest on what it assumes instead.
//   - Without network ACLs, model.ApplyDefaults gives each VPC a default network ACL that
//     allows everything, and every subnet gets it (§5.3). Warned when there are subnets.
//   - Without security groups, the groups the network interfaces name are unknown; the
//     engine lets an unknown group allow nothing (and warns per interface), so every packet
//     to or from those interfaces is dropped. Warned when an interface names a group.
//
// A snapshot with neither subnets nor such interfaces has nothing these answers would
// filter, and is not warned about.
func (l *loader) warnMissingFilters(dir string, t *model.Topology) {
	src := model.Source{File: dir}
	if n := len(t.Subnets); n > 0 && len(l.acls) == 0 {
		l.probs.Warnf(src, "no network ACLs: %s, yet every VPC has a default one (§5.2); "+
			"vpclab assumes each of the %d subnet(s) has its VPC's default network ACL, which allows all traffic in and out",
			l.lacking("NetworkAcls", "describe-network-acls"), n)
	}
	if n := interfacesNamingGroups(t); n > 0 && len(l.sgs) == 0 {
		l.probs.Warnf(src, "no security groups: %s, yet every VPC has a default one (§4.1.7); "+
			"vpclab treats the groups that %d network interface(s) name as unknown groups that allow nothing: "+
			"every packet to or from those interfaces is dropped (ENI_SG_RULES_MISMATCH)",
			l.lacking("SecurityGroups", "describe-security-groups"), n)
	}
}

// lacking says how the answer of key came to hold nothing: absent from every file, or empty.
func (l *loader) lacking(key, command string) string {
	if l.answered[key] {
		return "the " + key + " answer lists none"
	}
	return "no file holds a " + key + " answer (aws ec2 " + command + ")"
}

func interfacesNamingGroups(t *model.Topology) int {
	n := 0
	for _, e := range t.NetworkInterfaces {
		if len(e.SecurityGroups) > 0 {
			n++
		}
	}
	return n
}
