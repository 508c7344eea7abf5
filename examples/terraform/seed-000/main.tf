# Seed 000 in Terraform: east-west traffic between two subnets through a private NAT
# gateway (examples/east-west-nat/lab.yaml is the same lab in YAML). Against vpclab serve:
#
#   vpclab serve --memory &
#   terraform init && terraform apply -auto-approve
#   vpclab traceroute -t http://127.0.0.1:4566 source 10.0.1.55   # hop 1 is 10.0.2.149
#
# Set narrow = true and apply again: the destination's group then admits the source subnet
# only, and the analysis reports ENI_SG_RULES_MISMATCH (the NAT gateway's address is not in
# 10.0.0.0/24).
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "endpoint" {
  description = "the vpclab serve to build the lab in"
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "narrow" {
  description = "narrow the destination's security group to the source subnet"
  type        = bool
  default     = false
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
  }
}

resource "aws_vpc" "osaka" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = "osaka" }
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.osaka.id
  tags   = { Name = "igw" }
}

locals {
  subnets = { src = "10.0.0.0/24", dst = "10.0.1.0/24", nat = "10.0.2.0/24" }
}

resource "aws_subnet" "s" {
  for_each          = local.subnets
  vpc_id            = aws_vpc.osaka.id
  cidr_block        = each.value
  availability_zone = "us-east-1a"
  tags              = { Name = each.key }
}

resource "aws_nat_gateway" "osaka" {
  connectivity_type = "private"
  subnet_id         = aws_subnet.s["nat"].id
  private_ip        = "10.0.2.149"
  tags              = { Name = "osaka-NAT" }
}

resource "aws_route_table" "src" {
  vpc_id = aws_vpc.osaka.id
  route {
    cidr_block     = "10.0.1.0/24"
    nat_gateway_id = aws_nat_gateway.osaka.id
  }
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
  tags = { Name = "src-rt" }
}

resource "aws_route_table" "dst" {
  vpc_id = aws_vpc.osaka.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
  tags = { Name = "dst-rt" }
}

resource "aws_route_table" "nat" {
  vpc_id = aws_vpc.osaka.id
  tags   = { Name = "nat-rt" }
}

resource "aws_route_table_association" "a" {
  for_each = {
    src = aws_route_table.src.id
    dst = aws_route_table.dst.id
    nat = aws_route_table.nat.id
  }
  subnet_id      = aws_subnet.s[each.key].id
  route_table_id = each.value
}

resource "aws_security_group" "vpc_only" {
  name   = "vpc-only"
  vpc_id = aws_vpc.osaka.id
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/16"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "src_subnet_only" {
  name   = "src-subnet-only"
  vpc_id = aws_vpc.osaka.id
  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["10.0.0.0/24"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "source" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.s["src"].id
  private_ip             = "10.0.0.11"
  vpc_security_group_ids = [aws_security_group.vpc_only.id]
  tags                   = { Name = "source" }
}

resource "aws_instance" "destination" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.s["dst"].id
  private_ip             = "10.0.1.55"
  vpc_security_group_ids = [var.narrow ? aws_security_group.src_subnet_only.id : aws_security_group.vpc_only.id]
  tags                   = { Name = "destination" }
}

resource "aws_ec2_network_insights_path" "ssh" {
  source           = aws_instance.source.id
  destination      = aws_instance.destination.id
  protocol         = "tcp"
  destination_port = 22
}

resource "aws_ec2_network_insights_analysis" "ssh" {
  network_insights_path_id = aws_ec2_network_insights_path.ssh.id
  wait_for_completion      = true
  lifecycle {
    replace_triggered_by = [aws_instance.destination.vpc_security_group_ids] # analyse again when the group changes
  }
}

output "path_found" {
  value = aws_ec2_network_insights_analysis.ssh.path_found
}

output "explanations" {
  value = [for e in aws_ec2_network_insights_analysis.ssh.explanations : e.explanation_code]
}
