variable "name" {
  type = string
}

variable "public" {
  type    = bool
  default = false
}

resource "aws_security_group" "this" {
  name = var.name

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.public ? ["0.0.0.0/0"] : ["10.0.0.0/8"]
  }
}

# A local module inside a registry module: read from the installed copy.
module "subnets" {
  source = "./modules/subnets"
  public = var.public
}

# A registry module called by a registry module: modules.json "vpc.flowlogs".
module "flowlogs" {
  source = "acme/flowlogs/aws"
  vpc_id = aws_security_group.this.vpc_id
}
