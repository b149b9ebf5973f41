package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/agent/discovery"
	awsdisc "github.com/driftmgr/driftmgr/agent/discovery/aws"
	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
)

// TestScanProvidersAgainstSimulatedCloud is the discovery issue's
// acceptance check: for each cloud, discovery through the real SDK against
// the simulated cloud finds exactly the drift planted in the example world.
func TestScanProvidersAgainstSimulatedCloud(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cases := []struct {
		provider string
		want     []string
	}{
		{"aws", []string{
			"MISSING aws_ebs_volume vol-0a1",
			"MODIFIED aws_security_group sg-0a1 ingress[1].cidr_blocks critical",
			"MODIFIED aws_instance i-0e1 tags.env low",
			"UNMANAGED aws_instance i-0c9",
		}},
		{"azure", []string{
			"MISSING azurerm_public_ip pip-bastion",
			"MODIFIED azurerm_network_security_rule allow-ssh source_address_prefix critical",
			"MODIFIED azurerm_linux_virtual_machine vm-web-01 tags.owner low",
			"UNMANAGED azurerm_managed_disk disk-debug-snapshot",
		}},
		{"gcp", []string{
			"MISSING google_compute_disk scratch-disk",
			"MODIFIED google_compute_firewall allow-ssh-iap source_ranges critical",
			"MODIFIED google_compute_instance web-1 labels.team low",
			"UNMANAGED google_storage_bucket acme-prod-tmp-export",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.provider, func(t *testing.T) {
			dir := example(tc.provider)
			code, out, stderr := run(t, "", "scan", "--provider", tc.provider, "--simulate", filepath.Join(dir, "world.json"),
				"--state", filepath.Join(dir, "terraform.tfstate"), "-o", "json")
			require.Equal(t, ExitDrift, code, stderr)
			assert.Empty(t, stderr, "nothing skipped")
			var got []string
			for _, f := range decodeResult(t, out).Findings {
				line := string(f.Kind) + " " + f.Type + " " + f.ID[strings.LastIndexByte(f.ID, '/')+1:]
				if f.Kind == drift.Modified {
					require.Len(t, f.Diffs, 1)
					line += " " + string(f.Diffs[0].Path) + " " + string(f.Severity)
				}
				got = append(got, line)
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}

func TestDiscoverCommand(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	world := filepath.Join(example("gcp"), "world.json")
	out := filepath.Join(t.TempDir(), "live.json")
	code, stdout, stderr := run(t, "", "discover", "--provider", "gcp", "--simulate", world, "-o", "json="+out)
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	fh, err := os.Open(out)
	require.NoError(t, err)
	defer fh.Close()
	rs, err := resource.DecodeInventory(out, fh, resource.InventoryLimits{})
	require.NoError(t, err)
	assert.Greater(t, len(rs), 15)
	for _, r := range rs {
		assert.Equal(t, "google", r.Provider)
		assert.Equal(t, "acme-prod", r.Account)
	}

	// The inventory feeds a later scan: the same findings as discovering
	// in the scan itself.
	code, stdout, _ = run(t, "", "scan", "--state", filepath.Join(example("gcp"), "terraform.tfstate"), "--live", out, "-o", "json")
	require.Equal(t, ExitDrift, code)
	assert.Len(t, decodeResult(t, stdout).Findings, 4)

	code, stdout, _ = run(t, "", "discover", "--provider", "aws", "--simulate", filepath.Join(example("aws"), "world.json"), "-o", "table")
	require.Equal(t, 0, code)
	assert.Contains(t, stdout, "aws_security_group")
	assert.Contains(t, stdout, "eu-west-1")
}

func TestReportSkips(t *testing.T) {
	var buf strings.Builder
	reportSkips(&buf, nil)
	assert.Empty(t, buf.String(), "nothing skipped, nothing said")
	reportSkips(&buf, []discovery.Skip{
		{Scope: discovery.Scope{Provider: "aws", Account: "123456789012"}, Service: "iam", Reason: discovery.AccessDenied,
			Detail: "operation error IAM: ListUsers, AccessDenied: not authorized\nsecond line"},
		{Scope: discovery.Scope{Provider: "aws", Account: "123456789012", Region: "eu-west-1"}, Service: "ec2", Reason: discovery.Throttled, Detail: strings.Repeat("x", 300)},
	})
	out := buf.String()
	assert.Contains(t, out, "2 service scopes were not (fully) discovered")
	assert.Contains(t, out, "iam")
	assert.Contains(t, out, "access_denied")
	assert.Contains(t, out, "eu-west-1")
	assert.NotContains(t, out, "second line")
	assert.Contains(t, out, "…")
}

func TestDiscoverBadFlags(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"discover"}, "--provider is required"},
		{[]string{"discover", "--provider", "oracle", "--simulate", filepath.Join(example("aws"), "world.json")}, `"oracle"`},
		{[]string{"discover", "--provider", "aws", "-o", "yaml"}, `"yaml"`},
		{[]string{"discover", "--provider", "aws", "--concurrency", "0"}, "--concurrency"},
		{[]string{"discover", "--provider", "aws", "--rate", "-1"}, "--rate"},
		{[]string{"discover", "--provider", "aws", "--simulate", "nope.json"}, "nope.json"},
		{[]string{"scan", "--state", example("terraform.tfstate")}, "--provider"},
	}
	for _, tc := range cases {
		code, _, stderr := run(t, "", tc.args...)
		assert.Equal(t, ExitError, code, tc.args)
		assert.Contains(t, stderr, tc.want, tc.args)
	}
}

// TestGenericTypesFlag: --generic-types reaches the AWS provider's
// Options as given (CloudFormation or Terraform names, all, none), and an
// unknown type or a provider without a typed generic tier is refused up
// front with an error naming it.
func TestGenericTypesFlag(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{name: "default", args: []string{"--provider", "aws"}},
		{name: "none", args: []string{"--provider", "aws", "--generic-types", "none"}, want: []string{"none"}},
		{name: "all", args: []string{"--provider", "aws", "--generic-types=all"}, want: []string{"all"}},
		{name: "both spellings, comma-separated and repeated",
			args: []string{"--provider", "aws", "--generic-types", "AWS::StepFunctions::StateMachine,aws_cloudwatch_event_rule",
				"--generic-types", "aws_cloudfront_function"},
			want: []string{"AWS::StepFunctions::StateMachine", "aws_cloudwatch_event_rule", "aws_cloudfront_function"}},
		{name: "unknown type", args: []string{"--provider", "aws", "--generic-types", "aws_sfn_state_machine,aws_nope"},
			want: []string{"aws_sfn_state_machine", "aws_nope"}, wantErr: "aws_nope"},
		{name: "not aws", args: []string{"--provider", "azure", "--generic-types", "all"}, want: []string{"all"},
			wantErr: "--provider aws"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var f discoverFlags
			fl := pflag.NewFlagSet("discover", pflag.ContinueOnError)
			f.register(fl)
			require.NoError(t, fl.Parse(tc.args))
			assert.Equal(t, tc.want, f.genericTypes)
			lim := discovery.NewLimiter(discovery.LimiterOptions{})
			ps, err := f.build(lim, nil)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "--generic-types")
				assert.Contains(t, err.Error(), tc.wantErr)
				if tc.name == "unknown type" {
					assert.ErrorIs(t, err, awsdisc.ErrUnknownGenericType)
					assert.NotContains(t, err.Error(), "aws_sfn_state_machine,")
				}
				return
			}
			require.NoError(t, err)
			require.Len(t, ps, 1)
			assert.Equal(t, tc.want, f.awsOptions(lim, nil).GenericTypes)
		})
	}
	// Through the command line, the unknown type is named on stderr.
	code, _, stderr := run(t, "", "discover", "--provider", "aws", "--generic-types", "AWS::Nope::Thing",
		"--simulate", filepath.Join(example("aws"), "world.json"))
	assert.Equal(t, ExitError, code)
	assert.Contains(t, stderr, "AWS::Nope::Thing")
}
