terraform {
  backend "remote" {}
}
