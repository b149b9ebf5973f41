terraform {
  backend "s3" {
    key = "app.tfstate"
  }
}
