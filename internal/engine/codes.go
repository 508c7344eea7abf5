package engine

// Explanation codes. AWS Reachability Analyzer's own codes (§8) where one fits, so users can
// compare; codes for situations Reachability Analyzer does not model carry the VPCLAB_ prefix
// so they cannot be mistaken for AWS codes.
const (
	CodeSourceDestCheck       = "ENI_SOURCE_DEST_CHECK_RESTRICTION"
	CodeSGRulesMismatch       = "ENI_SG_RULES_MISMATCH"
	CodeSGReferencesNotKept   = "SG_REFERENCES_NOT_PRESERVED"
	CodeSubnetACL             = "SUBNET_ACL_RESTRICTION"
	CodeNoRoute               = "NO_ROUTE_TO_DESTINATION"
	CodeBadStateRoute         = "BAD_STATE_ROUTE"
	CodeBadStateAttachment    = "BAD_STATE_ATTACHMENT"
	CodeBadState              = "BAD_STATE"
	CodeUnknownDestination    = "UNKNOWN_DESTINATION"
	CodeNoPossibleDestination = "NO_POSSIBLE_DESTINATION"
	CodeUnsupportedComponent  = "UNSUPPORTED_COMPONENT"
	// §7.4.5, §7.4.4: gateway VPC endpoints.
	CodeVPCEGatewayProtocol       = "VPCE_GATEWAY_PROTOCOL_RESTRICTION"
	CodeVPCEGatewayEgressSource   = "VPCE_GATEWAY_EGRESS_SOURCE_ADDRESS_RESTRICTION"
	CodeVPCEGatewaySourceNotInVPC = "VPCLAB_VPCE_GATEWAY_SOURCE_NOT_IN_VPC"
	CodeVPCEIntraVPC              = "VPCE_INTRA_VPC_TRAFFIC"
	CodeVPCEInterfaceProtocol     = "VPCLAB_VPCE_INTERFACE_PROTOCOL"
	CodeUnknownResource           = "UNKNOWN_RESOURCE"
	// §13: Gateway Load Balancers and their endpoints.
	CodeVPCEServiceNotInAZ  = "VPCE_SERVICE_NOT_INSTALLED_IN_AZ"
	CodeELBNoTargetsInAZ    = "ELBV2_NO_TARGETS_IN_AZ"
	CodeGWLBNoHealthyTarget = "VPCLAB_GWLB_NO_HEALTHY_TARGET"
	CodeGWLBIdleTimeout     = "VPCLAB_GWLB_IDLE_TIMEOUT"
	CodeGWLBBadGENEVE       = "VPCLAB_GWLB_BAD_GENEVE"       // a target's GENEVE return without AWS's options or for no flow (§13.9)
	CodeGWLBFragment        = "VPCLAB_GWLB_FRAGMENT_DROPPED" // a fragment a target made (§13.11)
	// Application and Network Load Balancers (lb.go).
	CodeELBV2ListenerNoTG        = "ELBV2_LISTENER_HAS_NO_TG"
	CodeELBNotCrossZone          = "ELB_NOT_CROSSZONE"
	CodeELBV2NoListener          = "VPCLAB_ELBV2_NO_LISTENER"
	CodeELBV2NoHealthyTargetInAZ = "VPCLAB_ELBV2_NO_HEALTHY_TARGET_IN_AZ"
	CodeELBV2IdleTimeout         = "VPCLAB_ELBV2_IDLE_TIMEOUT"
	CodeIGWPublicIPEgress        = "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
	CodeIGWPrivateIPIngress      = "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
	CodeIGWDstRFC1918Egress      = "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
	CodeIGWDstRFC6598Egress      = "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"
	CodeIGWSrcRFC1918Ingress     = "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS"
	CodeIGWSrcRFC6598Ingress     = "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS"
	CodeSpoofed                  = "GATEWAY_REJECTS_SPOOFED_TRAFFIC"
	CodeNGWRequiresSourceInVPC   = "NGW_REQUIRES_SOURCE_IN_VPC"
	CodeVGWPrivateIPEgress       = "VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS"
	CodeVGWPrivateIPIngress      = "VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
	CodePCXAddressNotInVPC       = "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"
	CodeUnknownPeeredSGs         = "UNKNOWN_PEERED_SGS"
	CodeSGReferencingSupport     = "SG_REFERENCING_SUPPORT"
	CodeTGWMissingAssociation    = "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION"
	CodeTGWRouteAZRestriction    = "TGW_ROUTE_AZ_RESTRICTION"
	CodeTGWRTBBadStateRoute      = "TGW_RTB_BAD_STATE_ROUTE"
	CodeTGWRTBNoRoute            = "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT"
	CodeTGWBadStateVPN           = "TGW_BAD_STATE_VPN"
	CodeBadStateVPN              = "BAD_STATE_VPN"
	CodeIngressRTBRedirection    = "INGRESS_RTB_TRAFFIC_REDIRECTION"
	CodeIngressRTBNoPublicIP     = "INGRESS_RTB_NO_PUBLIC_IP"

	CodeTTLExceeded            = "VPCLAB_TTL_EXCEEDED"
	CodeRoutingLoop            = "VPCLAB_ROUTING_LOOP"
	CodeNGWUnsupportedProtocol = "VPCLAB_NGW_UNSUPPORTED_PROTOCOL"
	CodeNGWFragment            = "VPCLAB_NGW_FRAGMENT_DROPPED"
	CodeNGWNoSession           = "VPCLAB_NGW_NO_SESSION"
	CodeNGWAddressedToSelf     = "VPCLAB_NGW_ADDRESSED_TO_SELF"
	CodeNGWIdleTimeoutRST      = "VPCLAB_NGW_IDLE_TIMEOUT_RST"
	CodeNGWPortAllocation      = "VPCLAB_NGW_PORT_ALLOCATION"
	CodeNGWHairpin             = "VPCLAB_NGW_HAIRPIN_UNSUPPORTED"
	CodeVGWNoRoute             = "VPCLAB_VGW_NO_ROUTE"
	CodeNotInTopology          = "VPCLAB_ADDRESS_NOT_IN_TOPOLOGY"
	CodeReservedAddress        = "VPCLAB_RESERVED_ADDRESS"
	CodeMTUExceeded            = "VPCLAB_MTU_EXCEEDED"
	CodeAsymmetricInspection   = "VPCLAB_ASYMMETRIC_INSPECTION"
	CodeApplianceNotForwarding = "VPCLAB_APPLIANCE_NOT_FORWARDING"
	CodePeerDNSUnreachable     = "VPCLAB_PEER_DNS_UNREACHABLE"
	CodeDXGWNoTransit          = "VPCLAB_DXGW_NO_TRANSIT"
	CodeVGWEdgeGWLBE           = "VPCLAB_VGW_EDGE_GWLBE"
	CodeVPCLabUnsupported      = "VPCLAB_UNSUPPORTED_COMPONENT"
	CodeNotInSnapshot          = "VPCLAB_NOT_IN_SNAPSHOT"

	// DetailApplianceModeRecommended is Reachability Analyzer's detail code for stateful
	// inspection behind a transit gateway without appliance mode (§7.2.14).
	DetailApplianceModeRecommended = "TRANSIT_GATEWAY_APPLIANCE_MODE_RECOMMENDED"
	// DetailPathThroughGWLBNotChecked is Reachability Analyzer's detail for a path through a
	// GWLB endpoint whose load balancer and targets it cannot see (§13.14): vpclab passes the
	// packet through the endpoint unchanged and says so in the endpoint's hop.
	DetailPathThroughGWLBNotChecked = "PATH_THROUGH_GWLB_NOT_CHECKED"
)

// Network Firewall (§14, §17).
const (
	CodeFirewallRules      = "FIREWALL_RULES_RESTRICTION"
	CodeNFWFragment        = "VPCLAB_NFW_FRAGMENT_DROPPED"
	CodeNFWStreamException = "VPCLAB_NFW_STREAM_EXCEPTION"
	CodeNFWSameSubnet      = "VPCLAB_NFW_SAME_SUBNET"
)
