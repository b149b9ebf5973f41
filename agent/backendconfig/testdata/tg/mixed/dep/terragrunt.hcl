dependency "vpc" {
  config_path = "../good"
}

remote_state {
  backend = "s3"
  config = {
    bucket = dependency.vpc.outputs.bucket
    key    = "dep.tfstate"
  }
}
