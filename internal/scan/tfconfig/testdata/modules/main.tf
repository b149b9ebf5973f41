# Module calls of every kind tfconfig meets; modules_test.go names what
# each one must yield.
provider "aws" {
  region = "eu-west-1"
}

variable "src" {
  type    = string
  default = "./bucket"
}

variable "instances" {
  type = number
}

# Registry module installed by terraform init (modules.json "vpc").
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.0"
  name    = "main"
  public  = true
}

# Git module installed by terraform init.
module "lb" {
  source = "git::https://example.com/acme/lb.git?ref=v1.2.0"
  name   = "edge"
}

# Registry module terraform init has not installed.
module "dns" {
  source = "terraform-aws-modules/route53/aws"
}

# The source changed after terraform init.
module "moved" {
  source = "acme/moved/aws"
}

# The pinned version changed after terraform init.
module "pinned" {
  source  = "acme/pinned/aws"
  version = "2.0.0"
}

# Installed once, its directory since removed.
module "gone" {
  source = "acme/gone/aws"
}

# Local module with for_each and count: one instance per key.
module "buckets" {
  source   = "./bucket"
  for_each = toset(["a", "b"])
  name     = "acme-${each.key}"
}

module "replicas" {
  source = "./bucket"
  count  = 2
  name   = "acme-replica-${count.index}"
}

# count known only after apply.
module "per_az" {
  source = "./bucket"
  count  = length(data.aws_availability_zones.all.names)
  name   = "per-az"
}

# count from a variable without a value.
module "sized" {
  source = "./bucket"
  count  = var.instances
  name   = "sized"
}

module "missing" {
  source = "./nowhere"
}

# A module that calls itself: stopped at the depth limit.
module "loop" {
  source = "./loop"
}

# Terraform requires a literal source.
module "computed" {
  source = var.src
}

resource "aws_instance" "workers" {
  count = var.instances
  ami   = "ami-0123456789abcdef0"
}

resource "aws_iam_user" "admins" {
  for_each = ["alice", "bob"]
  name     = each.key
}
