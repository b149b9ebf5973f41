terraform {
  cloud {
    organization = "acme"
    hostname     = "tfe.example.com"
    workspaces {
      tags = ["networking", "source:cli"]
    }
  }
}
