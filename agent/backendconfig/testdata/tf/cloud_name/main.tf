terraform {
  cloud {
    organization = "acme"
    workspaces {
      name = "billing"
    }
  }
}
