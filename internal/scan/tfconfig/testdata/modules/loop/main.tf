module "again" {
  source = "./"
}

resource "aws_sqs_queue" "q" {
  name = "loop"
}
