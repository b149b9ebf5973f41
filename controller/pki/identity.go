package pki

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Identity kinds.
const (
	KindAgent      = "agent"
	KindController = "controller"
)

// uriScheme is the scheme of the one URI SAN that carries an identity.
const uriScheme = "driftmgr"

// idPattern is the shape of tenant and agent ids: DNS-label-like, so they
// are safe in URIs, file names, metric labels and log lines unescaped.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Identity is who a certificate belongs to, as read from its URI SAN.
type Identity struct {
	// Tenant is the agent's tenant; empty for a controller.
	Tenant string
	// Agent is the agent id. For a controller it holds the controller's
	// name (the first name of its certificate).
	Agent string
	// Kind is KindAgent or KindController.
	Kind string
}

// String renders the identity for logs: "tenant/acme/agent/eu-1" or
// "controller/ctl-1".
func (id Identity) String() string {
	if id.Kind == KindController {
		return "controller/" + id.Agent
	}
	return "tenant/" + id.Tenant + "/agent/" + id.Agent
}

// ValidateID checks a tenant or agent id against [a-z0-9][a-z0-9-_]{0,62};
// field names the id in the error ("tenant", "agent").
func ValidateID(field, id string) error {
	if !idPattern.MatchString(id) {
		return fail(ErrBadIdentity, field, "must match [a-z0-9][a-z0-9-_]{0,62}")
	}
	return nil
}

// agentURI validates an agent identity and returns its URI SAN.
func agentURI(id Identity) (*url.URL, error) {
	if id.Kind != "" && id.Kind != KindAgent {
		return nil, fail(ErrBadIdentity, "kind", fmt.Sprintf("%q: only agent certificates are signed from a CSR", id.Kind))
	}
	if err := ValidateID("tenant", id.Tenant); err != nil {
		return nil, err
	}
	if err := ValidateID("agent", id.Agent); err != nil {
		return nil, err
	}
	return &url.URL{Scheme: uriScheme, Host: "tenant", Path: "/" + id.Tenant + "/agent/" + id.Agent}, nil
}

// IdentityFromCert reads the identity from a certificate's URI SAN. The
// certificate must carry exactly one URI and it must be a well-formed
// driftmgr:// identity: the CA never puts more than one there, so anything
// else was not issued by it and is refused rather than guessed at.
//
// The caller must already have verified the certificate chain; this only
// parses.
func IdentityFromCert(cert *x509.Certificate) (Identity, error) {
	if cert == nil {
		return Identity{}, fail(ErrBadIdentity, "certificate", "missing")
	}
	switch len(cert.URIs) {
	case 0:
		return Identity{}, fail(ErrBadIdentity, "certificate", "no URI SAN")
	case 1:
	default:
		return Identity{}, fail(ErrBadIdentity, "certificate", fmt.Sprintf("%d URI SANs, want exactly one", len(cert.URIs)))
	}
	u := cert.URIs[0]
	if u.Scheme != uriScheme {
		return Identity{}, fail(ErrBadIdentity, "certificate", fmt.Sprintf("URI SAN scheme %q, want %s://", clip(u.Scheme), uriScheme))
	}
	if u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || u.RawPath != "" {
		return Identity{}, fail(ErrBadIdentity, "certificate", "URI SAN has parts a driftmgr identity never has")
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	switch {
	case u.Host == "tenant" && len(parts) == 3 && parts[1] == "agent":
		id := Identity{Tenant: parts[0], Agent: parts[2], Kind: KindAgent}
		if err := ValidateID("tenant", id.Tenant); err != nil {
			return Identity{}, err
		}
		if err := ValidateID("agent", id.Agent); err != nil {
			return Identity{}, err
		}
		return id, nil
	case u.Host == "controller" && len(parts) == 1 && validNodeName(parts[0]):
		return Identity{Agent: parts[0], Kind: KindController}, nil
	}
	return Identity{}, fail(ErrBadIdentity, "certificate", "URI SAN is not driftmgr://tenant/<tenant>/agent/<agent> or driftmgr://controller/<name>")
}

// IdentityFromConn returns the identity of a TLS peer, from the leaf of its
// verified chain. Use it on http.Request.TLS after ServerTLS accepted the
// connection; ErrNoClientCert means the peer sent no certificate (allowed
// for enrollment and API-key requests).
func IdentityFromConn(cs *tls.ConnectionState) (Identity, error) {
	if cs == nil || len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) == 0 {
		return Identity{}, ErrNoClientCert
	}
	return IdentityFromCert(cs.VerifiedChains[0][0])
}

// clip keeps attacker-chosen strings in error messages short.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
