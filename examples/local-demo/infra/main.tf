# Demo infrastructure for the "staging" environment: Terraform's builtin terraform_data only, so it plans and
# applies offline. Change `release` in ../helix.deploy.toml to see a replace in the deployment panel.
variable "image" { type = string }
variable "release" {
  type    = string
  default = "1"
}

resource "terraform_data" "release" {
  input            = { image = var.image, release = var.release }
  triggers_replace = [var.release]
  provisioner "local-exec" {
    # Values reach the shell as environment variables, quoted where used: never spliced into the command text.
    command = "echo \"rolling out $IMAGE release $RELEASE\""
    environment = {
      IMAGE   = var.image
      RELEASE = var.release
    }
  }
}

resource "terraform_data" "config" {
  input = { port = 6969, storage = "memory" }
}

# The local instance started from the sidebar answers /healthz and /readyz here.
output "url" { value = "http://127.0.0.1:6969" }
