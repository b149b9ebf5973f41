terraform {
  required_version = ">= 1.5"
  backend "s3" {
    bucket         = "acme-tfstate"
    key            = "network/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "locks"
    role_arn       = var.ignored_because_not_read
  }
}

resource "aws_vpc" "main" {
  cidr_block = var.cidr
}
