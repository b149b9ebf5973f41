locals {
  region = "westeurope"
  key    = "${local.name}.tfstate"
  name   = format("%s-%s", "app", local.region)
}

remote_state {
  backend = "azurerm"
  config = {
    storage_account_name = "acmestate"
    container_name       = "tfstate"
    key                  = local.key
  }
}
