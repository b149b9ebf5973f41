include "root" {
  path = find_in_parent_folders("root.hcl")
}

locals {
  account = get_aws_account_id()
}
