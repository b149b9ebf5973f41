# Where attributes are set; positions_test.go looks each one up by the
# path evidence names.
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      Owner = "platform"
    }
  }
}

variable "admin_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8", "0.0.0.0/0"]
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "web tier"

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port = 22
    to_port   = 22
    protocol  = "tcp"
    cidr_blocks = [
      "10.0.0.0/8",
      "0.0.0.0/0",
    ]
  }

  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }

  dynamic "egress" {
    for_each = var.admin_cidrs
    content {
      from_port   = 0
      to_port     = 0
      protocol    = "-1"
      cidr_blocks = [egress.value]
    }
  }

  tags = {
    Name                 = "web"
    "kubernetes.io/role" = "elb"
  }
}

resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "*"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = "logs"
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_instance" "n" {
  count = 2
  ami   = "ami-0123456789abcdef0"
  metadata_options {
    http_tokens = "optional"
  }
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 20
}
