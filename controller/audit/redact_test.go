package audit

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/driftmgr/driftmgr/controller/pki"
	driftmgrv1 "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
)

// realSecrets are freshly generated credentials of every kind DriftMgr
// issues; none may survive redaction anywhere.
func realSecrets(t *testing.T) (apiKey, joinToken string) {
	t.Helper()
	apiKey, _, _, err := pki.NewAPIKey()
	require.NoError(t, err)
	joinToken, _, _, err = pki.NewJoinToken()
	require.NoError(t, err)
	return apiKey, joinToken
}

func TestRedactMessage(t *testing.T) {
	apiKey, joinToken := realSecrets(t)
	tests := []struct {
		name    string
		msg     proto.Message
		want    string
		secrets []string
	}{
		{"enroll: join token and csr",
			&driftmgrv1.EnrollRequest{JoinToken: joinToken, Csr: []byte("MIIB-csr"), Name: "a-1", Hostname: "web-1", Version: "1.4.0"},
			`{"join_token":"[REDACTED]","csr":"[REDACTED]","name":"a-1","hostname":"web-1","version":"1.4.0"}`,
			[]string{joinToken, "MIIB", "TUlJQi1jc3I"}},
		{"renew: csr", &driftmgrv1.RenewRequest{Csr: []byte("MIIB-csr")}, `{"csr":"[REDACTED]"}`, []string{"MIIB"}},
		{"bootstrap response: api key", &driftmgrv1.BootstrapResponse{ApiKey: apiKey, Tenant: "acme"},
			`{"api_key":"[REDACTED]","tenant":"acme"}`, []string{apiKey}},
		{"join token response: secret and token",
			&driftmgrv1.CreateJoinTokenResponse{Token: &driftmgrv1.JoinToken{Id: "jt1"}, Secret: joinToken, CaPin: "sha256:ab"},
			`{"token":"[REDACTED]","secret":"[REDACTED]","ca_pin":"sha256:ab"}`, []string{joinToken}},
		{"api key pasted into a description",
			&driftmgrv1.CreateJoinTokenRequest{TtlSeconds: 3600, MaxUses: 2, Description: "use " + apiKey + " and " + strings.ToUpper(joinToken)},
			`{"ttl_seconds":"3600","max_uses":2,"description":"use [REDACTED] and [REDACTED]"}`,
			[]string{apiKey, strings.ToUpper(joinToken)}},
		{"upload: bytes by length, 64-bit ints as strings",
			&driftmgrv1.UploadRequest{BootEpoch: 3, Seq: 1 << 60, Sha256: make([]byte, 32), Payload: make([]byte, 5000)},
			`{"boot_epoch":"3","seq":"1152921504606846976","sha256":"[32 bytes]","payload":"[5000 bytes]"}`, nil},
		{"page token is a cursor, kept",
			&driftmgrv1.ListFindingsRequest{PageSize: 10, PageToken: "abc", Filter: &driftmgrv1.FindingFilter{Severity: []driftmgrv1.Severity{driftmgrv1.Severity_SEVERITY_HIGH, 42}, Text: "Bearer abcdefghijklmnop"}},
			`{"filter":{"severity":["SEVERITY_HIGH",42],"text":"Bearer [REDACTED]"},"page_size":10,"page_token":"abc"}`, []string{"abcdefghijklmnop"}},
		{"oneof and nested message",
			&driftmgrv1.ControlRequest{Msg: &driftmgrv1.ControlRequest_Hello{Hello: &driftmgrv1.Hello{BootEpoch: 1, Providers: []string{"aws", "gcp"}}}},
			`{"hello":{"boot_epoch":"1","providers":["aws","gcp"]}}`, nil},
		{"bools and doubles",
			&driftmgrv1.GetComplianceResponse{RiskScore: 12.5, Passed: 3},
			`{"risk_score":12.5,"passed":"3"}`, nil},
		{"empty", &driftmgrv1.RevokeAgentRequest{}, `{}`, nil},
		{"nil", nil, `{}`, nil},
		{"typed nil", (*driftmgrv1.EnrollRequest)(nil), `{}`, nil},
		{"map keys that say secret",
			&errdetails.ErrorInfo{Reason: "x", Metadata: map[string]string{"region": "eu", "db_password": "hunter2", "url": "https://u:pw@db.example/x"}},
			`{"reason":"x","metadata":{"db_password":"[REDACTED]","region":"eu","url":"https://u:[REDACTED]@db.example/x"}}`,
			[]string{"hunter2", ":pw@"}},
		{"well-known types render as protojson", durationpb.New(1500 * 1e6), `"1.500s"`, nil},
		{"a struct is redacted like JSON",
			mustStruct(t, map[string]any{"config": map[string]any{"clientSecret": "s3cr3t", "region": "eu"}, "note": "key " + apiKey}),
			`{"config":{"clientSecret":"[REDACTED]","region":"eu"},"note":"key [REDACTED]"}`, []string{"s3cr3t", apiKey}},
		{"an Any carrying an enroll request",
			mustAny(t, &driftmgrv1.EnrollRequest{JoinToken: joinToken, Name: "a-1"}),
			`{"@type":"type.googleapis.com/driftmgr.v1.EnrollRequest","join_token":"[REDACTED]","name":"a-1"}`, []string{joinToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RedactMessage(tt.msg)
			assert.True(t, json.Valid(got), "valid JSON: %s", got)
			assert.Equal(t, tt.want, string(got))
			for _, s := range tt.secrets {
				assert.NotContains(t, string(got), s)
			}
		})
	}
}

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	s, err := structpb.NewStruct(m)
	require.NoError(t, err)
	return s
}

func mustAny(t *testing.T, m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	require.NoError(t, err)
	return a
}

func TestRedactMessageClipsLongStrings(t *testing.T) {
	source := "package big\n" + strings.Repeat("x", 3000)
	got := RedactMessage(&driftmgrv1.PutPolicyRequest{Name: "big.rego", Source: source})
	var v map[string]string
	require.NoError(t, json.Unmarshal(got, &v))
	assert.Equal(t, source[:MaxArgString]+"…(+1988 bytes)", v["source"])
}

func TestRedactMessageRedactsBeforeClipping(t *testing.T) {
	apiKey, _ := realSecrets(t)
	// The key straddles the clipping point: clipping first would leave
	// half of it.
	source := strings.Repeat("x", MaxArgString-10) + apiKey
	got := RedactMessage(&driftmgrv1.PutPolicyRequest{Source: source})
	assert.NotContains(t, string(got), apiKey[:10])
}

func TestRedactMessageStopsAtDepth(t *testing.T) {
	root := &descriptorpb.DescriptorProto{Name: proto.String("d0")}
	cur := root
	for range 40 {
		next := &descriptorpb.DescriptorProto{Name: proto.String("d")}
		cur.NestedType = []*descriptorpb.DescriptorProto{next}
		cur = next
	}
	got := RedactMessage(root)
	assert.True(t, json.Valid(got))
	assert.Contains(t, string(got), `"[too deep]"`)
}

func TestRedactString(t *testing.T) {
	apiKey, joinToken := realSecrets(t)
	tests := []struct{ in, want string }{
		{"key " + apiKey + " leaked", "key [REDACTED] leaked"},
		{joinToken, "[REDACTED]"},
		{apiKey + "trailing", "[REDACTED]trailing"},
		{"Authorization: Bearer eyJhbGciOi.J9.sig", "Authorization: Bearer [REDACTED]"},
		{"Basic dXNlcjpodW50ZXIy", "Basic [REDACTED]"},
		{"postgres://app:hunter2@db:5432/x", "postgres://app:[REDACTED]@db:5432/x"},
		{"https://user@host/path", "https://user@host/path"},
		{"DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc+/==;EndpointSuffix=core", "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=[REDACTED];EndpointSuffix=core"},
		{"https://st.blob.core.windows.net/c?sv=2020&sig=abc%2F123&se=2025", "https://st.blob.core.windows.net/c?sv=2020&sig=[REDACTED]&se=2025"},
		{"password=hunter2 user=x", "password=[REDACTED] user=x"},
		{"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\nrest", "[REDACTED]\nrest"},
		{"-----BEGIN PRIVATE KEY-----\nMIIE cut off", "[REDACTED]"},
		{"id AKIAIOSFODNN7EXAMPLE used", "id [REDACTED] used"},
		// Ordinary words stay.
		{"join token malformed: want prefix \"dmjt_\"", "join token malformed: want prefix \"dmjt_\""},
		{"basic authentication failed", "basic authentication failed"},
		{"the token expired", "the token expired"},
		{"dm_short_key", "dm_short_key"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RedactString(tt.in), tt.in)
	}
}

func TestIsSecretField(t *testing.T) {
	secret := []string{"join_token", "joinToken", "JoinToken", "csr", "secret", "secret_hash", "api_key", "apiKey",
		"APIKey", "API-Key", "apikey", "private_key", "privateKey", "client_secret", "password", "db_password",
		"connection_string", "connectionString", "credentials", "aws_credentials", "Authorization", "sas_token",
		"access_key", "x-api-key", "session.token", "kubeconfig", "storage_account_key", "tokens"}
	plain := []string{"token_id", "page_token", "next_page_token", "nextPageToken", "name", "description", "key",
		"tenant", "cert_serial", "ca_pin", "certificate_pem", "secret_name", "password_set", "max_uses", "token_count",
		"secret_arn", "tokenTTL", "", "_", "keyword", "passage", "monkey"}
	for _, n := range secret {
		assert.True(t, IsSecretField(n), n)
	}
	for _, n := range plain {
		assert.False(t, IsSecretField(n), n)
	}
}

func TestRedactJSON(t *testing.T) {
	apiKey, _ := realSecrets(t)
	got := RedactJSON([]byte(`{"username":"ana","password":"hunter2","nested":{"apiKey":"k","list":["` + apiKey + `",1,true,null]}}`))
	assert.Equal(t, `{"nested":{"apiKey":"[REDACTED]","list":["[REDACTED]",1,true,null]},"password":"[REDACTED]","username":"ana"}`, string(got))

	assert.Equal(t, `"[9 bytes, not JSON]"`, string(RedactJSON([]byte("password="))))
	assert.Equal(t, `"[5 bytes, not JSON]"`, string(RedactJSON([]byte("{} {}"))))
	assert.Equal(t, `"ok"`, string(RedactJSON([]byte(`"ok"`))))

	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	assert.Contains(t, string(RedactJSON([]byte(deep))), `"[too deep]"`)
}

func FuzzRedactJSON(f *testing.F) {
	f.Add([]byte(`{"password":"x","a":[1,{"token":"y"}]}`))
	f.Add([]byte(`"dm_abcdefghijkl_abcdefghijklmnopqrstuvwxyz234567"`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := RedactJSON(data)
		require.True(t, json.Valid(out), "%q -> %q", data, out)
		// Redacting again changes nothing (a fixed point), as long as no
		// string was long enough to be clipped: the clip note would grow.
		if len(data) <= MaxArgString {
			require.Equal(t, string(out), string(RedactJSON(out)))
		}
	})
}
