terraform {
  backend "http" {
    address        = "https://state.example.com/states/app"
    lock_address   = "https://state.example.com/states/app/lock"
  }
}
