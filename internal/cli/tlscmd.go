package cli

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftmgr/driftmgr/controller/pki"
)

func newTLSCmd(s Streams) *cobra.Command {
	root := &cobra.Command{Use: "tls", Short: "Create the cluster CA, controller certificates and the gossip key"}
	var dir string
	var days int
	ca := &cobra.Command{Use: "ca", Short: "The cluster certificate authority"}
	caCreate := &cobra.Command{
		Use:   "create --dir DIR",
		Short: "Create ca.pem and ca-key.pem (the key signs agent and controller certificates: keep it on controllers only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			for _, f := range []string{"ca.pem", "ca-key.pem"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					return fmt.Errorf("%s exists; refusing to replace a CA (every certificate it signed would stop working)", filepath.Join(dir, f))
				}
			}
			c, err := pki.NewCA("DriftMgr cluster CA", time.Duration(days)*24*time.Hour, time.Now())
			if err != nil {
				return err
			}
			key, err := c.KeyPEM()
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "ca.pem"), c.CertPEM, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "ca-key.pem"), key, 0o600); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "wrote %s and %s\nCA pin for agents: %s\n", filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem"), c.Pin())
			return nil
		},
	}
	caCreate.Flags().StringVar(&dir, "dir", ".", "directory for ca.pem and ca-key.pem")
	caCreate.Flags().IntVar(&days, "days", 3650, "validity in days")
	ca.AddCommand(caCreate)

	var name string
	var hosts []string
	var certDays int
	var certDir string
	cert := &cobra.Command{Use: "cert", Short: "Controller certificates"}
	certCreate := &cobra.Command{
		Use:   "create --dir DIR --name NAME --host HOST...",
		Short: "Create NAME.pem and NAME-key.pem for a controller, signed by the CA in --dir",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return errors.New("--name is required")
			}
			caPEM, err := os.ReadFile(filepath.Join(certDir, "ca.pem"))
			if err != nil {
				return err
			}
			caKey, err := os.ReadFile(filepath.Join(certDir, "ca-key.pem"))
			if err != nil {
				return err
			}
			c, err := pki.LoadCA(caPEM, caKey)
			if err != nil {
				return err
			}
			tc, err := c.IssueServer(append([]string{name}, hosts...), time.Duration(certDays)*24*time.Hour, time.Now())
			if err != nil {
				return err
			}
			der, err := x509.MarshalPKCS8PrivateKey(tc.PrivateKey)
			if err != nil {
				return err
			}
			certOut := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tc.Certificate[0]})
			keyOut := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
			if err := os.WriteFile(filepath.Join(certDir, name+".pem"), certOut, 0o644); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(certDir, name+"-key.pem"), keyOut, 0o600); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "wrote %s and %s\n", filepath.Join(certDir, name+".pem"), filepath.Join(certDir, name+"-key.pem"))
			return nil
		},
	}
	certCreate.Flags().StringVar(&certDir, "dir", ".", "directory holding ca.pem and ca-key.pem; the certificate is written there")
	certCreate.Flags().StringVar(&name, "name", "", "controller name (its first certificate name)")
	certCreate.Flags().StringSliceVar(&hosts, "host", nil, "DNS name or IP address agents and peers reach it by (repeatable)")
	certCreate.Flags().IntVar(&certDays, "days", 825, "validity in days")
	cert.AddCommand(certCreate)

	gossip := &cobra.Command{
		Use:   "gossip-key",
		Short: "Print a random 32-byte gossip encryption key (base64) for controller.yaml",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			fmt.Fprintln(s.Out, base64.StdEncoding.EncodeToString(b))
			return nil
		},
	}
	root.AddCommand(ca, cert, gossip)
	return root
}
