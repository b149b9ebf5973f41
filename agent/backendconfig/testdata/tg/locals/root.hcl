locals {
  account = read_terragrunt_config(find_in_parent_folders("account.hcl"))
  env     = get_env("DEPLOY_ENV", "dev")
  bucket  = "${local.account.locals.name}-${local.env}-state"
  parent  = basename(get_parent_terragrunt_dir())
}

remote_state {
  backend = "gcs"
  config = {
    bucket = local.bucket
    prefix = "${local.parent}/${path_relative_to_include()}"
    project = get_env("GOOGLE_PROJECT")
  }
}
