# Two VPCs joined by a transit gateway, built with Terraform against vpclab serve: the
# gateway's default route table associates and propagates both attachments, each VPC's
# main table sends the other's block to the gateway, and b's default group admits SSH from
# a's block with one aws_vpc_security_group_ingress_rule. Run:
#
#   vpclab serve --memory &
#   terraform init && terraform apply -auto-approve
#   vpclab trace -t http://127.0.0.1:4566 --from a --to b --port 22
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

resource "aws_vpc" "a" { cidr_block = "10.1.0.0/16" }
resource "aws_vpc" "b" { cidr_block = "10.2.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.a.id
  cidr_block        = "10.1.1.0/24"
  availability_zone = "us-east-1a"
}
resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.b.id
  cidr_block        = "10.2.1.0/24"
  availability_zone = "us-east-1a"
}
resource "aws_ec2_transit_gateway" "tgw" { description = "hub" }
resource "aws_ec2_transit_gateway_vpc_attachment" "a" {
  transit_gateway_id = aws_ec2_transit_gateway.tgw.id
  vpc_id             = aws_vpc.a.id
  subnet_ids         = [aws_subnet.a.id]
}
resource "aws_ec2_transit_gateway_vpc_attachment" "b" {
  transit_gateway_id = aws_ec2_transit_gateway.tgw.id
  vpc_id             = aws_vpc.b.id
  subnet_ids         = [aws_subnet.b.id]
}
resource "aws_route" "a_to_b" {
  route_table_id         = aws_vpc.a.main_route_table_id
  destination_cidr_block = "10.2.0.0/16"
  transit_gateway_id     = aws_ec2_transit_gateway.tgw.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.a]
}
resource "aws_route" "b_to_a" {
  route_table_id         = aws_vpc.b.main_route_table_id
  destination_cidr_block = "10.1.0.0/16"
  transit_gateway_id     = aws_ec2_transit_gateway.tgw.id
  depends_on             = [aws_ec2_transit_gateway_vpc_attachment.b]
}
resource "aws_instance" "a" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.a.id
  tags          = { Name = "a" }
}
resource "aws_instance" "b" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.b.id
  tags          = { Name = "b" }
}
resource "aws_vpc_security_group_ingress_rule" "b_from_a" {
  security_group_id = aws_vpc.b.default_security_group_id
  cidr_ipv4         = "10.1.0.0/16"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
}
