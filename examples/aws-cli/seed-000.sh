#!/usr/bin/env bash
# Seed 000 built with the AWS CLI, as its author built it in a real account: two subnets
# joined through a private NAT gateway in a third (see examples/east-west-nat/lab.yaml for
# the same lab in YAML). Against vpclab serve:
#
#   vpclab serve --memory &
#   AWS_ENDPOINT_URL=http://127.0.0.1:4566 examples/aws-cli/seed-000.sh
#   vpclab traceroute -t http://127.0.0.1:4566 source 10.0.1.55
#
# With NARROW=1 the destination's security group admits only the source subnet, and the
# analysis at the end reports the drop (ENI_SG_RULES_MISMATCH): the NAT gateway's address
# is not in 10.0.0.0/24. It prints the IDs it made; any failing call stops it.
set -euo pipefail
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" AWS_PAGER=""
ec2() { aws ec2 "$@" --output text; }
tag() { echo "ResourceType=$1,Tags=[{Key=Name,Value=$2}]"; }

vpc=$(ec2 create-vpc --cidr-block 10.0.0.0/16 --tag-specifications "$(tag vpc osaka)" --query Vpc.VpcId)
igw=$(ec2 create-internet-gateway --tag-specifications "$(tag internet-gateway igw)" --query InternetGateway.InternetGatewayId)
ec2 attach-internet-gateway --internet-gateway-id "$igw" --vpc-id "$vpc" >/dev/null

subnet() { ec2 create-subnet --vpc-id "$vpc" --cidr-block "$1" --availability-zone "${AWS_DEFAULT_REGION}a" \
	--tag-specifications "$(tag subnet "$2")" --query Subnet.SubnetId; }
src=$(subnet 10.0.0.0/24 src)
dst=$(subnet 10.0.1.0/24 dst)
nat_subnet=$(subnet 10.0.2.0/24 nat)

table() {
	local rt
	rt=$(ec2 create-route-table --vpc-id "$vpc" --tag-specifications "$(tag route-table "$1")" --query RouteTable.RouteTableId)
	ec2 associate-route-table --route-table-id "$rt" --subnet-id "$2" >/dev/null
	echo "$rt"
}
src_rt=$(table src-rt "$src")
dst_rt=$(table dst-rt "$dst")
table nat-rt "$nat_subnet" >/dev/null

nat=$(ec2 create-nat-gateway --subnet-id "$nat_subnet" --connectivity-type private --private-ip-address 10.0.2.149 \
	--tag-specifications "$(tag natgateway osaka-NAT)" --query NatGateway.NatGatewayId)
aws ec2 wait nat-gateway-available --nat-gateway-ids "$nat"

ec2 create-route --route-table-id "$src_rt" --destination-cidr-block 10.0.1.0/24 --nat-gateway-id "$nat" >/dev/null
ec2 create-route --route-table-id "$src_rt" --destination-cidr-block 0.0.0.0/0 --gateway-id "$igw" >/dev/null
ec2 create-route --route-table-id "$dst_rt" --destination-cidr-block 0.0.0.0/0 --gateway-id "$igw" >/dev/null

group() {
	local sg
	sg=$(ec2 create-security-group --vpc-id "$vpc" --group-name "$1" --description "$1" --query GroupId)
	ec2 authorize-security-group-ingress --group-id "$sg" --protocol all --cidr "$2" >/dev/null
	echo "$sg"
}
vpc_only=$(group vpc-only 10.0.0.0/16)
dst_sg=$vpc_only
if [[ "${NARROW:-}" == 1 ]]; then
	dst_sg=$(group src-subnet-only 10.0.0.0/24)
fi

instance() {
	ec2 run-instances --image-id ami-0123456789abcdef0 --instance-type t3.micro --subnet-id "$1" \
		--private-ip-address "$2" --security-group-ids "$3" --tag-specifications "$(tag instance "$4")" \
		--query 'Instances[0].InstanceId'
}
source=$(instance "$src" 10.0.0.11 "$vpc_only" source)
destination=$(instance "$dst" 10.0.1.55 "$dst_sg" destination)
aws ec2 wait instance-running --instance-ids "$source" "$destination"

path=$(ec2 create-network-insights-path --source "$source" --destination "$destination" --protocol tcp \
	--destination-port 22 --query NetworkInsightsPath.NetworkInsightsPathId)
analysis=$(ec2 start-network-insights-analysis --network-insights-path-id "$path" \
	--query NetworkInsightsAnalysis.NetworkInsightsAnalysisId)
echo "vpc $vpc  nat $nat  source $source  destination $destination"
echo "analysis $analysis: $(ec2 describe-network-insights-analyses --network-insights-analysis-ids "$analysis" \
	--query 'NetworkInsightsAnalyses[0].[NetworkPathFound, Explanations[0].ExplanationCode]')"
