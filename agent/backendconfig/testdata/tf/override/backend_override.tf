terraform {
  backend "gcs" {
    bucket = "override-bucket"
    prefix = "ov"
  }
}
