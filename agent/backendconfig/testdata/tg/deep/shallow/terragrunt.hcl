include "root" {
  path = find_in_parent_folders("root.hcl")
}

remote_state {
  backend = "local"
  config = {
    path = "local.tfstate"
  }
}
