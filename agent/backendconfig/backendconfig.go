// Package backendconfig finds where Terraform keeps state for a working
// directory, the way `terraform init` would, without running Terraform.
//
// It reads two kinds of configuration:
//
//   - Terraform: the *.tf and *.tf.json files of the directory itself, for a
//     `terraform { backend "TYPE" {} }` or `terraform { cloud {} }` block,
//     merged with -backend-config partial configuration. No backend means the
//     local backend.
//   - Terragrunt: every terragrunt.hcl below the directory, for a
//     `remote_state {}` block written inline or inherited through `include`.
//     The common Terragrunt functions are evaluated; see terragrunt.go.
//
// The result is a list of Locations whose URL is a source that
// agent/statesource fetches:
//
//	local    DIR/terraform.tfstate              workspaces: DIR/terraform.tfstate.d/*/terraform.tfstate
//	s3       s3://BUCKET/KEY                    workspaces: s3://BUCKET/env:/*/KEY
//	gcs      gs://BUCKET/PREFIX/default.tfstate workspaces: gs://BUCKET/PREFIX/*.tfstate
//	azurerm  azurerm://ACCOUNT/CONTAINER/KEY    workspaces: azurerm://ACCOUNT/CONTAINER/KEYenv:*
//	http     the backend's address, as written
//	remote   tfcloud://ORG/NAME or tfcloud://ORG/PREFIX*  (?host=HOST unless app.terraform.io)
//	cloud    tfcloud://ORG/NAME or, for tags, tfcloud://ORG/* with Location.Tags set
//
// Semantics chosen where Terraform leaves a choice:
//
//   - Options.Workspaces adds a glob over the non-default workspaces next to
//     the default location; for gcs the one glob PREFIX/*.tfstate covers
//     both, so it replaces default.tfstate.
//   - A remote/cloud workspaces prefix or tags set has no default workspace,
//     so it is always a glob (Location.Workspaces is true). statesource
//     cannot filter by tag: tags give tfcloud://ORG/* and Location.Tags.
//   - The cloud block falls back to TF_CLOUD_ORGANIZATION, TF_CLOUD_HOSTNAME
//     and TF_WORKSPACE (read through Options.Getenv) as Terraform does.
//   - Relative local paths are joined to the configuration directory (for
//     Terragrunt, the leaf directory, not its .terragrunt-cache copy).
//   - Literal parts of object keys and workspace names are glob-escaped, so
//     a key containing a glob character still names exactly one object.
//   - The implicit local backend of *.tf files is dropped when the same
//     directory is a Terragrunt leaf with a remote_state (Terragrunt
//     generates the backend at run time).
//
// Discover returns every Location it could determine together with an error
// joining one error per configuration it could not read (errors.Join), so one
// broken Terragrunt leaf does not hide the others. Each such error names the
// file and line and wraps one of the sentinels below.
package backendconfig

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// Sentinel errors. Every error from Discover wraps one of them.
var (
	// ErrNoConfig reports a directory with neither *.tf files nor any terragrunt.hcl below it.
	ErrNoConfig = errors.New("backendconfig: no terraform or terragrunt configuration")
	// ErrSyntax reports a file that is not valid HCL.
	ErrSyntax = errors.New("backendconfig: invalid configuration")
	// ErrNotLiteral reports a Terraform backend attribute that is an
	// expression; Terraform itself only allows literal values there.
	ErrNotLiteral = errors.New("backendconfig: backend attribute is not a literal")
	// ErrUnsupported reports a backend type, Terragrunt function or reference
	// (such as dependency outputs) that backendconfig cannot evaluate.
	ErrUnsupported = errors.New("backendconfig: unsupported")
	// ErrIncomplete reports a backend missing an attribute needed to locate
	// state (a bucket, a key, an organization ...), or of the wrong type.
	ErrIncomplete = errors.New("backendconfig: incomplete backend configuration")
	// ErrEval reports any other failure evaluating a Terragrunt expression,
	// e.g. a missing environment variable or parent folder file.
	ErrEval = errors.New("backendconfig: cannot evaluate")
	// ErrTooLarge reports a configuration file over MaxFileBytes.
	ErrTooLarge = errors.New("backendconfig: file too large")
)

// MaxFileBytes bounds every configuration file read; larger files are
// skipped with an ErrTooLarge error naming them.
const MaxFileBytes = 1 << 20

// MaxDepth bounds how many directory levels below the working directory are
// searched for terragrunt.hcl files, so a symlink loop or a huge tree cannot
// keep Discover busy forever.
const MaxDepth = 12

// Backend names used in Location.Backend.
const (
	BackendLocal   = "local"
	BackendS3      = "s3"
	BackendGCS     = "gcs"
	BackendAzureRM = "azurerm"
	BackendHTTP    = "http"
	BackendRemote  = "remote"
	BackendCloud   = "cloud"
)

// Location is one place state is kept.
type Location struct {
	// URL is a source for agent/statesource: a local path or an s3://, gs://,
	// azurerm://, http(s):// or tfcloud:// URL, possibly a glob.
	URL string
	// Backend is the Terraform backend type, one of the Backend* constants;
	// "cloud" for a `cloud {}` block.
	Backend string
	// Dir is the configuration directory the location belongs to: the
	// Terraform directory or the Terragrunt leaf directory.
	Dir string
	// File is "path:line" of the block that declared the backend, empty for
	// the implicit local backend.
	File string
	// Workspaces reports that URL is a glob covering several workspaces
	// rather than the default one.
	Workspaces bool
	// Tags are the Terraform Cloud workspace tags of a `cloud { workspaces {
	// tags = ... } }` block. statesource cannot filter by tag, so URL then
	// names every workspace of the organization; callers that must not read
	// unrelated workspaces filter by Tags. Map tags are "key:value".
	Tags []string
}

// Options configures Discover. The zero value is ready to use.
type Options struct {
	// Workspaces adds, for every backend, a glob covering all non-default
	// workspaces next to the default one (terraform workspace list).
	Workspaces bool
	// BackendConfigFiles are -backend-config=FILE partial configurations
	// (*.tfbackend: HCL `key = value` lines), merged in order over the
	// Terraform backend block of dir. They do not apply to Terragrunt leaves.
	BackendConfigFiles []string
	// BackendConfigValues are -backend-config=KEY=VALUE pairs, applied after
	// BackendConfigFiles.
	BackendConfigValues map[string]string
	// Getenv reads environment variables for Terragrunt's get_env() and the
	// TF_CLOUD_* defaults of the cloud block; nil means os.LookupEnv. A
	// Getenv that returns "" reports the variable as unset.
	Getenv func(string) string
}

func (o Options) getenv(name string) (string, bool) {
	if o.Getenv != nil {
		v := o.Getenv(name)
		return v, v != ""
	}
	return os.LookupEnv(name)
}

// Discover reads the Terraform configuration in dir and every Terragrunt
// configuration below it and returns the state locations they declare,
// deduplicated by URL and sorted by Dir, then URL.
//
// Locations are returned even when err is non-nil: err then joins one error
// per configuration that could not be read. A directory with no
// configuration at all is an ErrNoConfig error.
func Discover(ctx context.Context, dir string, opts Options) ([]Location, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("discover backends in %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("discover backends in %s: not a directory", dir)
	}

	var (
		locs []Location
		errs []error
	)
	tfLocs, found, err := discoverTerraform(dir, opts)
	errs = appendErrs(errs, err)
	tgLocs, tgFound, err := discoverTerragrunt(ctx, dir, opts)
	errs = appendErrs(errs, err)

	// A Terragrunt leaf next to its *.tf files usually has Terragrunt
	// generate backend.tf at run time; the implicit local backend of the
	// files as they are on disk is then not where state lives.
	if implicitLocal(tfLocs) && hasDir(tgLocs, filepath.Clean(dir)) {
		tfLocs = nil
	}
	locs = append(tfLocs, tgLocs...)
	if !found && !tgFound && len(errs) == 0 {
		return nil, fmt.Errorf("discover backends in %s: %w", dir, ErrNoConfig)
	}
	return dedup(locs), errors.Join(errs...)
}

func implicitLocal(locs []Location) bool {
	return len(locs) > 0 && locs[0].Backend == BackendLocal && locs[0].File == ""
}

func hasDir(locs []Location, dir string) bool {
	for _, l := range locs {
		if l.Dir == dir {
			return true
		}
	}
	return false
}

// appendErrs appends err to errs, flattening errors.Join results so the
// error Discover returns joins exactly one error per failing configuration.
func appendErrs(errs []error, err error) []error {
	if err == nil {
		return errs
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			errs = appendErrs(errs, e)
		}
		return errs
	}
	return append(errs, err)
}

// diagError turns HCL diagnostics into an error that starts with the
// file:line of the first error and wraps sentinel.
func diagError(sentinel error, diags hcl.Diagnostics) error {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += "; " + d.Detail
		}
		if d.Subject != nil {
			return fmt.Errorf("%s: %w: %s", pos(*d.Subject), sentinel, msg)
		}
		return fmt.Errorf("%w: %s", sentinel, msg)
	}
	return fmt.Errorf("%w: %s", sentinel, diags.Error())
}

// dedup sorts locs by Dir then URL and keeps the first Location of each URL.
func dedup(locs []Location) []Location {
	sort.SliceStable(locs, func(i, j int) bool {
		if locs[i].Dir != locs[j].Dir {
			return locs[i].Dir < locs[j].Dir
		}
		return locs[i].URL < locs[j].URL
	})
	seen := make(map[string]bool, len(locs))
	out := locs[:0]
	for _, l := range locs {
		if seen[l.URL] {
			continue
		}
		seen[l.URL] = true
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// readFile reads a configuration file, refusing files over MaxFileBytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("read %s: %w: more than %d bytes", path, ErrTooLarge, MaxFileBytes)
	}
	return data, nil
}
