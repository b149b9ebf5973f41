include "root" {
  path           = find_in_parent_folders("root.hcl")
  merge_strategy = "deep"
}

remote_state {
  backend = "s3"
  config = {
    key = "child/${path_relative_from_include()}.tfstate"
  }
}
