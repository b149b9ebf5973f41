remote_state {
  backend = "s3"
  config = {
    bucket               = "deep-state"
    key                  = "root.tfstate"
    workspace_key_prefix = "ws"
  }
}
