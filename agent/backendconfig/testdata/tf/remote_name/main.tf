terraform {
  backend "remote" {
    organization = "acme"
    workspaces {
      name = "networking-prod"
    }
  }
}
