terraform {
  backend "s3" {
    bucket = var.state_bucket
    key    = "app.tfstate"
  }
}
