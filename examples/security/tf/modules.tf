# Failing: the module is called with public access unblocked.
module "audit" {
  source       = "./modules/audit_bucket"
  name         = "${local.prefix}-audit"
  block_public = false
  tags         = local.tags
}

# Passing: the module's default blocks public access.
module "archive" {
  source = "./modules/audit_bucket"
  name   = "${local.prefix}-archive"
}

# Not followed: a registry module is not fetched.
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
  name    = "main"
}
