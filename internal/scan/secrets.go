package scan

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"regexp"
	"strings"

	"github.com/driftmgr/driftmgr/internal/resource"
)

// secretRule recognises one kind of secret in text. Matches are reported
// by location and kind only: the matched text never leaves this file.
type secretRule struct {
	check *Check
	re    *regexp.Regexp
}

func secretCheck(id, title string, sev Severity, checkov ...string) *Check {
	return &Check{ID: id, Title: title, Severity: sev, Provider: "*",
		Rationale:   "Secrets in user data, environment variables, tags or state outputs are readable by anyone who can describe the resource or read the state, and end up in logs and backups.",
		Remediation: "Rotate the secret now (assume it leaked), then move it to a secret store (AWS Secrets Manager / SSM Parameter Store, Azure Key Vault, GCP Secret Manager) and pass a reference instead.",
		Terraform:   "environment { variables = { DB_PASSWORD_ARN = aws_secretsmanager_secret.db.arn } }  # the reference, not the value",
		Refs:        Refs{Checkov: checkov, Prowler: []string{"ec2_instance_secrets_user_data", "awslambda_function_no_secrets_in_variables"}},
		Weakened:    "put a secret into the resource's configuration"}
}

var secretRules = []secretRule{
	{secretCheck("DM-SECRET-001", "AWS access key ID exposed", Critical, "CKV_AWS_46", "CKV_AWS_45"), regexp.MustCompile(`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b`)},
	{secretCheck("DM-SECRET-002", "AWS secret access key exposed", Critical, "CKV_AWS_46", "CKV_AWS_45"), regexp.MustCompile(`(?i)aws.{0,20}?(?:secret|sk).{0,20}?['"=: ]\s*['"]?[A-Za-z0-9/+]{40}\b`)},
	{secretCheck("DM-SECRET-003", "GitHub token exposed", High), regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{82})\b`)},
	{secretCheck("DM-SECRET-004", "GitLab token exposed", High), regexp.MustCompile(`\bglpat-[A-Za-z0-9_\-]{20}\b`)},
	{secretCheck("DM-SECRET-005", "Slack token or webhook exposed", High), regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}`)},
	{secretCheck("DM-SECRET-006", "Private key exposed", Critical), regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----`)},
	{secretCheck("DM-SECRET-007", "Google API key exposed", High), regexp.MustCompile(`\bAIza[0-9A-Za-z\-_]{35}\b`)},
	{secretCheck("DM-SECRET-008", "Azure storage connection string exposed", Critical), regexp.MustCompile(`(?i)DefaultEndpointsProtocol=https?;AccountName=[^;]+;AccountKey=[A-Za-z0-9+/=]{40,}`)},
	{secretCheck("DM-SECRET-009", "JSON Web Token exposed", Medium), regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)},
	{secretCheck("DM-SECRET-010", "Stripe live key exposed", Critical), regexp.MustCompile(`\b[rs]k_live_[0-9a-zA-Z]{24,}\b`)},
}

var genericSecret = secretCheck("DM-SECRET-011", "High-entropy value under a secret-like name", High, "CKV_AWS_46", "CKV_AWS_45")

// keywordAssign finds NAME=VALUE / NAME: VALUE / "NAME": "VALUE" in text
// where NAME looks like it holds a secret.
var keywordAssign = regexp.MustCompile(`(?i)([A-Za-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|client[_\-]?secret|auth)[A-Za-z0-9_.\-]*)["']?\s*[:=]\s*["']?([^\s"'#;,]{8,})`)

var secretName = regexp.MustCompile(`(?i)(password|passwd|pwd|secret|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|client[_\-]?secret|credential|auth)`)

// placeholderName marks values that name a secret instead of holding it.
var placeholder = regexp.MustCompile(`(?i)^(\$\{.*\}|\$[A-Z_]+|<.*>|arn:aws:|projects/|https://[a-z0-9-]+\.vault\.azure\.net|changeme|example|x{6,}|\*{4,}|true|false|null|none|\(sensitive\))`)

// SecretChecks returns the secret kinds as checks (for SARIF rules and
// the check list).
func SecretChecks() []*Check {
	out := make([]*Check, 0, len(secretRules)+1)
	for _, r := range secretRules {
		out = append(out, r.check)
	}
	return append(out, genericSecret)
}

func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var freq [256]int
	for i := 0; i < len(s); i++ {
		freq[s[i]]++
	}
	var h float64
	n := float64(len(s))
	for _, c := range freq {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// secretHit is one secret found: the rule and where. No value.
type secretHit struct {
	check *Check
	path  resource.Path
	line  int
}

// findInText runs every rule over text (line by line) and, when named is
// true, treats the whole text as the value of a secret-like name.
func findInText(p resource.Path, text string, named bool) []secretHit {
	var out []secretHit
	seen := map[string]bool{}
	add := func(c *Check, line int) {
		k := c.ID + "\x00" + itoa(line)
		if !seen[k] {
			seen[k] = true
			out = append(out, secretHit{check: c, path: p, line: line})
		}
	}
	lines := strings.Split(text, "\n")
	multi := len(lines) > 1
	for i, ln := range lines {
		line := 0
		if multi {
			line = i + 1
		}
		known := false
		for _, r := range secretRules {
			if r.re.MatchString(ln) {
				add(r.check, line)
				known = true
			}
		}
		if known || placeholder.MatchString(strings.TrimSpace(ln)) {
			continue
		}
		for _, m := range keywordAssign.FindAllStringSubmatch(ln, -1) {
			if highEntropy(m[2]) {
				add(genericSecret, line)
			}
		}
	}
	if named && len(out) == 0 && !multi && highEntropy(strings.TrimSpace(text)) {
		add(genericSecret, 0)
	}
	return out
}

func highEntropy(v string) bool {
	if len(v) < 8 || placeholder.MatchString(v) {
		return false
	}
	return entropy(v) >= 3.0 && (len(v) >= 12 || entropy(v) >= 2.8)
}

// decodeBlob undoes base64 and gzip, as cloud-init user data is often
// shipped; it returns the text and whether it looked like text at all.
func decodeBlob(s string) string {
	t := strings.TrimSpace(s)
	if len(t) >= 16 && !strings.ContainsAny(t, " \n\t") {
		if b, err := base64.StdEncoding.DecodeString(t); err == nil {
			if g := gunzip(b); g != nil {
				return string(g)
			}
			if isText(b) {
				return string(b)
			}
		}
	}
	if g := gunzip([]byte(s)); g != nil {
		return string(g)
	}
	return s
}

func gunzip(b []byte) []byte {
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, err := io.ReadAll(io.LimitReader(zr, 4<<20))
	if err != nil && len(out) == 0 {
		return nil
	}
	return out
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			return false
		}
	}
	return true
}

// blobAttrs hold scripts (user data, startup scripts, custom data).
var blobAttrs = map[string]bool{"user_data": true, "user_data_base64": true, "custom_data": true, "metadata_startup_script": true}

// envRoots hold name -> value maps of environment variables or settings.
var envRoots = map[string]bool{"environment": true, "environment_variables": true, "app_settings": true, "variables": true,
	"build_environment_variables": true, "env": true, "environment_variable": true, "metadata": true}

// secretsIn scans the places of a resource where secrets hide.
func secretsIn(r *resource.Resource) []secretHit {
	var out []secretHit
	for _, k := range resource.SortedKeys(r.Attrs) {
		v := r.Attrs[k]
		p := path("").Field(k)
		switch {
		case blobAttrs[k]:
			if s := str(v); s != "" && !isHashOnly(s) {
				out = append(out, findInText(p, decodeBlob(s), false)...)
			}
		case k == "container_definitions":
			out = append(out, containerDefs(p, str(v))...)
		case envRoots[k] || k == "template" || k == "container" || k == "site_config":
			out = append(out, walkEnv(p, v, envRoots[k])...)
		}
	}
	for _, k := range resource.SortedKeys(r.Tags) {
		out = append(out, findInText(path("tags").Field(k), r.Tags[k], secretName.MatchString(k))...)
	}
	return out
}

// isHashOnly skips aws_instance's user_data as state stores it: a SHA-1.
func isHashOnly(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// walkEnv descends into nested blocks; inside an env map every string is
// a value whose key names it. Kubernetes-style [{name, value}] lists are
// read as name -> value.
func walkEnv(p resource.Path, v any, inEnv bool) []secretHit {
	var out []secretHit
	switch t := v.(type) {
	case map[string]any:
		if n, ok := t["name"].(string); ok {
			if val, ok := t["value"].(string); ok && inEnv {
				return findInText(p.Field("value"), val, secretName.MatchString(n))
			}
		}
		for _, k := range resource.SortedKeys(t) {
			child := p.Field(k)
			switch e := t[k].(type) {
			case string:
				if inEnv || k == "startup-script" || k == "user-data" {
					out = append(out, findInText(child, decodeBlob(e), secretName.MatchString(k))...)
				}
			default:
				out = append(out, walkEnv(child, e, inEnv || envRoots[k])...)
			}
		}
	case []any:
		for i, e := range t {
			out = append(out, walkEnv(p.Index(i), e, inEnv)...)
		}
	}
	return out
}

func containerDefs(p resource.Path, s string) []secretHit {
	var defs []any
	if json.Unmarshal([]byte(s), &defs) != nil {
		return findInText(p, s, false)
	}
	var out []secretHit
	for i, d := range defs {
		for j, e := range list(obj(d)["environment"]) {
			m := obj(e)
			out = append(out, findInText(p.Index(i).Field("environment").Index(j).Field("value"), str(m["value"]), secretName.MatchString(str(m["name"])))...)
		}
	}
	return out
}

// ScanSecrets reports secrets in an inventory's user data, environment,
// settings and tags, one result per kind and location.
func ScanSecrets(rs []resource.Resource) []Result {
	var out []Result
	for i := range rs {
		r := &rs[i]
		for _, h := range secretsIn(r) {
			out = append(out, secretResult(h, r))
		}
	}
	return out
}

func secretResult(h secretHit, r *resource.Resource) Result {
	res := subjectResult(h.check, r)
	res.Status = Fail
	res.Location = &Location{Path: h.path, Line: h.line}
	res.Message = h.check.Title + " in " + string(h.path)
	if h.line > 0 {
		res.Message += " line " + itoa(h.line)
	}
	res.Evidence = []Evidence{{Path: h.path, Value: resource.Redacted}}
	return res
}

// StateOutput is one output value of a Terraform state.
type StateOutput struct {
	Origin    string
	Name      string
	Value     any
	Sensitive bool
}

// ScanOutputs reports secrets in state outputs that are not marked
// sensitive (a sensitive output is redacted in plans but still plain text
// in state, so it is reported too, at a lower severity).
func ScanOutputs(outs []StateOutput) []Result {
	var res []Result
	for _, o := range outs {
		p := path("outputs").Field(o.Name)
		var hits []secretHit
		switch v := o.Value.(type) {
		case string:
			hits = findInText(p, v, secretName.MatchString(o.Name))
		default:
			hits = walkEnv(p, v, true)
		}
		for _, h := range hits {
			r := &resource.Resource{Provider: "terraform", Type: "terraform_output", ID: o.Name, Origin: o.Origin, Source: resource.SourceState,
				Address: "output." + o.Name}
			rr := secretResult(h, r)
			if o.Sensitive {
				rr.Message += " (output marked sensitive: hidden in plans, plain text in the state file)"
			}
			res = append(res, rr)
		}
	}
	return res
}
