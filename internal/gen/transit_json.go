package gen

import (
	"time"

	"github.com/vpclab/vpclab/internal/model"
)

// The answers of what joins VPCs: describe-vpc-peering-connections (§9.4), and the transit
// gateway calls of §9.5. The per-table calls (search-transit-gateway-routes,
// get-transit-gateway-route-table-propagations) do not name their table; they are written in
// Batfish's wrappers, one element per table with its TransitGatewayRouteTableId.

// tgwASN is AWS's default Amazon side ASN of a transit gateway.
const tgwASN = 64512

type peeringJSON struct {
	AccepterVpcInfo        peeringVPCJSON
	ExpirationTime         string `json:",omitempty"`
	RequesterVpcInfo       peeringVPCJSON
	Status                 statusJSON
	Tags                   []awsTag
	VpcPeeringConnectionId string
}

type statusJSON struct{ Code, Message string }

type peeringVPCJSON struct {
	CidrBlock        string `json:",omitempty"`
	CidrBlockSet     []struct{ CidrBlock string }
	Ipv6CidrBlockSet []struct{ Ipv6CidrBlock string } `json:",omitempty"`
	OwnerId          string
	PeeringOptions   *peeringOptionsJSON `json:",omitempty"`
	Region           string
	VpcId            string
}

type peeringOptionsJSON struct {
	AllowDnsResolutionFromRemoteVpc            bool
	AllowEgressFromLocalClassicLinkToRemoteVpc bool
	AllowEgressFromLocalVpcToRemoteClassicLink bool
}

// peeringMessages are the Status.Message AWS gives a peering's codes (§7.1.3).
var peeringMessages = map[string]string{
	"initiating-request": "Initiating Request", "pending-acceptance": "Pending Acceptance", "provisioning": "Provisioning",
	"active": "Active", "rejected": "Rejected", "expired": "Expired", "failed": "Failed", "deleting": "Deleting", "deleted": "Deleted",
}

func (w *writer) peering(p *model.VPCPeering) peeringJSON {
	code := p.Status
	if code == "" {
		code = model.StateActive
	}
	out := peeringJSON{Status: statusJSON{code, peeringMessages[code]}, Tags: tagList(p.Name, p.Tags),
		VpcPeeringConnectionId: string(p.ID)}
	if code == "pending-acceptance" { // an unaccepted request expires after 7 days
		t, _ := time.Parse(time.RFC3339, created(string(p.ID)))
		out.ExpirationTime = t.Add(7 * 24 * time.Hour).Format(time.RFC3339)
	}
	side := func(s model.PeeringSide) peeringVPCJSON {
		sj := peeringVPCJSON{CidrBlockSet: []struct{ CidrBlock string }{}, OwnerId: orOwner(s.Account, w.owner),
			Region: s.Region, VpcId: string(s.VPC)}
		if sj.Region == "" {
			sj.Region = w.vpcRegion(s.VPC)
		}
		for i, c := range s.CIDRs {
			if i == 0 {
				sj.CidrBlock = c.String()
			}
			sj.CidrBlockSet = append(sj.CidrBlockSet, struct{ CidrBlock string }{c.String()})
		}
		for _, c := range s.IPv6CIDRs {
			sj.Ipv6CidrBlockSet = append(sj.Ipv6CidrBlockSet, struct{ Ipv6CidrBlock string }{c.String()})
		}
		// AWS shows the options of an active peering only.
		if code == model.StateActive || s.AllowDNS {
			sj.PeeringOptions = &peeringOptionsJSON{AllowDnsResolutionFromRemoteVpc: s.AllowDNS}
		}
		return sj
	}
	out.RequesterVpcInfo, out.AccepterVpcInfo = side(p.Requester), side(p.Accepter)
	return out
}

type tgwJSON struct {
	CreationTime      string
	Description       string
	Options           tgwOptionsJSON
	OwnerId           string
	State             string
	Tags              []awsTag
	TransitGatewayArn string
	TransitGatewayId  string
}

type tgwOptionsJSON struct {
	AmazonSideAsn                   int64
	AssociationDefaultRouteTableId  string `json:",omitempty"`
	AutoAcceptSharedAttachments     string
	DefaultRouteTableAssociation    string
	DefaultRouteTablePropagation    string
	DnsSupport                      string
	MulticastSupport                string
	PropagationDefaultRouteTableId  string `json:",omitempty"`
	SecurityGroupReferencingSupport string
	TransitGatewayCidrBlocks        []string `json:",omitempty"`
	VpnEcmpSupport                  string
}

// enable is an option as the transit gateway calls print it.
func enable(on bool) string {
	if on {
		return "enable"
	}
	return "disable"
}

func orOwner(account, owner string) string {
	if account == "" {
		return owner
	}
	return account
}

func (w *writer) tgw(g *model.TransitGateway) tgwJSON {
	owner, reg := orOwner(g.Account, w.owner), w.tgwRegion(g.ID)
	out := tgwJSON{CreationTime: created(string(g.ID)), OwnerId: owner, State: g.State, Tags: tagList(g.Name, g.Tags),
		TransitGatewayArn: "arn:aws:ec2:" + reg + ":" + owner + ":transit-gateway/" + string(g.ID), TransitGatewayId: string(g.ID),
		Options: tgwOptionsJSON{AmazonSideAsn: g.ASN, AutoAcceptSharedAttachments: "disable",
			DefaultRouteTableAssociation: enable(g.DefaultAssociation), DefaultRouteTablePropagation: enable(g.DefaultPropagation),
			DnsSupport: enable(g.DNSSupport), MulticastSupport: "disable", SecurityGroupReferencingSupport: enable(g.SGReferencing),
			VpnEcmpSupport: enable(g.VPNECMP), AssociationDefaultRouteTableId: string(g.AssociationDefaultTable),
			PropagationDefaultRouteTableId: string(g.PropagationDefaultTable)}}
	if out.State == "" {
		out.State = model.StateAvailable
	}
	if out.Options.AmazonSideAsn == 0 {
		out.Options.AmazonSideAsn = tgwASN
	}
	for _, c := range g.CIDRBlocks {
		out.Options.TransitGatewayCidrBlocks = append(out.Options.TransitGatewayCidrBlocks, c.String())
	}
	return out
}

type tgwAttachmentJSON struct {
	Association                *tgwAssocJSON `json:",omitempty"`
	CreationTime               string
	ResourceId                 string
	ResourceOwnerId            string
	ResourceType               string
	State                      string
	Tags                       []awsTag
	TransitGatewayAttachmentId string
	TransitGatewayId           string
	TransitGatewayOwnerId      string
}

type tgwAssocJSON struct{ State, TransitGatewayRouteTableId string }

func attachmentState(a *model.TGWAttachment) string {
	if a.State == "" {
		return model.StateAvailable
	}
	return a.State
}

func (w *writer) tgwAttachment(a *model.TGWAttachment) tgwAttachmentJSON {
	owner := w.owner
	if a.PeerTransitGateway != "" { // the resource of a peering is the peer transit gateway
		owner = orOwner(a.PeerAccount, w.tgwOwner(a.PeerTransitGateway))
	}
	out := tgwAttachmentJSON{CreationTime: created(string(a.ID)), ResourceId: a.ResourceID, ResourceOwnerId: orOwner(a.ResourceOwner, owner),
		ResourceType: string(a.Type), State: attachmentState(a), Tags: tagList(a.Name, a.Tags), TransitGatewayAttachmentId: string(a.ID),
		TransitGatewayId: string(a.TransitGateway), TransitGatewayOwnerId: w.tgwOwner(a.TransitGateway)}
	if a.Association != "" {
		st := a.AssociationState
		if st == "" {
			st = model.StateAssociated
		}
		out.Association = &tgwAssocJSON{State: st, TransitGatewayRouteTableId: string(a.Association)}
	}
	return out
}

type tgwVPCAttachmentJSON struct {
	CreationTime string
	Options      struct {
		ApplianceModeSupport, DnsSupport, Ipv6Support, SecurityGroupReferencingSupport string
	}
	State                      string
	SubnetIds                  []string
	Tags                       []awsTag
	TransitGatewayAttachmentId string
	TransitGatewayId           string
	VpcId                      string
	VpcOwnerId                 string
}

func (w *writer) tgwVPCAttachment(a *model.TGWAttachment) tgwVPCAttachmentJSON {
	out := tgwVPCAttachmentJSON{CreationTime: created(string(a.ID)), State: attachmentState(a), SubnetIds: []string{},
		Tags: tagList(a.Name, a.Tags), TransitGatewayAttachmentId: string(a.ID), TransitGatewayId: string(a.TransitGateway),
		VpcId: a.ResourceID, VpcOwnerId: orOwner(a.ResourceOwner, w.owner)}
	out.Options.ApplianceModeSupport, out.Options.DnsSupport = enable(a.ApplianceMode), enable(a.DNSSupport)
	out.Options.Ipv6Support, out.Options.SecurityGroupReferencingSupport = enable(a.IPv6Support), enable(a.SGReferencing)
	for _, s := range a.Subnets {
		out.SubnetIds = append(out.SubnetIds, string(s))
	}
	return out
}

type tgwPeeringAttachmentJSON struct {
	AccepterTgwInfo            tgwInfoJSON
	CreationTime               string
	RequesterTgwInfo           tgwInfoJSON
	State                      string
	Status                     statusJSON
	Tags                       []awsTag
	TransitGatewayAttachmentId string
}

type tgwInfoJSON struct{ OwnerId, Region, TransitGatewayId string }

// tgwPeeringAttachment prints a peering attachment once, from the end listed first: its
// transit gateway as the requester, the peer as the accepter.
func (w *writer) tgwPeeringAttachment(a *model.TGWAttachment) tgwPeeringAttachmentJSON {
	st := attachmentState(a)
	peerRegion := a.PeerRegion
	if peerRegion == "" {
		peerRegion = w.tgwRegion(a.PeerTransitGateway)
	}
	return tgwPeeringAttachmentJSON{CreationTime: created(string(a.ID)), State: st, Status: statusJSON{st, ""},
		Tags: tagList(a.Name, a.Tags), TransitGatewayAttachmentId: string(a.ID),
		RequesterTgwInfo: tgwInfoJSON{w.tgwOwner(a.TransitGateway), w.tgwRegion(a.TransitGateway), string(a.TransitGateway)},
		AccepterTgwInfo:  tgwInfoJSON{orOwner(a.PeerAccount, w.tgwOwner(a.PeerTransitGateway)), peerRegion, string(a.PeerTransitGateway)}}
}

type tgwRouteTableJSON struct {
	CreationTime                 string
	DefaultAssociationRouteTable bool
	DefaultPropagationRouteTable bool
	State                        string
	Tags                         []awsTag
	TransitGatewayId             string
	TransitGatewayRouteTableId   string
}

func (w *writer) tgwRouteTable(rt *model.TGWRouteTable) tgwRouteTableJSON {
	out := tgwRouteTableJSON{CreationTime: created(string(rt.ID)), DefaultAssociationRouteTable: rt.DefaultAssociation,
		DefaultPropagationRouteTable: rt.DefaultPropagation, State: rt.State, Tags: tagList(rt.Name, rt.Tags),
		TransitGatewayId: string(rt.TransitGateway), TransitGatewayRouteTableId: string(rt.ID)}
	if out.State == "" {
		out.State = model.StateAvailable
	}
	return out
}

// tgwRoutesJSON is one element of Batfish's TransitGatewayStaticRoutes: a table's answer to
// search-transit-gateway-routes.
type tgwRoutesJSON struct {
	AdditionalRoutesAvailable  bool
	Routes                     []tgwRouteJSON
	TransitGatewayRouteTableId string
}

type tgwRouteJSON struct {
	DestinationCidrBlock      string `json:",omitempty"`
	PrefixListId              string `json:",omitempty"`
	State                     string
	TransitGatewayAttachments []tgwAttachmentRefJSON `json:",omitempty"` // absent for a blackhole
	Type                      string
}

type tgwAttachmentRefJSON struct{ ResourceId, ResourceType, TransitGatewayAttachmentId string }

// attachmentRef names an attachment as the per-table calls do, with its resource; the end of
// a peering attachment on the table's own transit gateway.
func (w *writer) attachmentRef(id model.TGWAttachmentID, g model.TransitGatewayID) tgwAttachmentRefJSON {
	ref := tgwAttachmentRefJSON{TransitGatewayAttachmentId: string(id)}
	for i, a := range w.attachments[id] {
		if i == 0 || a.TransitGateway == g {
			ref.ResourceId, ref.ResourceType = a.ResourceID, string(a.Type)
		}
	}
	return ref
}

// tgwRoutes prints every route the table holds: static and propagated when the routes were
// searched, the static routes of a lab otherwise.
func (w *writer) tgwRoutes(rt *model.TGWRouteTable) tgwRoutesJSON {
	out := tgwRoutesJSON{Routes: []tgwRouteJSON{}, TransitGatewayRouteTableId: string(rt.ID)}
	for _, r := range rt.Routes {
		rj := tgwRouteJSON{State: r.State, Type: r.Type, PrefixListId: string(r.PrefixList)}
		if r.Destination.IsValid() {
			rj.DestinationCidrBlock = r.Destination.String()
		}
		if rj.Type == "" {
			rj.Type = model.TGWRouteStatic
		}
		if rj.State == "" {
			rj.State = model.TGWRouteActive
			if len(r.Attachments) == 0 {
				rj.State = model.TGWRouteBlackhole
			}
		}
		for _, id := range r.Attachments {
			rj.TransitGatewayAttachments = append(rj.TransitGatewayAttachments, w.attachmentRef(id, rt.TransitGateway))
		}
		out.Routes = append(out.Routes, rj)
	}
	return out
}

// tgwPropagationsJSON is one element of Batfish's TransitGatewayPropagations: a table's
// answer to get-transit-gateway-route-table-propagations.
type tgwPropagationsJSON struct {
	TransitGatewayRouteTableId           string
	TransitGatewayRouteTablePropagations []tgwTableEntryJSON
}

type tgwTableEntryJSON struct{ ResourceId, ResourceType, State, TransitGatewayAttachmentId string }

func (w *writer) tgwPropagations(rt *model.TGWRouteTable) tgwPropagationsJSON {
	out := tgwPropagationsJSON{TransitGatewayRouteTableId: string(rt.ID), TransitGatewayRouteTablePropagations: []tgwTableEntryJSON{}}
	for _, id := range rt.Propagations {
		ref := w.attachmentRef(id, rt.TransitGateway)
		out.TransitGatewayRouteTablePropagations = append(out.TransitGatewayRouteTablePropagations,
			tgwTableEntryJSON{ResourceId: ref.ResourceId, ResourceType: ref.ResourceType, State: "enabled", TransitGatewayAttachmentId: string(id)})
	}
	return out
}

// tgwPrefixListRefJSON is one answer of get-transit-gateway-prefix-list-references; each
// names its table.
type tgwPrefixListRefJSON struct {
	Blackhole                  bool
	PrefixListId               string
	PrefixListOwnerId          string
	State                      string
	TransitGatewayAttachment   *tgwAttachmentRefJSON `json:",omitempty"`
	TransitGatewayRouteTableId string
}

type tableRef struct {
	table *model.TGWRouteTable
	ref   model.TGWPrefixListReference
}

func (w *writer) tgwPrefixListRef(x tableRef) tgwPrefixListRefJSON {
	out := tgwPrefixListRefJSON{Blackhole: x.ref.Blackhole, PrefixListId: string(x.ref.PrefixList), PrefixListOwnerId: w.owner,
		State: "available", TransitGatewayRouteTableId: string(x.table.ID)}
	if x.ref.Attachment != "" && !x.ref.Blackhole {
		ref := w.attachmentRef(x.ref.Attachment, x.table.TransitGateway)
		out.TransitGatewayAttachment = &ref
	}
	return out
}

// vpcRegion is the region of a VPC: its own, else its subnets' zone's.
func (w *writer) vpcRegion(id model.VPCID) string {
	if r := w.regions[string(id)]; r != "" {
		return r
	}
	return estateRegion
}

// tgwRegion is a transit gateway's region: its own, else that of a VPC it attaches.
func (w *writer) tgwRegion(id model.TransitGatewayID) string {
	if r := w.regions[string(id)]; r != "" {
		return r
	}
	return estateRegion
}

func (w *writer) tgwOwner(id model.TransitGatewayID) string {
	if g := w.tgws[id]; g != nil && g.Account != "" {
		return g.Account
	}
	return w.owner
}
