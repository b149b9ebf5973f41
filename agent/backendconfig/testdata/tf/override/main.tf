terraform {
  backend "s3" {
    bucket = "main-bucket"
    key    = "main.tfstate"
  }
}
