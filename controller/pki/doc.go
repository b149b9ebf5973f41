// Package pki is the cluster's certificate authority and its credential
// formats.
//
// One CA per cluster signs two kinds of leaf certificate:
//
//   - controller certificates (IssueServer): server and client auth, because
//     controllers talk to each other over mutual TLS;
//   - agent certificates (SignCSR): client auth only, short-lived, issued at
//     enrollment in exchange for a join token and renewed over mTLS.
//
// Who a certificate belongs to is carried in exactly one URI SAN
// (driftmgr://tenant/<tenant>/agent/<agent> or driftmgr://controller/<name>)
// and read back with IdentityFromCert. Authorization decisions use that
// identity only, never the subject or DNS names.
//
// An agent pins the CA at enrollment by the hash of its public key (Pin,
// VerifyPin), the way kubeadm's --discovery-token-ca-cert-hash does, so the
// first connection needs no pre-shared CA file.
//
// The package also defines the two bearer-secret formats: join tokens
// (dmjt_<id>_<secret>) and API keys (dm_<id>_<secret>). Only a hash of the
// secret is ever stored.
//
// Certificate serials are lowercase hex strings everywhere (SerialHex).
package pki
