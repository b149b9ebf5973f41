terraform {
  backend "s3" {
    bucket               = "acme-tfstate"
    key                  = "app.tfstate"
    workspace_key_prefix = "workspaces"
  }
}
