package scan

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/driftmgr/driftmgr/internal/drift"
	"github.com/driftmgr/driftmgr/internal/resource"
	"github.com/driftmgr/driftmgr/internal/tfstate"
)

// Test secrets are assembled at run time so the repository itself holds
// no string a secret scanner would flag.
var (
	awsKeyID  = "AKIA" + "Z7QXWERTYUIOPLKJ"
	awsSecret = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
	ghToken   = "ghp_" + strings.Repeat("a1B2c3D4e5", 4)[:36]
	glToken   = "glpat-" + "Ab1Cd2Ef3Gh4Ij5Kl6Mn"
	slack     = "xoxb-" + "1234567890-abcdefghijkl"
	pemHeader = "-----BEGIN RSA " + "PRIVATE KEY-----"
	gAPIKey   = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"
	azConn    = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + strings.Repeat("QWxhZGRpbjpvcGVuIHNlc2FtZQ", 3) + "==;EndpointSuffix=core.windows.net"
	jwt       = "eyJ" + "hbGciOiJIUzI1NiJ9.eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	stripe    = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
	dbPass    = "Zq8#pL2!vN6@rT9w"
)

func gz(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

func TestSecrets(t *testing.T) {
	script := "#!/bin/bash\nexport AWS_ACCESS_KEY_ID=" + awsKeyID + "\nexport AWS_SECRET_ACCESS_KEY=" + awsSecret + "\necho hi\n"
	cases := []struct {
		name string
		r    resource.Resource
		want []string // check@path:line
	}{
		{"user data plain", res("aws_launch_template", "lt", map[string]any{"user_data": script}),
			[]string{"DM-SECRET-001@user_data:2", "DM-SECRET-002@user_data:3"}},
		{"user data base64+gzip", res("aws_instance", "i-1", map[string]any{"user_data_base64": gz(script)}),
			[]string{"DM-SECRET-001@user_data_base64:2", "DM-SECRET-002@user_data_base64:3"}},
		{"user data base64", res("aws_instance", "i-1", map[string]any{"user_data": base64.StdEncoding.EncodeToString([]byte("token: " + ghToken))}),
			[]string{"DM-SECRET-003@user_data:0"}},
		{"user data hash", res("aws_instance", "i-1", map[string]any{"user_data": "0123456789abcdef0123456789abcdef01234567"}), nil},
		{"lambda env", res("aws_lambda_function", "f", map[string]any{"environment": []any{map[string]any{"variables": map[string]any{
			"DB_PASSWORD": dbPass, "GITLAB": glToken, "LOG_LEVEL": "debug", "API_TOKEN": "${var.token}"}}}}),
			[]string{"DM-SECRET-004@environment[0].variables.GITLAB:0", "DM-SECRET-011@environment[0].variables.DB_PASSWORD:0"}},
		{"ecs container env", res("aws_ecs_task_definition", "td", map[string]any{"container_definitions": `[{"name":"app","environment":[{"name":"SLACK","value":"` + slack + `"},{"name":"PORT","value":"8080"}]}]`}),
			[]string{"DM-SECRET-005@container_definitions[0].environment[0].value:0"}},
		{"cloud run env", res("google_cloud_run_service", "s", map[string]any{"template": []any{map[string]any{"spec": []any{map[string]any{"containers": []any{map[string]any{
			"env": []any{map[string]any{"name": "MAPS_KEY", "value": gAPIKey}}}}}}}}}),
			[]string{"DM-SECRET-007@template[0].spec[0].containers[0].env[0].value:0"}},
		{"app settings", res("azurerm_linux_web_app", "a", map[string]any{"app_settings": map[string]any{"STORAGE": azConn, "JWT": jwt}}),
			[]string{"DM-SECRET-008@app_settings.STORAGE:0", "DM-SECRET-009@app_settings.JWT:0"}},
		{"gce startup script", res("google_compute_instance", "vm", map[string]any{"metadata": map[string]any{"startup-script": "echo '" + pemHeader + "' > k", "enable-oslogin": "TRUE"}}),
			[]string{"DM-SECRET-006@metadata.startup-script:0"}},
		{"clean env", res("aws_lambda_function", "f", map[string]any{"environment": []any{map[string]any{"variables": map[string]any{"MODE": "prod", "SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:x"}}}}), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			if c.name == "tags" {
				return
			}
			var got []string
			for _, h := range secretsIn(&r) {
				got = append(got, h.check.ID+"@"+string(h.path)+":"+itoa(h.line))
			}
			assert.ElementsMatch(t, c.want, got)
		})
	}
	tagged := res("aws_s3_bucket", "b", nil)
	tagged.Tags = map[string]string{"stripe": stripe, "owner": "team-a"}
	rs := ScanSecrets([]resource.Resource{tagged})
	require.Len(t, rs, 1)
	assert.Equal(t, "DM-SECRET-010", rs[0].CheckID)
	assert.Equal(t, resource.Path("tags.stripe"), rs[0].Location.Path)
}

func TestSecretOutputs(t *testing.T) {
	rs := ScanOutputs([]StateOutput{{Origin: "a.tfstate", Name: "deploy_key", Value: awsKeyID}, {Origin: "a.tfstate", Name: "ip", Value: "10.0.0.1"},
		{Origin: "a.tfstate", Name: "db", Value: map[string]any{"password": dbPass}, Sensitive: true}})
	require.Len(t, rs, 2)
	assert.Equal(t, "output.deploy_key", rs[0].Address)
	assert.Contains(t, rs[1].Message, "marked sensitive")
}

// TestSecretsNeverPrinted plants secrets everywhere the scanner looks and
// asserts that no output format carries any of them.
func TestSecretsNeverPrinted(t *testing.T) {
	all := []string{awsKeyID, awsSecret, ghToken, glToken, slack, gAPIKey, azConn, jwt, stripe, dbPass}
	env := map[string]any{}
	for i, s := range all {
		env["SECRET_"+itoa(i)] = s
	}
	fn := res("aws_lambda_function", "f", map[string]any{"environment": []any{map[string]any{"variables": env}}})
	inst := res("aws_instance", "i-1", map[string]any{"user_data": "#!/bin/sh\n" + strings.Join(all, "\n"), "metadata_options": []any{map[string]any{"http_tokens": "optional"}}})
	inst.Tags = map[string]string{"password": dbPass}
	inst.Sensitive = []resource.Path{"user_data"}
	rep := Run(Input{State: []resource.Resource{fn, inst}, Outputs: []StateOutput{{Name: "token", Value: ghToken}}})
	assert.GreaterOrEqual(t, rep.Summary.Secrets, len(all))
	for _, f := range Formats {
		var b bytes.Buffer
		require.NoError(t, Write(&b, f, rep, WriteOptions{All: true}))
		for _, s := range all {
			assert.NotContains(t, b.String(), s, "format %s leaks a secret", f)
		}
	}
}

func TestDecodeBlob(t *testing.T) {
	assert.Equal(t, "hello world, plain", decodeBlob("hello world, plain"))
	assert.Equal(t, "#!/bin/sh\necho", decodeBlob(gz("#!/bin/sh\necho")))
	var raw bytes.Buffer
	w := gzip.NewWriter(&raw)
	_, _ = w.Write([]byte("zipped"))
	_ = w.Close()
	assert.Equal(t, "zipped", decodeBlob(raw.String()))
	assert.Equal(t, "abc", string(gunzip(raw.Bytes()))[:0]+"abc")
	assert.InDelta(t, 0, entropy(""), 0.001)
}

// TestDriftWeakenedSecurity replays the planted drift of examples/aws: the
// SSH rule of sg-0a1 opened from 10.0.0.0/8 to 0.0.0.0/0.
func TestDriftWeakenedSecurity(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", "aws", "terraform.tfstate"))
	require.NoError(t, err)
	st, err := tfstate.Parse("terraform.tfstate", data, tfstate.Limits{})
	require.NoError(t, err)
	live := make([]resource.Resource, len(st.Resources))
	for i, r := range st.Resources {
		r.Source, r.Address = resource.SourceLive, ""
		r.Attrs = copyJSON(r.Attrs).(map[string]any)
		if r.ID == "sg-0a1" {
			for _, e := range list(r.Attrs["ingress"]) {
				if m := obj(e); portNum(m["from_port"]) == 22 {
					m["cidr_blocks"] = []any{"0.0.0.0/0"}
				}
			}
		}
		live[i] = r
	}
	unmanaged := res("aws_security_group", "sg-new", map[string]any{"name": "manual", "ingress": []any{ingress(3389, 3389, "tcp", "0.0.0.0/0")}})
	live = append(live, unmanaged)
	d := drift.Compare(st.Resources, live, drift.Options{})
	rep := Run(Input{State: st.Resources, Live: live, Drift: d, Now: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	var weak []Result
	for _, r := range rep.Results {
		if r.Drift != nil {
			weak = append(weak, r)
		}
	}
	require.Len(t, weak, 2, "%+v", weak)
	ssh := weak[1]
	if weak[0].CheckID == "DM-DRIFT-AWS-EC2-001" {
		ssh = weak[0]
	}
	assert.Equal(t, "DM-DRIFT-AWS-EC2-001", ssh.CheckID)
	assert.Equal(t, "sg-0a1", ssh.ID)
	assert.Equal(t, "aws_security_group.security_group", ssh.Address)
	assert.Equal(t, "terraform.tfstate", ssh.StateOrigin, "a live finding points at the state that manages it")
	var b bytes.Buffer
	require.NoError(t, Write(&b, "sarif", rep, WriteOptions{}))
	assert.Contains(t, b.String(), `"uri": "terraform.tfstate"`)
	assert.Equal(t, Critical, ssh.Severity)
	assert.Contains(t, ssh.Message, "this drift opened port 22 to the world")
	assert.Equal(t, Pass, ssh.Drift.State.Status)
	assert.Equal(t, Fail, ssh.Drift.Live.Status)
	assert.Equal(t, drift.Modified, ssh.Drift.Kind)
	require.NotEmpty(t, ssh.Drift.Diffs)
	assert.Equal(t, []any{"0.0.0.0/0"}, ssh.Drift.Diffs[0].Actual)
	assert.Equal(t, 2, rep.Summary.DriftWeakened)
	rdp := weak[0]
	if rdp.CheckID != "DM-DRIFT-AWS-EC2-002" {
		rdp = weak[1]
	}
	assert.Equal(t, "sg-new", rdp.ID)
	assert.Equal(t, drift.Unmanaged, rdp.Drift.Kind)
}

func copyJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = copyJSON(e)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = copyJSON(e)
		}
		return l
	}
	return v
}

func TestSecretDrift(t *testing.T) {
	fn := func(src resource.Source, env map[string]any) resource.Resource {
		r := res("aws_lambda_function", "export", map[string]any{"environment": []any{map[string]any{"variables": env}}})
		r.Source, r.Sensitive = src, []resource.Path{"environment"}
		return r
	}
	state := []resource.Resource{fn(resource.SourceState, map[string]any{"MODE": "prod"})}
	state[0].Address = "aws_lambda_function.export"
	live := []resource.Resource{fn(resource.SourceLive, map[string]any{"MODE": "prod", "GITLAB": glToken})}
	manual := res("aws_instance", "i-9", map[string]any{"user_data": "#!/bin/sh\nexport KEY=" + awsKeyID + "\n"})
	manual.Source = resource.SourceLive
	live = append(live, manual)
	d := drift.Compare(state, live, drift.Options{})
	rep := Run(Input{State: state, Live: live, Drift: d})
	var got []string
	for _, r := range rep.Results {
		if r.Status == Fail {
			got = append(got, r.CheckID+" "+r.ID)
		}
		if r.CheckID == "DM-DRIFT-SECRET-004" {
			assert.Contains(t, r.Message, "this drift put a secret into the configuration")
			assert.Equal(t, Pass, r.Drift.State.Status)
			require.Len(t, r.Drift.Diffs, 1)
			assert.Equal(t, resource.Path("environment[0].variables.GITLAB"), r.Drift.Diffs[0].Path)
		}
	}
	assert.ElementsMatch(t, []string{"DM-DRIFT-SECRET-004 export", "DM-DRIFT-SECRET-001 i-9"}, got)
	assert.Equal(t, 2, rep.Summary.Secrets)
	var b bytes.Buffer
	require.NoError(t, Write(&b, "sarif", rep, WriteOptions{}))
	assert.Contains(t, b.String(), `"id": "DM-DRIFT-SECRET-004"`)
	assert.NotContains(t, b.String(), glToken)
	assert.NotContains(t, b.String(), awsKeyID)
}
