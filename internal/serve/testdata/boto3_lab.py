"""Builds a small lab on a vpclab serve with boto3 and prints what the Go test checks.

Usage: python3 boto3_lab.py ENDPOINT_URL

A public subnet with an internet gateway and a NAT gateway, a private subnet routed
through it, a web instance whose group allows port 80 from the private subnet, a client
instance in the private subnet; the boto3 waiters for the NAT gateway and the instances,
the describe_subnets paginator, and Network Insights paths from the client to the web
instance on port 80 (allowed) and 22 (refused by the group). Prints one JSON object.
"""

import json
import sys

import boto3
from botocore.config import Config

FAST = {"Delay": 0.01, "MaxAttempts": 200}


def main(endpoint):
    ec2 = boto3.client(
        "ec2",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    out = {}

    vpc = ec2.create_vpc(
        CidrBlock="10.0.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "boto3-lab"}]}],
    )["Vpc"]["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc], WaiterConfig=FAST)
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)

    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]
    out["nat_created_state"] = nat["State"]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat["NatGatewayId"]], WaiterConfig=FAST)
    described = ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]
    out["nat_state"] = described["State"]
    out["nat_public_ip_matches"] = described["NatGatewayAddresses"][0].get("PublicIp") == eip["PublicIp"]

    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat["NatGatewayId"])
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=private)
    routes = ec2.describe_route_tables(RouteTableIds=[private_rt])["RouteTables"][0]["Routes"]
    out["private_routes"] = sorted(
        r["DestinationCidrBlock"] + " " + (r.get("NatGatewayId") or r.get("GatewayId")) for r in routes
    )

    web_sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web_sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.2.0/24"}]}],
    )

    def run(subnet, ip, groups):
        r = ec2.run_instances(
            ImageId="ami-0123456789abcdef0",
            InstanceType="t3.micro",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet,
            PrivateIpAddress=ip,
            SecurityGroupIds=groups,
        )
        return r["Instances"][0]

    web = run(public, "10.0.1.80", [web_sg])
    client = run(private, "10.0.2.10", [])
    out["instance_created_state"] = web["State"]["Name"]
    ids = [web["InstanceId"], client["InstanceId"]]
    ec2.get_waiter("instance_running").wait(InstanceIds=ids, WaiterConfig=FAST)
    running = ec2.describe_instances(InstanceIds=ids)["Reservations"]
    out["instance_states"] = sorted(i["State"]["Name"] for r in running for i in r["Instances"])

    # Ten more subnets, then the paginator five at a time: every subnet once.
    for i in range(10):
        ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % (100 + i))
    seen, pages = [], 0
    for page in ec2.get_paginator("describe_subnets").paginate(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}], PaginationConfig={"PageSize": 5}
    ):
        pages += 1
        seen += [s["SubnetId"] for s in page["Subnets"]]
    out["paginated_subnets"] = len(seen)
    out["paginated_distinct"] = len(set(seen))
    out["pages"] = pages

    def analyse(port):
        path = ec2.create_network_insights_path(
            Source=client["InstanceId"], Destination=web["InstanceId"], Protocol="tcp", DestinationPort=port
        )["NetworkInsightsPath"]["NetworkInsightsPathId"]
        aid = ec2.start_network_insights_analysis(NetworkInsightsPathId=path)["NetworkInsightsAnalysis"][
            "NetworkInsightsAnalysisId"
        ]
        a = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[aid])["NetworkInsightsAnalyses"][0]
        return {
            "status": a["Status"],
            "found": a["NetworkPathFound"],
            "codes": [e["ExplanationCode"] for e in a.get("Explanations", [])],
            "components": [e["Component"]["Id"] for e in a.get("Explanations", []) if "Component" in e],
            "hops": [c["Component"]["Id"] for c in a.get("ForwardPathComponents", []) if "Component" in c],
        }

    out["web"] = analyse(80)
    out["ssh"] = analyse(22)
    out["ids"] = {"vpc": vpc, "web": web["InstanceId"], "client": client["InstanceId"], "web_sg": web_sg, "nat": nat["NatGatewayId"]}
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
