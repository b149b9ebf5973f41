terraform {
  backend "s3" {
    bucket = "acme"
    key    = 
  }
}
