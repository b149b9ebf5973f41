# Provider default_tags and default_labels; tags_test.go names what each
# resource's tags_all (terraform_labels, effective_labels) must hold.
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      Owner       = "platform"
      Environment = "prod"
    }
  }
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
  default_tags {
    tags = {
      Owner = "us-team"
    }
  }
}

provider "aws" {
  alias  = "bare"
  region = "eu-central-1"
}

provider "aws" {
  alias  = "unknown"
  region = "eu-north-1"
  default_tags {
    tags = var.org_tags
  }
}

provider "google" {
  project = "acme"
  default_labels = {
    team = "data"
  }
}

variable "org_tags" {
  type = map(string)
}

# The resource's own tags win over the defaults.
resource "aws_s3_bucket" "own" {
  bucket = "own"
  tags = {
    Environment = "dev"
    Name        = "own"
  }
}

resource "aws_s3_bucket" "none" {
  bucket = "none"
}

resource "aws_s3_bucket" "us" {
  provider = aws.us
  bucket   = "us"
}

resource "aws_s3_bucket" "bare" {
  provider = aws.bare
  bucket   = "bare"
  tags     = { Name = "bare" }
}

resource "aws_s3_bucket" "unknown" {
  provider = aws.unknown
  bucket   = "unknown"
  tags     = { Name = "unknown" }
}

# A type without tags gets no tags_all.
resource "aws_s3_bucket_policy" "own" {
  bucket = aws_s3_bucket.own.id
  policy = "{}"
}

resource "google_storage_bucket" "labelled" {
  name     = "labelled"
  location = "EU"
  labels = {
    env = "prod"
  }
}

resource "google_pubsub_topic" "plain" {
  name = "plain"
}

# A type without labels gets none.
resource "google_compute_firewall" "fw" {
  name    = "fw"
  network = "default"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "westeurope"
  tags     = { Owner = "azure-team" }
}

# Inherits the default (unaliased) aws configuration implicitly.
module "implicit" {
  source = "./child"
}

# Gets aws.us as its aws.
module "mapped" {
  source    = "./child"
  providers = { aws = aws.us }
}

# Gets aws.us as its aws.replica.
module "aliased" {
  source = "./child_alias"
  providers = {
    aws.replica = aws.us
  }
}
