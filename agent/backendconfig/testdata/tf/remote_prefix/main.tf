terraform {
  backend "remote" {
    hostname     = "tfe.example.com"
    organization = "acme"
    workspaces {
      prefix = "app-"
    }
  }
}
