remote_state {
  backend = "s3"
  config = {
    bucket = "legacy-state"
    key    = "${path_relative_to_include()}/terraform.tfstate"
  }
}
