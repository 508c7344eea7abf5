package serve

import (
	"net/netip"
	"strings"

	"github.com/go-json-experiment/json"

	"github.com/vpclab/vpclab/internal/ec2api"
	"github.com/vpclab/vpclab/internal/packet"
	"github.com/vpclab/vpclab/internal/tools"
)

// EC2 Network Insights (Reachability Analyzer), answered by the engine: a path is a
// question, an analysis is a `vpclab trace` of it, forward and return, written in the
// NetworkInsightsAnalysis shape trace's JSON already follows. Beyond AWS's limits it takes
// ICMP as a protocol, as vpclab trace does.

func init() {
	register("CreateNetworkInsightsPath", createNetworkInsightsPath)
	register("DescribeNetworkInsightsPaths", describeNetworkInsightsPaths)
	register("DeleteNetworkInsightsPath", deleteNetworkInsightsPath)
	register("StartNetworkInsightsAnalysis", startNetworkInsightsAnalysis)
	register("DescribeNetworkInsightsAnalyses", describeNetworkInsightsAnalyses)
	register("DeleteNetworkInsightsAnalysis", deleteNetworkInsightsAnalysis)
}

// defaultInsightsPort is the destination port of a path that names none: AWS then asks
// about any port; vpclab traces one packet, to the port `vpclab trace` takes by default
// (DEFAULTS.md).
const defaultInsightsPort = 80

func createNetworkInsightsPath(c *call, in *ec2api.CreateNetworkInsightsPathRequest) (*ec2api.CreateNetworkInsightsPathResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "network-insights-path"); err != nil {
		return nil, err
	}
	switch strings.ToLower(val(in.Protocol)) {
	case "tcp", "udp", "icmp":
	default:
		return nil, errorf("InvalidParameterValue", "Value (%s) for parameter protocol is invalid. Expected tcp or udp (or icmp, a vpclab extension).", val(in.Protocol))
	}
	if in.Source == nil {
		return nil, errorf("MissingParameter", "The request must contain the parameter Source")
	}
	if in.Destination == nil && in.DestinationIp == nil {
		return nil, errorf("MissingParameter", "The request must contain the parameter Destination or DestinationIp")
	}
	id := c.newID("nip")
	p := &ec2api.NetworkInsightsPath{NetworkInsightsPathId: str(id), NetworkInsightsPathArn: str(c.s.arn("network-insights-path/" + id)),
		Source: in.Source, Destination: in.Destination, SourceIp: in.SourceIp, DestinationIp: in.DestinationIp,
		Protocol: str(strings.ToLower(*in.Protocol)), DestinationPort: in.DestinationPort, CreatedDate: c.time(),
		Tags: tagsFrom(in.TagSpecifications, "network-insights-path")}
	if _, _, err := c.endpoints(p); err != nil {
		return nil, err
	}
	c.touch("insights-path", id)
	c.st.paths.put(id, p)
	return &ec2api.CreateNetworkInsightsPathResult{NetworkInsightsPath: p}, nil
}

// endpoints resolves a path's source and destination on the served lab, as vpclab trace
// resolves FROM and TO.
func (c *call) endpoints(p *ec2api.NetworkInsightsPath) (tools.Endpoint, tools.Endpoint, error) {
	n, err := c.s.network()
	if err != nil {
		return tools.Endpoint{}, tools.Endpoint{}, err
	}
	sim := tools.NewSim(n, c.s.opt.Seed)
	src, err := resolve(sim, val(p.Source), val(p.SourceIp), "source")
	if err != nil {
		return src, src, err
	}
	dst, err := resolve(sim, val(p.Destination), val(p.DestinationIp), "destination")
	return src, dst, err
}

// resolve finds a path's end: a resource, optionally with an address beyond it (an
// internet gateway's host), or an address alone.
func resolve(sim *tools.Sim, resource, ip, what string) (tools.Endpoint, error) {
	arg := resource
	switch {
	case resource == "":
		arg = ip
	case ip != "" && strings.HasPrefix(resource, "igw-") && what == "destination":
		arg = "internet:" + ip
	case ip != "" && !strings.HasPrefix(resource, "i-") && !strings.HasPrefix(resource, "eni-"):
		arg = resource + ":" + ip
	}
	ep, err := sim.Resolve(arg)
	if err != nil {
		return ep, errorf("InvalidParameterValue", "The %s %s is not found in the served lab: %v", what, arg, err)
	}
	if ip != "" && (strings.HasPrefix(resource, "i-") || strings.HasPrefix(resource, "eni-")) {
		a, err := netip.ParseAddr(ip)
		if err != nil {
			return ep, errorf("InvalidParameterValue", "Value (%s) for parameter %sIp is invalid.", ip, what)
		}
		ep.IP = a
	}
	return ep, nil
}

func describeNetworkInsightsPaths(c *call, in *ec2api.DescribeNetworkInsightsPathsRequest) (*ec2api.DescribeNetworkInsightsPathsResult, error) {
	ps, next, err := describe(query{op: "DescribeNetworkInsightsPaths", ids: in.NetworkInsightsPathIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidNetworkInsightsPathId.NotFound", what: "network insights path"},
		c.st.paths.all(), func(p *ec2api.NetworkInsightsPath) string { return val(p.NetworkInsightsPathId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeNetworkInsightsPathsResult{NetworkInsightsPaths: ps, NextToken: next}, nil
}

func deleteNetworkInsightsPath(c *call, in *ec2api.DeleteNetworkInsightsPathRequest) (*ec2api.DeleteNetworkInsightsPathResult, error) {
	id := val(in.NetworkInsightsPathId)
	if !c.st.paths.has(id) {
		return nil, errorf("InvalidNetworkInsightsPathId.NotFound", "The network insights path ID '%s' does not exist", id)
	}
	for _, a := range c.st.analyses.all() {
		if val(a.NetworkInsightsPathId) == id {
			return nil, errorf("DependencyViolation", "The network insights path '%s' has analyses and cannot be deleted.", id)
		}
	}
	c.touch("insights-path", id)
	c.st.paths.remove(id)
	return &ec2api.DeleteNetworkInsightsPathResult{NetworkInsightsPathId: str(id)}, nil
}

// StartNetworkInsightsAnalysis traces the path on the lab as it is now. The answer says
// running, as AWS's does; describe shows the analysis succeeded, with its paths and
// explanations.
func startNetworkInsightsAnalysis(c *call, in *ec2api.StartNetworkInsightsAnalysisRequest) (*ec2api.StartNetworkInsightsAnalysisResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "network-insights-analysis"); err != nil {
		return nil, err
	}
	p := c.st.paths.get(val(in.NetworkInsightsPathId))
	if p == nil {
		return nil, errorf("InvalidNetworkInsightsPathId.NotFound", "The network insights path ID '%s' does not exist", val(in.NetworkInsightsPathId))
	}
	src, dst, err := c.endpoints(p)
	if err != nil {
		return nil, err
	}
	n, _ := c.s.network()
	sim := tools.NewSim(n, c.s.opt.Seed)
	opt := tools.TraceOptions{Protocol: packet.ProtoTCP, Port: defaultInsightsPort}
	switch val(p.Protocol) {
	case "udp":
		opt.Protocol = packet.ProtoUDP
	case "icmp":
		opt.Protocol = packet.ProtoICMP
	}
	if p.DestinationPort != nil {
		opt.Port = uint16(*p.DestinationPort)
	}
	tr := sim.Trace(src, dst, opt)
	a := new(ec2api.NetworkInsightsAnalysis)
	if err := json.Unmarshal(mustJSON(tr.Analysis()), a); err != nil {
		return nil, err // the trace's JSON is AWS's shape; a mismatch is a bug
	}
	id := c.newID("nia")
	a.NetworkInsightsAnalysisId, a.NetworkInsightsPathId = str(id), p.NetworkInsightsPathId
	a.NetworkInsightsAnalysisArn = str(c.s.arn("network-insights-analysis/" + id))
	a.StartDate, a.Status, a.Tags = c.time(), str("succeeded"), tagsFrom(in.TagSpecifications, "network-insights-analysis")
	a.FilterInArns = in.FilterInArns
	c.touch("insights-analysis", id)
	c.st.analyses.put(id, a)
	return &ec2api.StartNetworkInsightsAnalysisResult{NetworkInsightsAnalysis: &ec2api.NetworkInsightsAnalysis{
		NetworkInsightsAnalysisId: a.NetworkInsightsAnalysisId, NetworkInsightsAnalysisArn: a.NetworkInsightsAnalysisArn,
		NetworkInsightsPathId: a.NetworkInsightsPathId, StartDate: a.StartDate, Status: str("running"), Tags: a.Tags,
		FilterInArns: a.FilterInArns}}, nil
}

func describeNetworkInsightsAnalyses(c *call, in *ec2api.DescribeNetworkInsightsAnalysesRequest) (*ec2api.DescribeNetworkInsightsAnalysesResult, error) {
	all := c.st.analyses.all()
	if in.NetworkInsightsPathId != nil {
		all = pick(all, func(a *ec2api.NetworkInsightsAnalysis) bool {
			return val(a.NetworkInsightsPathId) == *in.NetworkInsightsPathId
		})
	}
	as, next, err := describe(query{op: "DescribeNetworkInsightsAnalyses", ids: in.NetworkInsightsAnalysisIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidNetworkInsightsAnalysisId.NotFound", what: "network insights analysis"},
		all, func(a *ec2api.NetworkInsightsAnalysis) string { return val(a.NetworkInsightsAnalysisId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeNetworkInsightsAnalysesResult{NetworkInsightsAnalyses: as, NextToken: next}, nil
}

func deleteNetworkInsightsAnalysis(c *call, in *ec2api.DeleteNetworkInsightsAnalysisRequest) (*ec2api.DeleteNetworkInsightsAnalysisResult, error) {
	id := val(in.NetworkInsightsAnalysisId)
	if !c.st.analyses.has(id) {
		return nil, errorf("InvalidNetworkInsightsAnalysisId.NotFound", "The network insights analysis ID '%s' does not exist", id)
	}
	c.touch("insights-analysis", id)
	c.st.analyses.remove(id)
	return &ec2api.DeleteNetworkInsightsAnalysisResult{NetworkInsightsAnalysisId: str(id)}, nil
}
