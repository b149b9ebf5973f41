package controller

// Permissions is the permission table by access level name, for the
// external auth test: it must call every procedure listed here.
func Permissions() map[string]string {
	names := map[access]string{accessPublic: "public", accessAgent: "agent", accessController: "controller",
		accessViewer: "viewer", accessOperator: "operator", accessAdmin: "admin"}
	out := map[string]string{}
	for proc, a := range permissions {
		out[proc] = names[a]
	}
	return out
}
