package serve

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestSDKSecurityGroups: security groups and their rules through aws-sdk-go-v2, the
// paginator and SecurityGroupExists.
func TestSDKSecurityGroups(t *testing.T) {
	c := newSDK(t, Options{})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	cg := ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web servers"),
		VpcId: aws.String(vpc), TagSpecifications: tagSpec(types.ResourceTypeSecurityGroup, "tier", "front")}))(t)
	web := wantID(t, cg.GroupId, "sg")
	if tagsOf(cg.Tags)["tier"] != "front" {
		t.Errorf("CreateSecurityGroup: tags %v", cg.Tags)
	}
	_, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("again"), VpcId: aws.String(vpc)})
	wantCode(t, "a second group named web", err, "InvalidGroup.Duplicate")
	admin := *ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("admin"), Description: aws.String("admins"), VpcId: aws.String(vpc)}))(t).GroupId

	https := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("anyone")}}}
	ssh := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(admin)}}}
	in := ok(c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{https, ssh}}))(t)
	if !aws.ToBool(in.Return) {
		t.Errorf("AuthorizeSecurityGroupIngress returned false")
	}
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{https}})
	wantCode(t, "the same rule again", err, "InvalidPermission.Duplicate")
	db := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.2.0/24")}}}
	ok(c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{db}}))(t)

	rules := func() (ingress, egress []string) {
		t.Helper()
		out := ok(c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{web}}))(t)
		if len(out.SecurityGroups) != 1 {
			t.Fatalf("DescribeSecurityGroups %s: %+v", web, out.SecurityGroups)
		}
		flat := func(ps []types.IpPermission) []string {
			var s []string
			for _, p := range ps {
				port := aws.ToString(p.IpProtocol) + " " + itoa(int(aws.ToInt32(p.FromPort))) + "-" + itoa(int(aws.ToInt32(p.ToPort)))
				for _, r := range p.IpRanges {
					s = append(s, port+" "+aws.ToString(r.CidrIp))
				}
				for _, g := range p.UserIdGroupPairs {
					s = append(s, port+" "+aws.ToString(g.GroupId))
				}
			}
			return s
		}
		g := out.SecurityGroups[0]
		if aws.ToString(g.GroupName) != "web" || aws.ToString(g.Description) != "web servers" || aws.ToString(g.VpcId) != vpc {
			t.Errorf("the group: %+v", g)
		}
		return flat(g.IpPermissions), flat(g.IpPermissionsEgress)
	}
	ingress, egress := rules()
	exactlyOnce(t, "ingress rules", ingress, []string{"tcp 443-443 0.0.0.0/0", "tcp 22-22 " + admin})
	exactlyOnce(t, "egress rules", egress, []string{"-1 0-0 0.0.0.0/0", "tcp 5432-5432 10.0.2.0/24"})

	ok(c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{https}}))(t)
	_, err = c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{https}})
	wantCode(t, "revoking a revoked rule", err, "InvalidPermission.NotFound")
	ok(c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(web), IpPermissions: []types.IpPermission{{
		IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}))(t)
	ingress, egress = rules()
	exactlyOnce(t, "ingress rules after the revoke", ingress, []string{"tcp 22-22 " + admin})
	exactlyOnce(t, "egress rules after the revoke", egress, []string{"tcp 5432-5432 10.0.2.0/24"})

	if err := ec2.NewSecurityGroupExistsWaiter(c, func(o *ec2.SecurityGroupExistsWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{web}}, time.Second); err != nil {
		t.Errorf("SecurityGroupExists: %v", err)
	}

	// admin is referenced by web's rule: not deleted until the rule goes; default never.
	_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(admin)})
	wantCode(t, "deleting a referenced group", err, "DependencyViolation")
	def := ok(c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("group-name", "default")}}))(t)
	if len(def.SecurityGroups) != 1 {
		t.Fatalf("the default group: %+v", def.SecurityGroups)
	}
	_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: def.SecurityGroups[0].GroupId})
	wantCode(t, "deleting the default group", err, "CannotDelete")
	ok(c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(web)}))(t)
	ok(c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(admin)}))(t)
	_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{web}})
	wantCode(t, "describing a deleted group", err, "InvalidGroup.NotFound")

	// The paginator: the default group and eleven more, five to a page, each once.
	want := []string{*def.SecurityGroups[0].GroupId}
	for i := range 11 {
		want = append(want, *ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("g" + itoa(i)),
			Description: aws.String("paged"), VpcId: aws.String(vpc)}))(t).GroupId)
	}
	var seen []string
	for p := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		for _, g := range ok(p.NextPage(ctx))(t).SecurityGroups {
			seen = append(seen, *g.GroupId)
		}
	}
	exactlyOnce(t, "DescribeSecurityGroups pages", seen, want)
}

// TestSDKInstances: instances and their network interfaces through aws-sdk-go-v2, on a
// clock that ticks so an instance is pending, then running, then shutting down, then
// terminated; the waiters poll through each.
func TestSDKInstances(t *testing.T) {
	c := newSDK(t, Options{Now: tickingClock(), Settle: 10 * time.Second})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	subnet := c.mkSubnet(t, vpc, "10.0.1.0/24")
	sg := *ok(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app"), VpcId: aws.String(vpc)}))(t).GroupId

	ri := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), InstanceType: types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(subnet), PrivateIpAddress: aws.String("10.0.1.55"),
		SecurityGroupIds: []string{sg}, TagSpecifications: tagSpec(types.ResourceTypeInstance, "Name", "app-1")}))(t)
	if len(ri.Instances) != 1 {
		t.Fatalf("RunInstances: %+v", ri.Instances)
	}
	wantID(t, ri.ReservationId, "r")
	inst := ri.Instances[0]
	id := wantID(t, inst.InstanceId, "i")
	if inst.State == nil || inst.State.Name != types.InstanceStateNamePending || aws.ToInt32(inst.State.Code) != 0 ||
		aws.ToString(inst.PrivateIpAddress) != "10.0.1.55" || inst.InstanceType != types.InstanceTypeT3Micro ||
		aws.ToString(inst.SubnetId) != subnet || len(inst.SecurityGroups) != 1 || aws.ToString(inst.SecurityGroups[0].GroupId) != sg ||
		len(inst.NetworkInterfaces) != 1 || tagsOf(inst.Tags)["Name"] != "app-1" {
		t.Errorf("RunInstances: %+v", inst)
	}
	eni := wantID(t, inst.NetworkInterfaces[0].NetworkInterfaceId, "eni")
	_, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(subnet), PrivateIpAddress: aws.String("10.0.1.55")})
	wantCode(t, "an address taken", err, "InvalidIPAddress.InUse")

	// InstanceExists at once; InstanceRunning polls while it is pending.
	if err := ec2.NewInstanceExistsWaiter(c, func(o *ec2.InstanceExistsWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, time.Second); err != nil {
		t.Errorf("InstanceExists: %v", err)
	}
	before := c.calls("DescribeInstances")
	if err := ec2.NewInstanceRunningWaiter(c, func(o *ec2.InstanceRunningWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 2*time.Second); err != nil {
		t.Errorf("InstanceRunning: %v", err)
	}
	if polls := c.calls("DescribeInstances") - before; polls < 2 {
		t.Errorf("InstanceRunning polled %d times: the instance was never seen pending", polls)
	}
	// An instance that is running never stops by itself: InstanceStopped gives up in time.
	start := time.Now()
	if err := ec2.NewInstanceStoppedWaiter(c, func(o *ec2.InstanceStoppedWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 100*time.Millisecond); err == nil {
		t.Errorf("InstanceStopped on a running instance succeeded")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("InstanceStopped took %v to give up, past its 100 ms", d)
	}
	// An instance's interface is in use, never available (TestSDKNetworkInterfaces waits for
	// one that is): NetworkInterfaceAvailable gives up too.
	if err := ec2.NewNetworkInterfaceAvailableWaiter(c, func(o *ec2.NetworkInterfaceAvailableWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}}, 100*time.Millisecond); err == nil {
		t.Errorf("NetworkInterfaceAvailable on an attached interface succeeded")
	}

	di := ok(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{filter("instance-state-name", "running"), filter("tag:Name", "app-1")}}))(t)
	if len(di.Reservations) != 1 || len(di.Reservations[0].Instances) != 1 || *di.Reservations[0].Instances[0].InstanceId != id ||
		aws.ToString(di.Reservations[0].Instances[0].PrivateDnsName) != "ip-10-0-1-55.ec2.internal" {
		t.Errorf("DescribeInstances running, Name app-1: %+v", di.Reservations)
	}

	// The interface: its groups and source/destination check, changed through the instance
	// and through the interface, each seen in both.
	dn := ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}}))(t)
	if len(dn.NetworkInterfaces) != 1 || dn.NetworkInterfaces[0].Status != types.NetworkInterfaceStatusInUse ||
		dn.NetworkInterfaces[0].Attachment == nil || aws.ToString(dn.NetworkInterfaces[0].Attachment.InstanceId) != id ||
		!aws.ToBool(dn.NetworkInterfaces[0].SourceDestCheck) || aws.ToString(dn.NetworkInterfaces[0].MacAddress) == "" {
		t.Errorf("DescribeNetworkInterfaces: %+v", dn.NetworkInterfaces)
	}
	ok(c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(id), SourceDestCheck: &types.AttributeBooleanValue{Value: aws.Bool(false)}}))(t)
	def := ok(c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("group-name", "default")}}))(t)
	defID := *def.SecurityGroups[0].GroupId
	ok(c.ModifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: aws.String(eni), Groups: []string{sg, defID}}))(t)
	dn = ok(c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filter("attachment.instance-id", id)}}))(t)
	if len(dn.NetworkInterfaces) != 1 || aws.ToBool(dn.NetworkInterfaces[0].SourceDestCheck) || len(dn.NetworkInterfaces[0].Groups) != 2 {
		t.Errorf("the interface after the changes: %+v", dn.NetworkInterfaces)
	}
	di = ok(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}))(t)
	if got := di.Reservations[0].Instances[0]; aws.ToBool(got.SourceDestCheck) || len(got.SecurityGroups) != 2 {
		t.Errorf("the instance after the changes: source/dest check %v, groups %+v", aws.ToBool(got.SourceDestCheck), got.SecurityGroups)
	}
	_, err = c.ModifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: aws.String(eni), Groups: []string{"sg-0123456789abcdef0"}})
	wantCode(t, "an unknown group", err, "InvalidGroup.NotFound")

	// Terminate: shutting-down, then terminated (InstanceTerminated polls), the interface gone.
	tr := ok(c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}))(t)
	if len(tr.TerminatingInstances) != 1 || tr.TerminatingInstances[0].PreviousState.Name != types.InstanceStateNameRunning ||
		tr.TerminatingInstances[0].CurrentState.Name != types.InstanceStateNameShuttingDown {
		t.Errorf("TerminateInstances: %+v", tr.TerminatingInstances)
	}
	before = c.calls("DescribeInstances")
	if err := ec2.NewInstanceTerminatedWaiter(c, func(o *ec2.InstanceTerminatedWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 2*time.Second); err != nil {
		t.Errorf("InstanceTerminated: %v", err)
	}
	if polls := c.calls("DescribeInstances") - before; polls < 2 {
		t.Errorf("InstanceTerminated polled %d times: the instance was never seen shutting down", polls)
	}
	_, err = c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}})
	wantCode(t, "the terminated instance's interface", err, "InvalidNetworkInterfaceID.NotFound")
	_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	wantCode(t, "terminating an unknown instance", err, "InvalidInstanceID.NotFound")

	// Paginators: twelve instances in one reservation, five to a page, each once, and
	// their interfaces.
	many := ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(12), MaxCount: aws.Int32(12),
		SubnetId: aws.String(subnet)}))(t)
	var want, wantENIs []string
	for _, i := range many.Instances {
		want = append(want, *i.InstanceId)
		wantENIs = append(wantENIs, *i.NetworkInterfaces[0].NetworkInterfaceId)
	}
	var seen []string
	for p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5),
		Filters: []types.Filter{filter("reservation-id", *many.ReservationId)}}); p.HasMorePages(); {
		out := ok(p.NextPage(ctx))(t)
		n := 0
		for _, r := range out.Reservations {
			for _, i := range r.Instances {
				seen = append(seen, *i.InstanceId)
				n++
			}
		}
		if n > 5 {
			t.Errorf("a page of %d instances", n)
		}
	}
	exactlyOnce(t, "DescribeInstances pages", seen, want)
	seen = nil
	for p := ec2.NewDescribeNetworkInterfacesPaginator(c, &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		for _, e := range ok(p.NextPage(ctx))(t).NetworkInterfaces {
			seen = append(seen, *e.NetworkInterfaceId)
		}
	}
	exactlyOnce(t, "DescribeNetworkInterfaces pages", seen, wantENIs)
}

// TestSDKNatGatewaysAndAddresses: Elastic IPs and NAT gateways through aws-sdk-go-v2, on a
// ticking clock so NatGatewayAvailable and NatGatewayDeleted poll through pending and
// deleting.
func TestSDKNatGatewaysAndAddresses(t *testing.T) {
	c := newSDK(t, Options{Now: tickingClock(), Settle: 10 * time.Second})
	vpc := c.mkVpc(t, "10.0.0.0/16")
	public := c.mkSubnet(t, vpc, "10.0.1.0/24")
	igw := *ok(c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{}))(t).InternetGateway.InternetGatewayId
	ok(c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)}))(t)

	al := ok(c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc,
		TagSpecifications: tagSpec(types.ResourceTypeElasticIp, "Name", "nat")}))(t)
	eip := wantID(t, al.AllocationId, "eipalloc")
	if al.Domain != types.DomainTypeVpc || !strings.HasPrefix(aws.ToString(al.PublicIp), "3.") {
		t.Errorf("AllocateAddress: %+v", al)
	}
	cn := ok(c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(public), AllocationId: aws.String(eip),
		TagSpecifications: tagSpec(types.ResourceTypeNatgateway, "Name", "egress")}))(t)
	nat := wantID(t, cn.NatGateway.NatGatewayId, "nat")
	if cn.NatGateway.State != types.NatGatewayStatePending || cn.NatGateway.ConnectivityType != types.ConnectivityTypePublic ||
		len(cn.NatGateway.NatGatewayAddresses) != 1 || aws.ToString(cn.NatGateway.NatGatewayAddresses[0].PublicIp) != aws.ToString(al.PublicIp) {
		t.Errorf("CreateNatGateway: %+v", *cn.NatGateway)
	}
	_, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(public), AllocationId: aws.String(eip)})
	wantCode(t, "a second NAT gateway on the same address", err, "Resource.AlreadyAssociated")
	_, err = c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(eip)})
	wantCode(t, "releasing the NAT gateway's address", err, "InvalidIPAddress.InUse")

	before := c.calls("DescribeNatGateways")
	if err := ec2.NewNatGatewayAvailableWaiter(c, func(o *ec2.NatGatewayAvailableWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{nat}}, 2*time.Second); err != nil {
		t.Errorf("NatGatewayAvailable: %v", err)
	}
	if polls := c.calls("DescribeNatGateways") - before; polls < 2 {
		t.Errorf("NatGatewayAvailable polled %d times: the gateway was never seen pending", polls)
	}
	// An available gateway is never deleted by itself: NatGatewayDeleted gives up in time.
	start := time.Now()
	if err := ec2.NewNatGatewayDeletedWaiter(c, func(o *ec2.NatGatewayDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{nat}}, 100*time.Millisecond); err == nil {
		t.Errorf("NatGatewayDeleted on an available gateway succeeded")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("NatGatewayDeleted took %v to give up, past its 100 ms", d)
	}
	dn := ok(c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{Filter: []types.Filter{filter("state", "available"), filter("vpc-id", vpc)}}))(t)
	if len(dn.NatGateways) != 1 || *dn.NatGateways[0].NatGatewayId != nat || aws.ToString(dn.NatGateways[0].SubnetId) != public ||
		tagsOf(dn.NatGateways[0].Tags)["Name"] != "egress" || aws.ToString(dn.NatGateways[0].NatGatewayAddresses[0].PrivateIp) == "" {
		t.Errorf("DescribeNatGateways available in the VPC: %+v", dn.NatGateways)
	}

	// A second address on an instance: associated, described, disassociated, released.
	inst := *ok(c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(public)}))(t).Instances[0].InstanceId
	al2 := ok(c.AllocateAddress(ctx, &ec2.AllocateAddressInput{}))(t)
	if aws.ToString(al2.PublicIp) == aws.ToString(al.PublicIp) {
		t.Errorf("two allocations gave the same address %s", aws.ToString(al.PublicIp))
	}
	as := ok(c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: al2.AllocationId, InstanceId: aws.String(inst)}))(t)
	assoc := wantID(t, as.AssociationId, "eipassoc")
	_, err = c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: al2.AllocationId, InstanceId: aws.String(inst)})
	wantCode(t, "associating an associated address", err, "Resource.AlreadyAssociated")
	da := ok(c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{*al2.AllocationId}}))(t)
	if len(da.Addresses) != 1 || aws.ToString(da.Addresses[0].InstanceId) != inst || aws.ToString(da.Addresses[0].AssociationId) != assoc ||
		!strings.HasPrefix(aws.ToString(da.Addresses[0].PrivateIpAddress), "10.0.1.") {
		t.Errorf("DescribeAddresses of the associated address: %+v", da.Addresses)
	}
	di := ok(c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{inst}}))(t)
	if got := aws.ToString(di.Reservations[0].Instances[0].PublicIpAddress); got != aws.ToString(al2.PublicIp) {
		t.Errorf("the instance's public address is %q, want %s", got, aws.ToString(al2.PublicIp))
	}
	ok(c.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: aws.String(assoc)}))(t)
	_, err = c.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: aws.String(assoc)})
	wantCode(t, "disassociating twice", err, "InvalidAssociationID.NotFound")
	ok(c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: al2.AllocationId}))(t)
	_, err = c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{*al2.AllocationId}})
	wantCode(t, "describing a released address", err, "InvalidAllocationID.NotFound")

	// Delete: deleting, then deleted (NatGatewayDeleted polls). A private gateway, for now:
	// DeleteNatGateway of a public one answers InvalidParameterValue, because model.Validate
	// (publicIPs) counts the deleting gateway's address, still listed as AWS lists it, and
	// the Elastic IP it freed as two holders of one public IP.
	private := c.mkSubnet(t, vpc, "10.0.2.0/24")
	pn := ok(c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(private), ConnectivityType: types.ConnectivityTypePrivate}))(t)
	pnat := wantID(t, pn.NatGateway.NatGatewayId, "nat")
	if pn.NatGateway.ConnectivityType != types.ConnectivityTypePrivate || aws.ToString(pn.NatGateway.NatGatewayAddresses[0].PublicIp) != "" {
		t.Errorf("CreateNatGateway private: %+v", *pn.NatGateway)
	}
	dl := ok(c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(pnat)}))(t)
	if aws.ToString(dl.NatGatewayId) != pnat {
		t.Errorf("DeleteNatGateway answered %s", aws.ToString(dl.NatGatewayId))
	}
	before = c.calls("DescribeNatGateways")
	if err := ec2.NewNatGatewayDeletedWaiter(c, func(o *ec2.NatGatewayDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = pollMin, pollMax }).
		Wait(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{pnat}}, 2*time.Second); err != nil {
		t.Errorf("NatGatewayDeleted: %v", err)
	}
	if polls := c.calls("DescribeNatGateways") - before; polls < 2 {
		t.Errorf("NatGatewayDeleted polled %d times: the gateway was never seen deleting", polls)
	}
	if got := ok(c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{pnat}}))(t); len(got.NatGateways) != 1 ||
		got.NatGateways[0].State != types.NatGatewayStateDeleted || got.NatGateways[0].DeleteTime == nil {
		t.Errorf("the deleted gateway: %+v", got.NatGateways)
	}
	_, err = c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(pnat)})
	wantCode(t, "deleting a deleted gateway", err, "NatGatewayNotFound")

	// The paginator: the two gateways and twelve more, five to a page, each once (the
	// deleted one is still listed, as AWS lists it for an hour).
	want := []string{nat, pnat}
	for range 12 {
		want = append(want, *ok(c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(private),
			ConnectivityType: types.ConnectivityTypePrivate}))(t).NatGateway.NatGatewayId)
	}
	var seen []string
	for p := ec2.NewDescribeNatGatewaysPaginator(c, &ec2.DescribeNatGatewaysInput{MaxResults: aws.Int32(5)}); p.HasMorePages(); {
		out := ok(p.NextPage(ctx))(t)
		if len(out.NatGateways) > 5 {
			t.Errorf("a page of %d NAT gateways", len(out.NatGateways))
		}
		for _, n := range out.NatGateways {
			seen = append(seen, *n.NatGatewayId)
		}
	}
	exactlyOnce(t, "DescribeNatGateways pages", seen, want)

	// DescribeAddresses has no paginator and the server does not page it: the NAT
	// gateway's address and twelve more come in one answer, each once.
	wantEIPs := []string{eip}
	for range 12 {
		wantEIPs = append(wantEIPs, *ok(c.AllocateAddress(ctx, &ec2.AllocateAddressInput{}))(t).AllocationId)
	}
	var eips []string
	for _, a := range ok(c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{}))(t).Addresses {
		eips = append(eips, aws.ToString(a.AllocationId))
	}
	exactlyOnce(t, "DescribeAddresses", eips, wantEIPs)
}
