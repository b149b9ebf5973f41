package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/pflag"

	"github.com/driftmgr/driftmgr/agent/backendconfig"
	"github.com/driftmgr/driftmgr/agent/stateload"
	"github.com/driftmgr/driftmgr/agent/statesource"
	"github.com/driftmgr/driftmgr/internal/tfstate"
)

// sourceFlags are the flags that say where states are and how to reach
// them; `scan` and `state list` share them.
type sourceFlags struct {
	headers       []string
	allWorkspaces bool
	dir           string
	maxStateBytes int64
	s3Endpoint    string
	s3PathStyle   bool
	gcsEndpoint   string
	azureEndpoint string
	tfcHost       string
}

func (f *sourceFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&f.headers, "header", nil, "HTTP header 'Name: value' for http(s) state sources (repeatable)")
	fl.BoolVar(&f.allWorkspaces, "all-workspaces", false, "with backend discovery, read every workspace, not only default")
	fl.StringVar(&f.dir, "dir", ".", "directory whose Terraform/Terragrunt configuration names the states when no source is given")
	fl.Int64Var(&f.maxStateBytes, "max-state-bytes", 0, "largest state document accepted, in bytes (default 512 MiB)")
	fl.StringVar(&f.s3Endpoint, "s3-endpoint", "", "S3 endpoint URL for S3-compatible stores (default: AWS, or AWS_ENDPOINT_URL_S3)")
	fl.BoolVar(&f.s3PathStyle, "s3-path-style", false, "use path-style S3 addressing (most S3-compatible stores need it)")
	fl.StringVar(&f.gcsEndpoint, "gcs-endpoint", "", "GCS endpoint URL (default: Google, or STORAGE_EMULATOR_HOST)")
	fl.StringVar(&f.azureEndpoint, "azure-blob-endpoint", "", "Azure Blob service URL including the account (default: https://ACCOUNT.blob.core.windows.net)")
	fl.StringVar(&f.tfcHost, "tfc-host", "", "Terraform Cloud/Enterprise host for tfcloud:// sources (default app.terraform.io)")
}

func (f *sourceFlags) loadOptions() (stateload.Options, error) {
	h, err := parseHeaders(f.headers)
	if err != nil {
		return stateload.Options{}, err
	}
	if f.maxStateBytes < 0 {
		return stateload.Options{}, fmt.Errorf("--max-state-bytes %d: expected a positive number of bytes", f.maxStateBytes)
	}
	return stateload.Options{
		Fetch: statesource.Options{Headers: h, MaxBytes: f.maxStateBytes, S3Endpoint: f.s3Endpoint,
			S3PathStyle: f.s3PathStyle, GCSEndpoint: f.gcsEndpoint, AzureBlobEndpoint: f.azureEndpoint,
			TFCloudHost: f.tfcHost},
		Limits: tfstate.Limits{MaxBytes: f.maxStateBytes},
	}, nil
}

// sources returns the explicit sources, or those the configuration in
// --dir names.
func (f *sourceFlags) sources(ctx context.Context, explicit []string) ([]string, error) {
	if len(explicit) > 0 {
		return explicit, nil
	}
	return stateload.Discover(ctx, f.dir, backendconfig.Options{Workspaces: f.allWorkspaces})
}

func parseHeaders(hs []string) (http.Header, error) {
	h := http.Header{}
	for _, s := range hs {
		k, v, ok := strings.Cut(s, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--header %q: expected 'Name: value'", s)
		}
		h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return h, nil
}
