locals {
  name = lower("ACME")
}
