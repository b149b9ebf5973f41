terraform {
  backend "gcs" {
    bucket = "acme-gcs-state"
    prefix = "envs/app/"
  }
}
