# Failing: storage_encrypted defaults to false. Passing: not public
# (var.db_public defaults to false).
resource "aws_db_instance" "reporting" {
  identifier          = "${local.prefix}-reporting"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  publicly_accessible = var.db_public
  skip_final_snapshot = true
}

# Passing on multi-region and KMS; failing on log file validation, which
# defaults to false.
resource "aws_cloudtrail" "main" {
  name                  = "${local.prefix}-trail"
  s3_bucket_name        = aws_s3_bucket.logs.id
  is_multi_region_trail = true
  kms_key_id            = aws_kms_key.logs.arn
}

# Failing: an administrator policy, "*" on "*".
resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

# Passing: read-only on one bucket.
resource "aws_iam_policy" "read_logs" {
  name = "read-logs"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::${local.prefix}-logs", "arn:aws:s3:::${local.prefix}-logs/*"]
    }]
  })
}

# Not judged: the policy comes from a data source, known only at plan time.
resource "aws_iam_role_policy" "from_data" {
  name   = "from-data"
  role   = "app"
  policy = data.aws_iam_policy_document.app.json
}

# Failing: a database password in a function's environment.
resource "aws_lambda_function" "worker" {
  function_name = "${local.prefix}-worker"
  role          = "arn:aws:iam::123456789012:role/worker"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "worker.zip"

  environment {
    variables = {
      MODE        = var.env
      DB_PASSWORD = "Zq8#pL2!vN6@rT9w"
    }
  }
}
