terraform {
  backend "gcs" {
    bucket = "acme-gcs-state"
  }
}
