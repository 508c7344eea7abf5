package snapshot

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/model"
)

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
	if n := len(t.Subnets); n > 0 && l.acls.len() == 0 {
		l.probs.Warnf(src, "no network ACLs: %s, yet every VPC has a default one (§5.2); "+
			"vpclab assumes each of the %d subnet(s) has its VPC's default network ACL, which allows all traffic in and out",
			l.lacking("NetworkAcls", "describe-network-acls"), n)
	}
	if n := interfacesNamingGroups(t); n > 0 && l.sgs.len() == 0 {
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

// refuseUnanswered refuses a snapshot none of whose files holds an answer vpclab reads: that
// is the wrong directory (an empty one, a YAML lab's folder, unrelated JSON), not an account
// without resources, which answers with empty lists and loads. A file already reported as
// broken explains itself, so then nothing more is said. files are the JSON files read
// (path, name); labs the YAML files directly in dir, suggested since a lab is loaded by
// naming its file.
func (l *loader) refuseUnanswered(dir string, files [][2]string, labs []string) {
	if len(l.answered) > 0 || l.probs.HasErrors() {
		return
	}
	found := "it holds no *.json file"
	if len(files) > 0 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f[1]
		}
		found = fmt.Sprintf("none of the %d JSON file(s) read (%s) holds one", len(files), someOf(names, ", ", 5))
	}
	if len(labs) > 0 {
		found += "; a directory is read as describe-* JSON and a file as a YAML lab: did you mean " + labFiles(dir, labs) + "?"
	}
	l.probs.Errorf(model.Source{File: dir}, "no describe-* answer: a snapshot is the JSON that `aws ec2 describe-*` prints, "+
		"*.json files recognised by their top-level key, one of %s; %s", keyList(), found)
}

// keyList names the top-level keys vpclab reads: "Vpcs, Subnets, ... or PrefixLists".
func keyList() string {
	var keys []string
	for _, a := range answers {
		if !a.alias {
			keys = append(keys, a.key)
		}
	}
	return strings.Join(keys[:len(keys)-1], ", ") + " or " + keys[len(keys)-1]
}

// labFiles names up to three of the YAML files in dir, a lab.yaml or lab.yml first (the
// name the examples use), as paths to pass instead of dir: "DIR/lab.yaml or DIR/x.yaml".
func labFiles(dir string, labs []string) string {
	labs = slices.Clone(labs)
	slices.SortStableFunc(labs, func(a, b string) int {
		return cmp.Compare(labRank(a), labRank(b))
	})
	paths := make([]string, len(labs))
	for i, name := range labs {
		paths[i] = filepath.Join(dir, name)
	}
	return someOf(paths, " or ", 3)
}

func labRank(name string) int {
	if strings.EqualFold(name, "lab.yaml") || strings.EqualFold(name, "lab.yml") {
		return 0
	}
	return 1
}

// someOf joins the first max names with sep, saying how many more there are: a directory
// may hold thousands of files.
func someOf(names []string, sep string, max int) string {
	if len(names) <= max {
		return strings.Join(names, sep)
	}
	return strings.Join(names[:max], sep) + fmt.Sprintf(" and %d more", len(names)-max)
}
