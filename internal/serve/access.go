package serve

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// EC2 Network Access Analyzer: a scope names paths that should not exist (MatchPaths) and
// the ones that may (ExcludePaths); an analysis asks the engine which matched paths the
// served lab delivers, with internal/analyze's Reach (header spaces split by the security
// groups and network ACLs met, not single packets), and each delivered path not excluded
// is a finding. access_scope.go selects the endpoints and runs the analysis.
//
// vpclab answers a subset of the statements AWS takes, and refuses the rest when the scope
// is created (InvalidParameterValue naming it), never ignoring one:
//
//   - a resource statement names resource IDs or resource types, not both (as AWS). Sources
//     and destinations: instances (i-), network interfaces (eni-), subnets (subnet-), VPCs
//     (vpc-), security groups (sg-) and internet gateways (igw-) by ID;
//     AWS::EC2::Instance, AWS::EC2::NetworkInterface and AWS::EC2::InternetGateway by type.
//     Through: NAT gateways (nat-), VPC peering connections (pcx-) and transit gateway
//     attachments (tgw-attach-) by ID; AWS::EC2::NatGateway, AWS::EC2::VPCPeeringConnection
//     and AWS::EC2::TransitGatewayAttachment by type. ARNs are refused.
//   - a packet header statement takes IPv4 addresses and CIDRs, ports and port ranges
//     (80, 1024-65535) and the protocols tcp and udp; prefix lists are refused. A field may
//     be given in the source's or the destination's statement, not in both.

func init() {
	register("CreateNetworkInsightsAccessScope", createAccessScope)
	register("DescribeNetworkInsightsAccessScopes", describeAccessScopes)
	register("GetNetworkInsightsAccessScopeContent", getAccessScopeContent)
	register("DeleteNetworkInsightsAccessScope", deleteAccessScope)
	register("StartNetworkInsightsAccessScopeAnalysis", startAccessScopeAnalysis)
	register("DescribeNetworkInsightsAccessScopeAnalyses", describeAccessScopeAnalyses)
	register("GetNetworkInsightsAccessScopeAnalysisFindings", getAccessScopeFindings)
	register("DeleteNetworkInsightsAccessScopeAnalysis", deleteAccessScopeAnalysis)
}

// scopeFindings are an analysis's findings, kept as the record ("access-scope-findings", ID).
type scopeFindings struct {
	Findings []ec2api.AccessScopeAnalysisFinding
}

func createAccessScope(c *call, in *ec2api.CreateNetworkInsightsAccessScopeRequest) (*ec2api.CreateNetworkInsightsAccessScopeResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "network-insights-access-scope"); err != nil {
		return nil, err
	}
	content := &ec2api.NetworkInsightsAccessScopeContent{}
	for i, p := range in.MatchPaths {
		if err := checkScopePath(p, fmt.Sprintf("MatchPaths.%d", i+1)); err != nil {
			return nil, err
		}
	}
	for i, p := range in.ExcludePaths {
		if err := checkScopePath(p, fmt.Sprintf("ExcludePaths.%d", i+1)); err != nil {
			return nil, err
		}
	}
	// The request's paths and the content's are the same members under other shape names.
	if err := jsonCopy(in.MatchPaths, &content.MatchPaths); err != nil {
		return nil, err
	}
	if err := jsonCopy(in.ExcludePaths, &content.ExcludePaths); err != nil {
		return nil, err
	}
	id := c.newID("nis")
	content.NetworkInsightsAccessScopeId = str(id)
	s := &ec2api.NetworkInsightsAccessScope{NetworkInsightsAccessScopeId: str(id),
		NetworkInsightsAccessScopeArn: str(c.s.arn("network-insights-access-scope/" + id)),
		CreatedDate:                   c.time(), UpdatedDate: c.time(), Tags: tagsFrom(in.TagSpecifications, "network-insights-access-scope")}
	c.touch("access-scope", id)
	c.st.scopes.put(id, s)
	c.touch("access-scope-content", id)
	c.st.scopeContents.put(id, content)
	return &ec2api.CreateNetworkInsightsAccessScopeResult{NetworkInsightsAccessScope: s, NetworkInsightsAccessScopeContent: content}, nil
}

// jsonCopy copies between two shapes with the same members.
func jsonCopy(from, to any) error {
	return json.Unmarshal(mustJSON(from), to)
}

// checkScopePath refuses what the analysis does not answer; where names the path in the
// request (MatchPaths.1).
func checkScopePath(p ec2api.AccessScopePathRequest, where string) error {
	fields := map[string]string{}
	for _, end := range []struct {
		name string
		st   *ec2api.PathStatementRequest
	}{{"Source", p.Source}, {"Destination", p.Destination}} {
		if end.st == nil {
			continue
		}
		at := where + "." + end.name
		if rs := end.st.ResourceStatement; rs != nil {
			if err := checkResources(rs.Resources, rs.ResourceTypes, at+".ResourceStatement", endIDs, endTypes); err != nil {
				return err
			}
		}
		if h := end.st.PacketHeaderStatement; h != nil {
			if err := checkHeader(h, at+".PacketHeaderStatement", fields); err != nil {
				return err
			}
		}
	}
	for i, t := range p.ThroughResources {
		at := fmt.Sprintf("%s.ThroughResources.%d.ResourceStatement", where, i+1)
		if t.ResourceStatement == nil {
			return errorf("InvalidParameterValue", "%s is missing: vpclab checks a path's resources only.", at)
		}
		if err := checkResources(t.ResourceStatement.Resources, t.ResourceStatement.ResourceTypes, at, throughIDs, throughTypes); err != nil {
			return err
		}
	}
	return nil
}

// endIDs and throughIDs are the resource ID prefixes a source or destination and a through
// statement may name; endTypes and throughTypes the resource types.
var (
	endIDs       = []string{"i-", "eni-", "subnet-", "vpc-", "sg-", "igw-"}
	endTypes     = []string{"AWS::EC2::Instance", "AWS::EC2::NetworkInterface", "AWS::EC2::InternetGateway"}
	throughIDs   = []string{"nat-", "pcx-", "tgw-attach-"}
	throughTypes = []string{"AWS::EC2::NatGateway", "AWS::EC2::VPCPeeringConnection", "AWS::EC2::TransitGatewayAttachment"}
)

func checkResources(ids, types []string, at string, okIDs, okTypes []string) error {
	switch {
	case len(ids) > 0 && len(types) > 0:
		return errorf("InvalidParameterValue", "%s names both resources and resource types; a resource statement takes one or the other.", at)
	case len(ids) == 0 && len(types) == 0:
		return errorf("InvalidParameterValue", "%s names no resource and no resource type.", at)
	}
	for _, id := range ids {
		if !hasAnyPrefix(id, okIDs) {
			return errorf("InvalidParameterValue", "%s.Resources: vpclab does not analyse the resource %s here (it takes IDs starting %s).", at, id, strings.Join(okIDs, ", "))
		}
	}
	for _, t := range types {
		if !containsString(okTypes, t) {
			return errorf("InvalidParameterValue", "%s.ResourceTypes: vpclab does not analyse the resource type %s here (it takes %s).", at, t, strings.Join(okTypes, ", "))
		}
	}
	return nil
}

// checkHeader checks a packet header statement's fields; seen are the fields the path's
// other statement gave.
func checkHeader(h *ec2api.PacketHeaderStatementRequest, at string, seen map[string]string) error {
	if len(h.SourcePrefixLists) > 0 || len(h.DestinationPrefixLists) > 0 {
		return errorf("InvalidParameterValue", "%s: vpclab does not analyse prefix lists in a packet header statement.", at)
	}
	for _, f := range []struct {
		name string
		vals []string
		ok   func(string) bool
	}{
		{"SourceAddresses", h.SourceAddresses, func(s string) bool { _, err := parsePrefix(s); return err == nil }},
		{"DestinationAddresses", h.DestinationAddresses, func(s string) bool { _, err := parsePrefix(s); return err == nil }},
		{"SourcePorts", h.SourcePorts, func(s string) bool { _, err := parsePorts(s); return err == nil }},
		{"DestinationPorts", h.DestinationPorts, func(s string) bool { _, err := parsePorts(s); return err == nil }},
		{"Protocols", h.Protocols, func(s string) bool { return s == "tcp" || s == "udp" }},
	} {
		if len(f.vals) == 0 {
			continue
		}
		if other, dup := seen[f.name]; dup {
			return errorf("InvalidParameterValue", "%s.%s: %s gives it already; vpclab takes each packet header field once per path.", at, f.name, other)
		}
		seen[f.name] = at
		for _, v := range f.vals {
			if !f.ok(v) {
				return errorf("InvalidParameterValue", "%s.%s: the value %s is not one vpclab analyses (IPv4 addresses and CIDRs, ports and port ranges such as 1024-65535, the protocols tcp and udp).", at, f.name, v)
			}
		}
	}
	return nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func describeAccessScopes(c *call, in *ec2api.DescribeNetworkInsightsAccessScopesRequest) (*ec2api.DescribeNetworkInsightsAccessScopesResult, error) {
	ss, next, err := describe(query{op: "DescribeNetworkInsightsAccessScopes", ids: in.NetworkInsightsAccessScopeIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidNetworkInsightsAccessScopeId.NotFound", what: "network insights access scope"},
		c.st.scopes.all(), func(s *ec2api.NetworkInsightsAccessScope) string { return val(s.NetworkInsightsAccessScopeId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeNetworkInsightsAccessScopesResult{NetworkInsightsAccessScopes: ss, NextToken: next}, nil
}

func scopeNotFound(id string) error {
	return errorf("InvalidNetworkInsightsAccessScopeId.NotFound", "The network insights access scope ID '%s' does not exist", id)
}

func getAccessScopeContent(c *call, in *ec2api.GetNetworkInsightsAccessScopeContentRequest) (*ec2api.GetNetworkInsightsAccessScopeContentResult, error) {
	content := c.st.scopeContents.get(val(in.NetworkInsightsAccessScopeId))
	if content == nil {
		return nil, scopeNotFound(val(in.NetworkInsightsAccessScopeId))
	}
	return &ec2api.GetNetworkInsightsAccessScopeContentResult{NetworkInsightsAccessScopeContent: content}, nil
}

// deleteAccessScope refuses a scope that has analyses, as DeleteNetworkInsightsPath does a
// path with analyses.
func deleteAccessScope(c *call, in *ec2api.DeleteNetworkInsightsAccessScopeRequest) (*ec2api.DeleteNetworkInsightsAccessScopeResult, error) {
	id := val(in.NetworkInsightsAccessScopeId)
	if !c.st.scopes.has(id) {
		return nil, scopeNotFound(id)
	}
	for _, a := range c.st.scopeAnalyses.all() {
		if val(a.NetworkInsightsAccessScopeId) == id {
			return nil, errorf("DependencyViolation", "The network insights access scope '%s' has analyses and cannot be deleted.", id)
		}
	}
	c.touch("access-scope", id)
	c.st.scopes.remove(id)
	c.touch("access-scope-content", id)
	c.st.scopeContents.remove(id)
	return &ec2api.DeleteNetworkInsightsAccessScopeResult{NetworkInsightsAccessScopeId: str(id)}, nil
}

// startAccessScopeAnalysis analyses the scope on the lab as it is now. The answer says
// running, as AWS's does; describe shows the analysis succeeded.
func startAccessScopeAnalysis(c *call, in *ec2api.StartNetworkInsightsAccessScopeAnalysisRequest) (*ec2api.StartNetworkInsightsAccessScopeAnalysisResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "network-insights-access-scope-analysis"); err != nil {
		return nil, err
	}
	scopeID := val(in.NetworkInsightsAccessScopeId)
	content := c.st.scopeContents.get(scopeID)
	if content == nil {
		return nil, scopeNotFound(scopeID)
	}
	n, err := c.s.network()
	if err != nil {
		return nil, err
	}
	findings, enis := runScope(n, c.s.opt.Seed, content)
	id := c.newID("nisa")
	for i := range findings {
		findings[i].FindingId = str(strconv.Itoa(i + 1))
		findings[i].NetworkInsightsAccessScopeAnalysisId = str(id)
		findings[i].NetworkInsightsAccessScopeId = str(scopeID)
	}
	found := "false"
	if len(findings) > 0 {
		found = "true"
	}
	a := &ec2api.NetworkInsightsAccessScopeAnalysis{NetworkInsightsAccessScopeAnalysisId: str(id), NetworkInsightsAccessScopeId: str(scopeID),
		NetworkInsightsAccessScopeAnalysisArn: str(c.s.arn("network-insights-access-scope-analysis/" + id)),
		StartDate:                             c.time(), EndDate: c.time(), Status: str("succeeded"), FindingsFound: str(found), AnalyzedEniCount: int32p(int32(enis)),
		Tags: tagsFrom(in.TagSpecifications, "network-insights-access-scope-analysis")}
	c.touch("access-scope-analysis", id)
	c.st.scopeAnalyses.put(id, a)
	c.touch("access-scope-findings", id)
	c.st.scopeFindings.put(id, &scopeFindings{Findings: findings})
	return &ec2api.StartNetworkInsightsAccessScopeAnalysisResult{NetworkInsightsAccessScopeAnalysis: &ec2api.NetworkInsightsAccessScopeAnalysis{
		NetworkInsightsAccessScopeAnalysisId: a.NetworkInsightsAccessScopeAnalysisId, NetworkInsightsAccessScopeId: a.NetworkInsightsAccessScopeId,
		NetworkInsightsAccessScopeAnalysisArn: a.NetworkInsightsAccessScopeAnalysisArn, StartDate: a.StartDate, Status: str("running"),
		Tags: a.Tags}}, nil
}

func describeAccessScopeAnalyses(c *call, in *ec2api.DescribeNetworkInsightsAccessScopeAnalysesRequest) (*ec2api.DescribeNetworkInsightsAccessScopeAnalysesResult, error) {
	all := pick(c.st.scopeAnalyses.all(), func(a *ec2api.NetworkInsightsAccessScopeAnalysis) bool {
		switch {
		case in.NetworkInsightsAccessScopeId != nil && val(a.NetworkInsightsAccessScopeId) != *in.NetworkInsightsAccessScopeId:
			return false
		case in.AnalysisStartTimeBegin != nil && a.StartDate.Before(*in.AnalysisStartTimeBegin):
			return false
		case in.AnalysisStartTimeEnd != nil && a.StartDate.After(*in.AnalysisStartTimeEnd):
			return false
		}
		return true
	})
	as, next, err := describe(query{op: "DescribeNetworkInsightsAccessScopeAnalyses", ids: in.NetworkInsightsAccessScopeAnalysisIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidNetworkInsightsAccessScopeAnalysisId.NotFound",
		what: "network insights access scope analysis"},
		all, func(a *ec2api.NetworkInsightsAccessScopeAnalysis) string {
			return val(a.NetworkInsightsAccessScopeAnalysisId)
		})
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeNetworkInsightsAccessScopeAnalysesResult{NetworkInsightsAccessScopeAnalyses: as, NextToken: next}, nil
}

func analysisNotFound(id string) error {
	return errorf("InvalidNetworkInsightsAccessScopeAnalysisId.NotFound", "The network insights access scope analysis ID '%s' does not exist", id)
}

// getAccessScopeFindings pages the findings: NextToken is the index of the next one.
func getAccessScopeFindings(c *call, in *ec2api.GetNetworkInsightsAccessScopeAnalysisFindingsRequest) (*ec2api.GetNetworkInsightsAccessScopeAnalysisFindingsResult, error) {
	id := val(in.NetworkInsightsAccessScopeAnalysisId)
	a, f := c.st.scopeAnalyses.get(id), c.st.scopeFindings.get(id)
	if a == nil || f == nil {
		return nil, analysisNotFound(id)
	}
	start, limit := 0, len(f.Findings)
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 100 {
			return nil, errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between 1 and 100.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	if t := val(in.NextToken); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(f.Findings) {
			return nil, errorf("InvalidNextToken", "The token '%s' is invalid.", t)
		}
		start = n
	}
	end := min(start+limit, len(f.Findings))
	out := &ec2api.GetNetworkInsightsAccessScopeAnalysisFindingsResult{NetworkInsightsAccessScopeAnalysisId: str(id),
		AnalysisStatus: a.Status, AnalysisFindings: f.Findings[start:end]}
	if end < len(f.Findings) {
		out.NextToken = str(strconv.Itoa(end))
	}
	return out, nil
}

func deleteAccessScopeAnalysis(c *call, in *ec2api.DeleteNetworkInsightsAccessScopeAnalysisRequest) (*ec2api.DeleteNetworkInsightsAccessScopeAnalysisResult, error) {
	id := val(in.NetworkInsightsAccessScopeAnalysisId)
	if !c.st.scopeAnalyses.has(id) {
		return nil, analysisNotFound(id)
	}
	c.touch("access-scope-analysis", id)
	c.st.scopeAnalyses.remove(id)
	c.touch("access-scope-findings", id)
	c.st.scopeFindings.remove(id)
	return &ec2api.DeleteNetworkInsightsAccessScopeAnalysisResult{NetworkInsightsAccessScopeAnalysisId: str(id)}, nil
}
