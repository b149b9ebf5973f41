# Passing: a private bucket with its public access block, default
# encryption and a TLS-only policy, joined to it by reference.
resource "aws_s3_bucket" "logs" {
  bucket = "${local.prefix}-logs"
  tags   = local.tags
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.bucket
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.logs.arn
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TLSOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::${local.prefix}-logs", "arn:aws:s3:::${local.prefix}-logs/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

# Failing: a bucket with a public-read ACL and no public access block.
resource "aws_s3_bucket" "public" {
  bucket_prefix = "acme-public-"
}

resource "aws_s3_bucket_acl" "public" {
  bucket = aws_s3_bucket.public.id
  acl    = "public-read"
}

resource "aws_kms_key" "logs" {
  description         = "log encryption"
  enable_key_rotation = true
}

# Failing: rotation is off by default.
resource "aws_kms_key" "norotate" {
  description = "no rotation"
}

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = true
}

# Failing: encrypted defaults to false.
resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 20
}
