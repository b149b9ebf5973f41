variable "env" {
  type    = string
  default = "prod"
}

variable "db_public" {
  description = "Whether the reporting database takes connections from the internet."
  type        = bool
  default     = false
}

# No default and no tfvars entry: unknown, so what depends on it is not judged.
variable "admin_cidr" {
  type = string
}

locals {
  prefix = "acme-${var.env}"
  tags = {
    Environment = var.env
    Owner       = "platform"
  }
}

provider "aws" {
  region = "eu-west-1"
}
