terraform {
  backend "consul" {
    path = "app/state"
  }
}
