remote_state {
  backend = "s3"
  config = {
    bucket = get_env("TG_MISSING_BUCKET_VAR")
    key    = "noenv.tfstate"
  }
}
