package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// Gateway VPC endpoints for S3 and DynamoDB (§7.4) and the AWS-managed prefix lists their
// routes point at, and interface endpoints of AWS services, with a requester-managed
// interface in each of their subnets (§7.4.11). Gateway Load Balancer endpoints are not
// served yet.

func init() {
	register("CreateVpcEndpoint", createVpcEndpoint)
	register("DescribeVpcEndpoints", describeVpcEndpoints)
	register("ModifyVpcEndpoint", modifyVpcEndpoint)
	register("DeleteVpcEndpoints", deleteVpcEndpoints)
	register("DescribeVpcEndpointServices", describeVpcEndpointServices)
	register("DescribePrefixLists", describePrefixLists)
}

// gatewayServices are the AWS-managed prefix lists of the gateway endpoint services: a
// few of each service's published blocks, the same in every lab (DEFAULTS.md).
var gatewayServices = []struct {
	service string
	cidrs   []string
}{
	{"dynamodb", []string{"3.218.180.0/22", "52.94.0.0/22", "52.119.224.0/20"}},
	{"s3", []string{"3.5.0.0/19", "52.216.0.0/15", "54.231.0.0/16"}},
}

// prefixLists are the served region's AWS-managed prefix lists, in ID order.
func (s *Server) prefixLists() []*ec2api.PrefixList { return prefixLists(s.opt.Region) }

// prefixLists are a region's AWS-managed prefix lists, in ID order.
func prefixLists(region string) []*ec2api.PrefixList {
	var out []*ec2api.PrefixList
	for _, g := range gatewayServices {
		name := "com.amazonaws." + region + "." + g.service
		h := sha256.Sum256([]byte("prefix list " + name))
		out = append(out, &ec2api.PrefixList{PrefixListId: str("pl-" + hex.EncodeToString(h[:4])), PrefixListName: str(name),
			Cidrs: slices.Clone(g.cidrs)})
	}
	slices.SortFunc(out, func(a, b *ec2api.PrefixList) int { return strings.Compare(*a.PrefixListId, *b.PrefixListId) })
	return out
}

// prefixListOf is the prefix list of a gateway service name, or nil.
func (s *Server) prefixListOf(service string) *ec2api.PrefixList {
	for _, p := range s.prefixLists() {
		if *p.PrefixListName == service {
			return p
		}
	}
	return nil
}

func describePrefixLists(c *call, in *ec2api.DescribePrefixListsRequest) (*ec2api.DescribePrefixListsResult, error) {
	ps, next, err := describe(query{op: "DescribePrefixLists", ids: in.PrefixListIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidPrefixListID.NotFound", what: "prefix list"},
		c.s.prefixLists(), func(p *ec2api.PrefixList) string { return *p.PrefixListId })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribePrefixListsResult{PrefixLists: ps, NextToken: next}, nil
}

// interfaceServices are the AWS services served with interface endpoints (short names).
var interfaceServices = []string{"dynamodb", "ec2", "ec2messages", "ecr.api", "ecr.dkr", "kms", "logs", "s3",
	"secretsmanager", "sns", "sqs", "ssm", "ssmmessages", "sts"}

// serviceTypes are the endpoint types a service name is served with in the region: Gateway
// for S3 and DynamoDB, Interface for the interface services; none for any other name.
func (s *Server) serviceTypes(name string) []string {
	var types []string
	if s.prefixListOf(name) != nil {
		types = append(types, "Gateway")
	}
	prefix := "com.amazonaws." + s.opt.Region + "."
	if strings.HasPrefix(name, prefix) && slices.Contains(interfaceServices, name[len(prefix):]) {
		types = append(types, "Interface")
	}
	return types
}

func describeVpcEndpointServices(c *call, in *ec2api.DescribeVpcEndpointServicesRequest) (*ec2api.DescribeVpcEndpointServicesResult, error) {
	out := &ec2api.DescribeVpcEndpointServicesResult{ServiceNames: []string{}, ServiceDetails: []ec2api.ServiceDetail{}}
	for _, name := range c.s.serviceNames() {
		if len(in.ServiceNames) > 0 && !slices.Contains(in.ServiceNames, name) {
			continue
		}
		var types []ec2api.ServiceTypeDetail
		for _, t := range c.s.serviceTypes(name) {
			types = append(types, ec2api.ServiceTypeDetail{ServiceType: str(t)})
		}
		out.ServiceNames = append(out.ServiceNames, name)
		out.ServiceDetails = append(out.ServiceDetails, ec2api.ServiceDetail{ServiceName: str(name), Owner: str("amazon"),
			ServiceType: types, VpcEndpointPolicySupported: boolp(true),
			AcceptanceRequired: boolp(false), ManagesVpcEndpoints: boolp(false), AvailabilityZones: zoneNames(c.s.zones()),
			BaseEndpointDnsNames: []string{}, Tags: []ec2api.Tag{}})
	}
	if len(in.ServiceNames) > len(out.ServiceNames) {
		return nil, errorf("InvalidServiceName", "The Vpc Endpoint Service names %v are not all served: vpclab serves the gateway services of S3 and DynamoDB and the interface services %v", in.ServiceNames, interfaceServices)
	}
	return out, nil
}

// serviceNames are the served endpoint services' full names, sorted.
func (s *Server) serviceNames() []string {
	var out []string
	for _, svc := range interfaceServices {
		out = append(out, "com.amazonaws."+s.opt.Region+"."+svc)
	}
	slices.Sort(out)
	return out
}

func zoneNames(zones []ec2api.AvailabilityZone) []string {
	out := make([]string, len(zones))
	for i, z := range zones {
		out[i] = *z.ZoneName
	}
	return out
}

// fullAccess is the policy an endpoint gets when none is given, as AWS's default.
const fullAccess = `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`

// CreateVpcEndpoint makes a gateway endpoint and its route in each table it names: the
// service's prefix list to the endpoint (§7.4.2).
func createVpcEndpoint(c *call, in *ec2api.CreateVpcEndpointRequest) (*ec2api.CreateVpcEndpointResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "vpc-endpoint"); err != nil {
		return nil, err
	}
	typ := val(in.VpcEndpointType)
	switch typ {
	case "", "Gateway":
	case "Interface":
		return createInterfaceEndpoint(c, in)
	default:
		return nil, errorf("UnsupportedOperation", "vpclab serve makes gateway and interface endpoints only yet, not %s endpoints", typ)
	}
	v, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	pl := c.s.prefixListOf(val(in.ServiceName))
	if pl == nil {
		return nil, errorf("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist", val(in.ServiceName))
	}
	id := c.newID("vpce")
	e := &ec2api.VpcEndpoint{VpcEndpointId: str(id), VpcEndpointType: str("Gateway"), VpcId: v.VpcId, ServiceName: in.ServiceName,
		State: str("available"), PolicyDocument: str(fullAccess), RouteTableIds: []string{}, SubnetIds: []string{},
		Groups: []ec2api.SecurityGroupIdentifier{}, NetworkInterfaceIds: []string{}, DnsEntries: []ec2api.DnsEntry{},
		PrivateDnsEnabled: boolp(false), RequesterManaged: boolp(false), OwnerId: str(c.s.opt.Account), CreationTimestamp: c.time(),
		Tags: tagsFrom(in.TagSpecifications, "vpc-endpoint")}
	if in.PolicyDocument != nil {
		e.PolicyDocument = in.PolicyDocument
	}
	c.touch("vpc-endpoint", id)
	c.st.vpces.put(id, e)
	if err := c.endpointRoutes(e, in.RouteTableIds, nil); err != nil {
		return nil, err
	}
	c.check(*v.VpcId)
	return &ec2api.CreateVpcEndpointResult{VpcEndpoint: e, ClientToken: in.ClientToken}, nil
}

// endpointRoutes associates the endpoint with the tables add names and from those remove
// names: each association is the route of the service's prefix list to the endpoint.
func (c *call) endpointRoutes(e *ec2api.VpcEndpoint, add, remove []string) error {
	pl := c.s.prefixListOf(val(e.ServiceName))
	for _, id := range add {
		rt, err := c.routeTable(id)
		if err != nil {
			return err
		}
		if val(rt.VpcId) != val(e.VpcId) {
			return errorf("InvalidParameterValue", "route table %s is not in the endpoint's VPC %s", id, val(e.VpcId))
		}
		if slices.ContainsFunc(rt.Routes, func(r ec2api.Route) bool { return val(r.DestinationPrefixListId) == *pl.PrefixListId }) {
			return errorf("RouteAlreadyExists", "route table %s already has a route to prefix list %s", id, *pl.PrefixListId)
		}
		c.touch("route-table", id)
		rt.Routes = append(rt.Routes, ec2api.Route{DestinationPrefixListId: pl.PrefixListId, GatewayId: e.VpcEndpointId,
			Origin: str("CreateRoute"), State: str("active")})
		e.RouteTableIds = append(e.RouteTableIds, id)
	}
	for _, id := range remove {
		rt, err := c.routeTable(id)
		if err != nil {
			return err
		}
		if !slices.Contains(e.RouteTableIds, id) {
			return errorf("InvalidParameterValue", "route table %s is not associated with endpoint %s", id, *e.VpcEndpointId)
		}
		c.touch("route-table", id)
		rt.Routes = slices.DeleteFunc(rt.Routes, func(r ec2api.Route) bool { return val(r.GatewayId) == *e.VpcEndpointId })
		e.RouteTableIds = slices.DeleteFunc(e.RouteTableIds, func(x string) bool { return x == id })
	}
	slices.Sort(e.RouteTableIds)
	return nil
}

func describeVpcEndpoints(c *call, in *ec2api.DescribeVpcEndpointsRequest) (*ec2api.DescribeVpcEndpointsResult, error) {
	es, next, err := describe(query{op: "DescribeVpcEndpoints", ids: in.VpcEndpointIds, filters: in.Filters, maxResults: in.MaxResults,
		nextToken: in.NextToken, notFound: "InvalidVpcEndpointId.NotFound", what: "VPC endpoint"},
		c.st.vpces.all(), func(e *ec2api.VpcEndpoint) string { return val(e.VpcEndpointId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeVpcEndpointsResult{VpcEndpoints: es, NextToken: next}, nil
}

func modifyVpcEndpoint(c *call, in *ec2api.ModifyVpcEndpointRequest) (*ec2api.ModifyVpcEndpointResult, error) {
	e := c.st.vpces.get(val(in.VpcEndpointId))
	if e == nil {
		return nil, errorf("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '%s' does not exist", val(in.VpcEndpointId))
	}
	if val(e.VpcEndpointType) == "Interface" {
		return modifyInterfaceEndpoint(c, e, in)
	}
	if len(in.AddSubnetIds)+len(in.RemoveSubnetIds)+len(in.AddSecurityGroupIds)+len(in.RemoveSecurityGroupIds) > 0 || in.PrivateDnsEnabled != nil {
		return nil, errorf("InvalidParameter", "subnets, security groups and private DNS belong to interface endpoints; %s is a gateway endpoint", *e.VpcEndpointId)
	}
	c.touch("vpc-endpoint", *e.VpcEndpointId)
	if err := c.endpointRoutes(e, in.AddRouteTableIds, in.RemoveRouteTableIds); err != nil {
		return nil, err
	}
	switch {
	case deref(in.ResetPolicy):
		e.PolicyDocument = str(fullAccess)
	case in.PolicyDocument != nil:
		e.PolicyDocument = in.PolicyDocument
	}
	c.check(val(e.VpcId))
	return &ec2api.ModifyVpcEndpointResult{Return: boolp(true)}, nil
}

// DeleteVpcEndpoints answers each endpoint it cannot delete in Unsuccessful, as EC2 does,
// and deletes the others with their routes.
func deleteVpcEndpoints(c *call, in *ec2api.DeleteVpcEndpointsRequest) (*ec2api.DeleteVpcEndpointsResult, error) {
	out := &ec2api.DeleteVpcEndpointsResult{Unsuccessful: []ec2api.UnsuccessfulItem{}}
	for _, id := range in.VpcEndpointIds {
		e := c.st.vpces.get(id)
		if e == nil {
			out.Unsuccessful = append(out.Unsuccessful, ec2api.UnsuccessfulItem{ResourceId: str(id),
				Error: &ec2api.UnsuccessfulItemError{Code: str("InvalidVpcEndpoint.NotFound"), Message: str("The Vpc Endpoint Id '" + id + "' does not exist")}})
			continue
		}
		c.touch("vpc-endpoint", id)
		if err := c.endpointRoutes(e, nil, slices.Clone(e.RouteTableIds)); err != nil {
			return nil, err
		}
		c.dropEndpointInterfaces(e, e.SubnetIds)
		c.st.vpces.remove(id)
		c.check(val(e.VpcId))
	}
	return out, nil
}
