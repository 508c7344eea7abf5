package serve

import (
	"net/netip"
	"time"

	"github.com/vpclab/vpclab/internal/ec2api"
)

// VPC peering connections (§7.1), between two VPCs of the lab's account and region.
//
// Lifecycle (§7.1.3): CreateVpcPeeringConnection answers initiating-request and the
// peering is pending-acceptance at once, or failed when the VPCs' blocks overlap (§7.1.2:
// AWS's API reference says the request then "has a status of failed", it is not an error).
// AcceptVpcPeeringConnection answers provisioning; the peering is active after Settle.
// DeleteVpcPeeringConnection makes it deleted; failed and deleted peerings stay visible
// for peeringRetention. A request not accepted in 7 days expires. A route to the peering
// is blackhole until the peering is active and again once it is deleted, as AWS shows it.
// Deleting a VPC deletes its peerings.

func init() {
	register("CreateVpcPeeringConnection", createVpcPeeringConnection)
	register("AcceptVpcPeeringConnection", acceptVpcPeeringConnection)
	register("DescribeVpcPeeringConnections", describeVpcPeeringConnections)
	register("DeleteVpcPeeringConnection", deleteVpcPeeringConnection)
	register("ModifyVpcPeeringConnectionOptions", modifyVpcPeeringConnectionOptions)
}

// peeringRetention is how long a deleted or failed peering stays visible to the account
// that deleted or requested it: two hours, AWS's VPC peering lifecycle says.
const peeringRetention = 2 * time.Hour

// peeringLifetime is how long a request waits for acceptance before it expires (7 days),
// and expiredRetention how long an expired one stays visible (2 days).
const peeringLifetime, expiredRetention = 7 * 24 * time.Hour, 2 * 24 * time.Hour

// peeringStatus is the status code and AWS's message for it.
func (c *call) peeringStatus(code string) *ec2api.VpcPeeringConnectionStateReason {
	msg := map[string]string{
		"initiating-request": "Initiating Request to " + c.s.opt.Account,
		"pending-acceptance": "Pending Acceptance by " + c.s.opt.Account,
		"provisioning":       "Provisioning",
		"active":             "Active",
		"deleted":            "Deleted by " + c.s.opt.Account,
		"failed":             "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range",
		"expired":            "Expired",
	}[code]
	return &ec2api.VpcPeeringConnectionStateReason{Code: str(code), Message: str(msg)}
}

// vpcBlocks are a VPC's associated IPv4 and IPv6 blocks.
func vpcBlocks(v *ec2api.Vpc) (v4 []ec2api.CidrBlock, v6 []ec2api.Ipv6CidrBlock) {
	v4, v6 = []ec2api.CidrBlock{}, []ec2api.Ipv6CidrBlock{}
	for _, a := range v.CidrBlockAssociationSet {
		if a.CidrBlockState == nil || val(a.CidrBlockState.State) == "associated" {
			v4 = append(v4, ec2api.CidrBlock{CidrBlock: a.CidrBlock})
		}
	}
	if len(v4) == 0 && v.CidrBlock != nil { // an imported VPC that lists its primary block only
		v4 = append(v4, ec2api.CidrBlock{CidrBlock: v.CidrBlock})
	}
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState == nil || val(a.Ipv6CidrBlockState.State) == "associated" {
			v6 = append(v6, ec2api.Ipv6CidrBlock{Ipv6CidrBlock: a.Ipv6CidrBlock})
		}
	}
	return v4, v6
}

// peeringSide is a VPC's side of a peering: with its blocks, or (the accepter before
// acceptance, as AWS shows it) only its VPC, owner and region.
func (c *call) peeringSide(v *ec2api.Vpc, withBlocks bool) *ec2api.VpcPeeringConnectionVpcInfo {
	side := &ec2api.VpcPeeringConnectionVpcInfo{VpcId: v.VpcId, OwnerId: str(c.s.opt.Account), Region: str(c.s.opt.Region)}
	if withBlocks {
		side.CidrBlock = v.CidrBlock
		side.CidrBlockSet, side.Ipv6CidrBlockSet = vpcBlocks(v)
	}
	return side
}

// blocksOverlap reports whether any block of a overlaps any of b, IPv4 or IPv6 (§7.1.2).
func blocksOverlap(a, b *ec2api.Vpc) bool {
	prefixes := func(v *ec2api.Vpc) []netip.Prefix {
		v4, v6 := vpcBlocks(v)
		var out []netip.Prefix
		for _, x := range v4 {
			if p, err := netip.ParsePrefix(val(x.CidrBlock)); err == nil {
				out = append(out, p)
			}
		}
		for _, x := range v6 {
			if p, err := netip.ParsePrefix(val(x.Ipv6CidrBlock)); err == nil {
				out = append(out, p)
			}
		}
		return out
	}
	for _, p := range prefixes(a) {
		for _, q := range prefixes(b) {
			if p.Overlaps(q) {
				return true
			}
		}
	}
	return false
}

// filledIn gives an imported peering the members the handlers read, when the answer left
// them out (the loader has reported a side without a VPC, or a peering without a status).
func filledIn(p *ec2api.VpcPeeringConnection) {
	if p.Status == nil {
		p.Status = &ec2api.VpcPeeringConnectionStateReason{}
	}
	for _, side := range []**ec2api.VpcPeeringConnectionVpcInfo{&p.RequesterVpcInfo, &p.AccepterVpcInfo} {
		if *side == nil {
			*side = &ec2api.VpcPeeringConnectionVpcInfo{}
		}
	}
}

// peeringLive reports whether a peering in status code still joins its VPCs (or will).
func peeringLive(code string) bool {
	switch code {
	case "initiating-request", "pending-acceptance", "provisioning", "active":
		return true
	}
	return false
}

func createVpcPeeringConnection(c *call, in *ec2api.CreateVpcPeeringConnectionRequest) (*ec2api.CreateVpcPeeringConnectionResult, error) {
	if err := checkTagSpecs(in.TagSpecifications, "vpc-peering-connection"); err != nil {
		return nil, err
	}
	if in.PeerOwnerId != nil && *in.PeerOwnerId != c.s.opt.Account {
		return nil, errorf("UnsupportedOperation", "vpclab serve peers VPCs of its own account (%s) only, not of %s", c.s.opt.Account, *in.PeerOwnerId)
	}
	if in.PeerRegion != nil && *in.PeerRegion != c.s.opt.Region {
		return nil, errorf("UnsupportedOperation", "vpclab serve peers VPCs of its own region (%s) only, not of %s", c.s.opt.Region, *in.PeerRegion)
	}
	req, err := c.vpc(val(in.VpcId))
	if err != nil {
		return nil, err
	}
	if in.PeerVpcId == nil {
		return nil, errorf("MissingParameter", "The request must contain the parameter PeerVpcId")
	}
	acc, err := c.vpc(*in.PeerVpcId)
	if err != nil {
		return nil, err
	}
	if *req.VpcId == *acc.VpcId {
		return nil, errorf("InvalidParameterValue", "A VPC peering connection cannot peer VPC %s with itself", *req.VpcId)
	}
	for _, p := range c.st.peerings.all() {
		a, b := val(p.RequesterVpcInfo.VpcId), val(p.AccepterVpcInfo.VpcId)
		if peeringLive(val(p.Status.Code)) && (a == *req.VpcId && b == *acc.VpcId || a == *acc.VpcId && b == *req.VpcId) {
			return nil, errorf("VpcPeeringConnectionAlreadyExists", "A VPC peering connection between %s and %s already exists: %s (§7.1.1)",
				*req.VpcId, *acc.VpcId, *p.VpcPeeringConnectionId)
		}
	}
	id := c.newID("pcx")
	exp := c.time().Add(peeringLifetime)
	p := &ec2api.VpcPeeringConnection{VpcPeeringConnectionId: str(id), ExpirationTime: &exp,
		RequesterVpcInfo: c.peeringSide(req, true), AccepterVpcInfo: c.peeringSide(acc, false),
		Status: c.peeringStatus("pending-acceptance"), Tags: tagsFrom(in.TagSpecifications, "vpc-peering-connection")}
	if blocksOverlap(req, acc) {
		p.Status = c.peeringStatus("failed")
	}
	c.s.transient[[2]string{"vpc-peering-connection", id}] = c.s.opt.Now() // it fails, or expires
	c.touch("vpc-peering-connection", id)
	c.st.peerings.put(id, p)
	out := *p
	out.Status = c.peeringStatus("initiating-request") // what CreateVpcPeeringConnection answers, whatever follows
	return &ec2api.CreateVpcPeeringConnectionResult{VpcPeeringConnection: &out}, nil
}

// peering finds a peering by ID, with EC2's errors for a malformed or unknown one.
func (c *call) peering(id string) (*ec2api.VpcPeeringConnection, error) {
	if err := checkID(id, "pcx", "InvalidVpcPeeringConnectionId.Malformed"); err != nil {
		return nil, err
	}
	p := c.st.peerings.get(id)
	if p == nil {
		return nil, notFound("InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnection", id)
	}
	return p, nil
}

// transition refuses a status change AWS does not make, with its InvalidStateTransition.
func transition(p *ec2api.VpcPeeringConnection, to string, from ...string) error {
	for _, f := range from {
		if val(p.Status.Code) == f {
			return nil
		}
	}
	return errorf("InvalidStateTransition", "Invalid state transition for %s, attempted to transition from %s to %s",
		*p.VpcPeeringConnectionId, val(p.Status.Code), to)
}

// AcceptVpcPeeringConnection: pending-acceptance → provisioning, active after Settle. The
// accepter's blocks and both sides' options show from now on.
func acceptVpcPeeringConnection(c *call, in *ec2api.AcceptVpcPeeringConnectionRequest) (*ec2api.AcceptVpcPeeringConnectionResult, error) {
	p, err := c.peering(val(in.VpcPeeringConnectionId))
	if err != nil {
		return nil, err
	}
	if err := transition(p, "provisioning", "pending-acceptance"); err != nil {
		return nil, err
	}
	id := *p.VpcPeeringConnectionId
	c.touch("vpc-peering-connection", id)
	if acc := c.st.vpcs.get(val(p.AccepterVpcInfo.VpcId)); acc != nil {
		p.AccepterVpcInfo = c.peeringSide(acc, true)
	}
	for _, side := range []*ec2api.VpcPeeringConnectionVpcInfo{p.RequesterVpcInfo, p.AccepterVpcInfo} {
		side.PeeringOptions = &ec2api.VpcPeeringConnectionOptionsDescription{AllowDnsResolutionFromRemoteVpc: boolp(false),
			AllowEgressFromLocalClassicLinkToRemoteVpc: boolp(false), AllowEgressFromLocalVpcToRemoteClassicLink: boolp(false)}
	}
	p.ExpirationTime = nil
	p.Status = c.peeringStatus("provisioning")
	c.s.transient[[2]string{"vpc-peering-connection", id}] = c.s.opt.Now()
	out := *p
	return &ec2api.AcceptVpcPeeringConnectionResult{VpcPeeringConnection: &out}, nil
}

func describeVpcPeeringConnections(c *call, in *ec2api.DescribeVpcPeeringConnectionsRequest) (*ec2api.DescribeVpcPeeringConnectionsResult, error) {
	ps, next, err := describe(query{op: "DescribeVpcPeeringConnections", ids: in.VpcPeeringConnectionIds, filters: in.Filters,
		maxResults: in.MaxResults, nextToken: in.NextToken, notFound: "InvalidVpcPeeringConnectionID.NotFound", what: "vpcPeeringConnection"},
		c.st.peerings.all(), func(p *ec2api.VpcPeeringConnection) string { return val(p.VpcPeeringConnectionId) })
	if err != nil {
		return nil, err
	}
	return &ec2api.DescribeVpcPeeringConnectionsResult{VpcPeeringConnections: ps, NextToken: next}, nil
}

// DeleteVpcPeeringConnection: an active, provisioning or pending peering is deleted (a
// failed or deleted one cannot be); routes to it become blackhole.
func deleteVpcPeeringConnection(c *call, in *ec2api.DeleteVpcPeeringConnectionRequest) (*ec2api.DeleteVpcPeeringConnectionResult, error) {
	p, err := c.peering(val(in.VpcPeeringConnectionId))
	if err != nil {
		return nil, err
	}
	if err := transition(p, "deleting", "active", "provisioning", "pending-acceptance"); err != nil {
		return nil, err
	}
	c.peeringDeleted(p)
	c.check(val(p.RequesterVpcInfo.VpcId))
	c.check(val(p.AccepterVpcInfo.VpcId))
	return &ec2api.DeleteVpcPeeringConnectionResult{Return: boolp(true)}, nil
}

// peeringDeleted makes p deleted, visible for the retention, and routes to it blackhole.
func (c *call) peeringDeleted(p *ec2api.VpcPeeringConnection) {
	id := *p.VpcPeeringConnectionId
	c.touch("vpc-peering-connection", id)
	p.Status = c.peeringStatus("deleted")
	p.ExpirationTime = nil
	c.peeringRoutes(id, "blackhole")
	c.s.transient[[2]string{"vpc-peering-connection", id}] = c.s.opt.Now()
}

// deletePeeringsOf deletes the live peerings of a VPC being deleted, as AWS does for a
// VPC of a peering within one account: the other side's routes to them become blackhole.
func (c *call) deletePeeringsOf(vpcID string) {
	for _, p := range c.st.peerings.all() {
		if !peeringLive(val(p.Status.Code)) || val(p.RequesterVpcInfo.VpcId) != vpcID && val(p.AccepterVpcInfo.VpcId) != vpcID {
			continue
		}
		c.peeringDeleted(p)
	}
}

// ModifyVpcPeeringConnectionOptions sets a side's AllowDnsResolutionFromRemoteVpc on an
// active peering (§7.1.14); the ClassicLink options are gone with ClassicLink and stay off.
func modifyVpcPeeringConnectionOptions(c *call, in *ec2api.ModifyVpcPeeringConnectionOptionsRequest) (*ec2api.ModifyVpcPeeringConnectionOptionsResult, error) {
	p, err := c.peering(val(in.VpcPeeringConnectionId))
	if err != nil {
		return nil, err
	}
	if val(p.Status.Code) != "active" {
		return nil, errorf("OperationNotPermitted", "Peering %s is not active (it is %s): its options are set once it is active",
			*p.VpcPeeringConnectionId, val(p.Status.Code))
	}
	if in.RequesterPeeringConnectionOptions == nil && in.AccepterPeeringConnectionOptions == nil {
		return nil, errorf("MissingParameter", "The request must contain the parameter RequesterPeeringConnectionOptions or AccepterPeeringConnectionOptions")
	}
	out := &ec2api.ModifyVpcPeeringConnectionOptionsResult{}
	set := func(req *ec2api.PeeringConnectionOptionsRequest, side *ec2api.VpcPeeringConnectionVpcInfo) (*ec2api.PeeringConnectionOptions, error) {
		if req == nil {
			return nil, nil
		}
		if deref(req.AllowEgressFromLocalClassicLinkToRemoteVpc) || deref(req.AllowEgressFromLocalVpcToRemoteClassicLink) {
			return nil, errorf("UnsupportedOperation", "ClassicLink has been retired: its peering options cannot be enabled")
		}
		if side.PeeringOptions == nil {
			side.PeeringOptions = &ec2api.VpcPeeringConnectionOptionsDescription{AllowDnsResolutionFromRemoteVpc: boolp(false),
				AllowEgressFromLocalClassicLinkToRemoteVpc: boolp(false), AllowEgressFromLocalVpcToRemoteClassicLink: boolp(false)}
		}
		if req.AllowDnsResolutionFromRemoteVpc != nil {
			side.PeeringOptions.AllowDnsResolutionFromRemoteVpc = boolp(*req.AllowDnsResolutionFromRemoteVpc)
		}
		o := side.PeeringOptions
		return &ec2api.PeeringConnectionOptions{AllowDnsResolutionFromRemoteVpc: o.AllowDnsResolutionFromRemoteVpc,
			AllowEgressFromLocalClassicLinkToRemoteVpc: o.AllowEgressFromLocalClassicLinkToRemoteVpc,
			AllowEgressFromLocalVpcToRemoteClassicLink: o.AllowEgressFromLocalVpcToRemoteClassicLink}, nil
	}
	c.touch("vpc-peering-connection", *p.VpcPeeringConnectionId)
	if out.RequesterPeeringConnectionOptions, err = set(in.RequesterPeeringConnectionOptions, p.RequesterVpcInfo); err != nil {
		return nil, err
	}
	if out.AccepterPeeringConnectionOptions, err = set(in.AccepterPeeringConnectionOptions, p.AccepterVpcInfo); err != nil {
		return nil, err
	}
	return out, nil
}

// peeringRoutes sets the state of every route to peering id: blackhole until it is active
// and once it is deleted (§7.1.3).
func (c *call) peeringRoutes(id, state string) {
	for _, rt := range c.st.routeTables.all() {
		for i := range rt.Routes {
			if val(rt.Routes[i].VpcPeeringConnectionId) == id && val(rt.Routes[i].State) != state {
				c.touch("route-table", *rt.RouteTableId)
				rt.Routes[i].State = str(state)
			}
		}
	}
}

// peeringRoute checks a route's peering target: it exists, is not over (deleted, failed),
// and joins the table's VPC. A route to a peering not active yet is made blackhole.
func (c *call) peeringRoute(rt *ec2api.RouteTable, r *ec2api.Route, id string) error {
	p, err := c.peering(id)
	if err != nil {
		return err
	}
	if !peeringLive(val(p.Status.Code)) {
		return notFound("InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnection", id)
	}
	if vpc := val(rt.VpcId); val(p.RequesterVpcInfo.VpcId) != vpc && val(p.AccepterVpcInfo.VpcId) != vpc {
		return errorf("InvalidParameterValue", "route table %s and network gateway %s belong to different networks", *rt.RouteTableId, id)
	}
	r.VpcPeeringConnectionId = str(id)
	if val(p.Status.Code) != "active" {
		r.State = str("blackhole")
	}
	return nil
}

// settlePeering moves a peering on: provisioning → active (its routes with it), a request
// not accepted in peeringLifetime → expired, and forgets a deleted, failed or expired one
// after its retention. The transient mark goes only once
// the new status is seen, so a request that fails (and rolls the settling back) leaves it.
func (s *Server) settlePeering(c *call, id string, age time.Duration) {
	key := [2]string{"vpc-peering-connection", id}
	p := c.st.peerings.get(id)
	if p == nil {
		delete(s.transient, key)
		return
	}
	switch val(p.Status.Code) {
	case "provisioning":
		c.touch("vpc-peering-connection", id)
		p.Status = c.peeringStatus("active")
		c.peeringRoutes(id, "active")
	case "pending-acceptance":
		if age >= peeringLifetime {
			c.touch("vpc-peering-connection", id)
			p.Status = c.peeringStatus("expired")
			p.ExpirationTime = nil
			s.transient[key] = c.s.opt.Now()
		}
	case "deleted", "failed":
		if age >= peeringRetention {
			c.touch("vpc-peering-connection", id)
			c.st.peerings.remove(id)
		}
	case "expired":
		if age >= expiredRetention {
			c.touch("vpc-peering-connection", id)
			c.st.peerings.remove(id)
		}
	default:
		delete(s.transient, key)
	}
}

// findTransientPeerings lists a loaded state's peerings that settle will move on.
func (s *Server) findTransientPeerings() {
	for _, p := range s.st.peerings.all() {
		key := [2]string{"vpc-peering-connection", *p.VpcPeeringConnectionId}
		switch val(p.Status.Code) {
		case "pending-acceptance":
			s.transient[key] = deref(p.ExpirationTime).Add(-peeringLifetime)
		case "provisioning", "deleted", "failed", "expired":
			s.transient[key] = s.opt.Now()
		}
	}
}
