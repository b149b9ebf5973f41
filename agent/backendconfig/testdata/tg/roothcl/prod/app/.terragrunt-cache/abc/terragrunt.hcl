this is not even hcl {{{
