package runner

import (
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/driftmgr/driftmgr/controller/pki"
)

// Files of the identity in DataDir. agent.json is written last, so its
// presence means the other three are complete.
const (
	keyFile   = "key.pem"
	certFile  = "cert.pem"
	caFile    = "ca.pem"
	agentFile = "agent.json"
)

// identity is who the agent is: its key, its current certificate and the
// cluster CA it trusts.
type identity struct {
	AgentID    string    `json:"agent_id"`
	Tenant     string    `json:"tenant"`
	Name       string    `json:"name,omitempty"`
	EnrolledAt time.Time `json:"enrolled_at"`

	key    crypto.Signer
	cert   tls.Certificate
	caPEM  []byte
	caPool *x509.CertPool
}

// loadIdentity reads the identity from dir; ok is false when the agent has
// never enrolled there. A half-present or damaged identity is an error, not
// a reason to enroll again: the join token is likely used up, and an
// operator must see what happened to the files.
func loadIdentity(dir string) (id *identity, ok bool, err error) {
	raw, err := os.ReadFile(filepath.Join(dir, agentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read identity: %w", err)
	}
	id = &identity{}
	if err := json.Unmarshal(raw, id); err != nil {
		return nil, false, fmt.Errorf("identity %s: %w", filepath.Join(dir, agentFile), err)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, keyFile))
	if err != nil {
		return nil, false, fmt.Errorf("identity key: %w", err)
	}
	if id.key, err = parseKey(keyPEM); err != nil {
		return nil, false, fmt.Errorf("identity key %s: %w", filepath.Join(dir, keyFile), err)
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, certFile))
	if err != nil {
		return nil, false, fmt.Errorf("identity certificate: %w", err)
	}
	if id.cert, err = pki.AgentCertificate(certPEM, id.key); err != nil {
		return nil, false, fmt.Errorf("identity certificate %s: %w", filepath.Join(dir, certFile), err)
	}
	if id.caPEM, err = os.ReadFile(filepath.Join(dir, caFile)); err != nil {
		return nil, false, fmt.Errorf("identity ca: %w", err)
	}
	if id.caPool, err = certPool(id.caPEM); err != nil {
		return nil, false, fmt.Errorf("identity ca %s: %w", filepath.Join(dir, caFile), err)
	}
	if err := id.checkCert(id.cert); err != nil {
		return nil, false, fmt.Errorf("identity certificate %s: %w", filepath.Join(dir, certFile), err)
	}
	return id, true, nil
}

// checkCert verifies that a certificate chains to the CA and names this
// agent.
func (id *identity) checkCert(c tls.Certificate) error {
	leaf := c.Leaf
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: id.caPool, CurrentTime: leaf.NotBefore.Add(time.Second),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return fmt.Errorf("not issued by the cluster ca: %w", err)
	}
	who, err := pki.IdentityFromCert(leaf)
	if err != nil {
		return err
	}
	if who.Kind != pki.KindAgent || who.Agent != id.AgentID || who.Tenant != id.Tenant {
		return fmt.Errorf("certificate names %s, want tenant/%s/agent/%s", who, id.Tenant, id.AgentID)
	}
	return nil
}

// save writes the whole identity, agent.json last.
func (id *identity) save(dir string) error {
	der, err := x509.MarshalPKCS8PrivateKey(id.key)
	if err != nil {
		return fmt.Errorf("marshal key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeFileAtomic(filepath.Join(dir, keyFile), keyPEM, 0o600); err != nil {
		return err
	}
	if err := id.saveCert(dir); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, caFile), id.caPEM, 0o644); err != nil {
		return err
	}
	meta, err := json.MarshalIndent(id, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, agentFile), append(meta, '\n'), 0o644)
}

// saveCert replaces cert.pem. Renewal keeps the key (so key.pem and
// cert.pem never disagree after a crash between two renames), which makes
// the certificate the only file that changes.
func (id *identity) saveCert(dir string) error {
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.cert.Certificate[0]})
	return writeFileAtomic(filepath.Join(dir, certFile), certPEM, 0o644)
}

// writeFileAtomic writes data to a temporary file beside path, syncs it
// and renames it over path, so a crash leaves the old or the new file,
// never a torn one.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The rename is durable only once the directory entry is.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func parseKey(data []byte) (crypto.Signer, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PKCS#8 PRIVATE KEY PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key type %T cannot sign", k)
	}
	return s, nil
}

// certPool parses every certificate in a PEM bundle.
func certPool(bundle []byte) (*x509.CertPool, error) {
	certs, err := parseCerts(bundle)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}

func parseCerts(bundle []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for rest := bundle; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no CERTIFICATE PEM block")
	}
	return out, nil
}

// pinOf is pki's pin format: sha256 of the SubjectPublicKeyInfo.
func pinOf(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return "sha256:" + hex.EncodeToString(sum[:])
}
