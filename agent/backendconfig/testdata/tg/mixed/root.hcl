remote_state {
  backend = "s3"
  config = {
    bucket = "mixed-state"
    key    = "${path_relative_to_include()}/terraform.tfstate"
  }
}
