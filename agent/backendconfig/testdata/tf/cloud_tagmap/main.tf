terraform {
  cloud {
    organization = "acme"
    workspaces {
      tags = {
        layer = "networking"
        env   = "prod"
      }
    }
  }
}
