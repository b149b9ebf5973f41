terraform {
  backend "gcs" {
    bucket = "b"
  }
}
