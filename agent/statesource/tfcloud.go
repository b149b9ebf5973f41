package statesource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

const (
	defaultTFCloudHost = "app.terraform.io"
	// tfcAPIMaxBytes bounds JSON:API responses, which are small; only the
	// state download itself is bounded by Options.MaxBytes.
	tfcAPIMaxBytes = 8 << 20
	tfcPageSize    = 100
	jsonAPIType    = "application/vnd.api+json"
)

// errNoState marks a workspace that exists but has never stored state.
var errNoState = errors.New("workspace has no state version")

// tfcClient is a minimal Terraform Cloud/Enterprise API v2 client: the three
// calls Fetch needs do not justify depending on go-tfe.
type tfcClient struct {
	base  *url.URL // scheme://host of the API
	token string
	http  *http.Client
}

func fetchTFCloud(ctx context.Context, src string, opts Options) ([]Document, error) {
	const usage = "tfcloud://ORG/WORKSPACE"
	u, err := url.Parse(src)
	if err != nil || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("%w: %s: expected %s", ErrBadSource, redactURL(src), usage)
	}
	org, workspace := u.Host, strings.Trim(u.Path, "/")
	if workspace == "" || strings.Contains(workspace, "/") {
		return nil, fmt.Errorf("%w: %s: expected %s", ErrBadSource, redactURL(src), usage)
	}
	var tags []string
	if t := u.Query().Get("tags"); t != "" {
		for _, tag := range strings.Split(t, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				tags = append(tags, tag)
			}
		}
		if !hasMeta(workspace) {
			return nil, fmt.Errorf("%w: %s: ?tags= selects among workspaces: expected a glob such as tfcloud://ORG/*?tags=KEY:VALUE", ErrBadSource, redactURL(src))
		}
	}
	hostParam := u.Query().Get("host")
	host := hostParam
	if host == "" {
		host = opts.TFCloudHost
	}
	if host == "" {
		host = defaultTFCloudHost
	}
	base, err := tfcBaseURL(host)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: host %q: %w", ErrBadSource, redactURL(src), host, err)
	}
	source := func(ws string) string {
		s := "tfcloud://" + org + "/" + ws
		// Written out by hand: url.Values would escape the ':' of a
		// port or an env:prod tag and make names harder to read.
		var q []string
		if base.Host != defaultTFCloudHost {
			q = append(q, "host="+base.Host)
		}
		if len(tags) > 0 && hasMeta(ws) {
			q = append(q, "tags="+strings.Join(tags, ","))
		}
		if len(q) > 0 {
			s += "?" + strings.Join(q, "&")
		}
		return s
	}
	token, err := tfcToken(base.Host)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w: %w", source(workspace), ErrAccessDenied, err)
	}
	c := &tfcClient{base: base, token: token, http: opts.httpClient()}

	if !hasMeta(workspace) {
		id, err := c.workspaceID(ctx, org, workspace, source(workspace))
		if err != nil {
			return nil, err
		}
		d, err := c.currentState(ctx, id, source(workspace), opts.maxBytes())
		if errors.Is(err, errNoState) {
			return nil, fmt.Errorf("read state %s: %w: %w", source(workspace), ErrNotFound, err)
		}
		if err != nil {
			return nil, err
		}
		return []Document{d}, nil
	}

	if !doublestar.ValidatePattern(workspace) {
		return nil, fmt.Errorf("%w: %s: invalid glob %q", ErrBadSource, source(workspace), workspace)
	}
	workspaces, err := c.listWorkspaces(ctx, org, workspace, tags, source(workspace))
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(workspaces))
	for id := range workspaces {
		ids = append(ids, id)
	}
	docs, err := fetchEach(ctx, ids, func(ctx context.Context, id string) (Document, error) {
		d, err := c.currentState(ctx, id, source(workspaces[id]), opts.maxBytes())
		if errors.Is(err, errNoState) {
			return Document{}, nil // a new workspace without state is not an error in a glob
		}
		return d, err
	})
	if err != nil {
		return nil, err
	}
	out := docs[:0]
	for _, d := range docs {
		if d.Source != "" {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read state %s: %w: no matching workspace has state", source(workspace), ErrNoMatch)
	}
	return out, nil
}

// tfcBaseURL accepts a bare hostname (https implied) or a base URL.
func tfcBaseURL(host string) (*url.URL, error) {
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, err
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, errors.New("expected HOST or http(s)://HOST")
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// tfcToken finds the API token for host the way the terraform CLI does:
// TF_TOKEN_<host> (dots as "_", hyphens as "__"), then TFE_TOKEN, then the
// credentials file written by `terraform login`.
func tfcToken(host string) (string, error) {
	hostname := host
	if h, _, ok := strings.Cut(host, ":"); ok {
		hostname = h
	}
	envName := "TF_TOKEN_" + strings.NewReplacer(".", "_", "-", "__").Replace(hostname)
	if t := os.Getenv(envName); t != "" {
		return t, nil
	}
	if t := os.Getenv("TFE_TOKEN"); t != "" {
		return t, nil
	}
	if t, err := tokenFromCredentialsFile(host); err != nil || t != "" {
		return t, err
	}
	return "", fmt.Errorf("no API token for %s: set %s or TFE_TOKEN, or run `terraform login %s`", host, envName, hostname)
}

// tokenFromCredentialsFile reads ~/.terraform.d/credentials.tfrc.json
// ({"credentials":{"HOST":{"token":"..."}}}). A missing file is not an error.
func tokenFromCredentialsFile(host string) (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", nil
	}
	path := filepath.Join(home, ".terraform.d", "credentials.tfrc.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	var file struct {
		Credentials map[string]struct {
			Token string `json:"token"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return "", fmt.Errorf("parse %s: %w", path, err)
	}
	return file.Credentials[host].Token, nil
}

// jsonAPIResource is the part of a JSON:API resource object Fetch reads.
type jsonAPIResource struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Attributes struct {
		Name                   string   `json:"name"`
		HostedStateDownloadURL string   `json:"hosted-state-download-url"`
		TagNames               []string `json:"tag-names"`
	} `json:"attributes"`
}

func (c *tfcClient) workspaceID(ctx context.Context, org, name, source string) (string, error) {
	var doc struct {
		Data jsonAPIResource `json:"data"`
	}
	path := "/api/v2/organizations/" + url.PathEscape(org) + "/workspaces/" + url.PathEscape(name)
	if err := c.getJSON(ctx, path, nil, source, &doc); err != nil {
		return "", err
	}
	if doc.Data.ID == "" {
		return "", fmt.Errorf("read state %s: %w: workspace response has no id", source, ErrFetch)
	}
	return doc.Data.ID, nil
}

// listWorkspaces returns id -> name of the organization's workspaces whose
// name matches pattern and that carry every tag (a cloud block's
// `workspaces { tags = [...] }`). search[name] and search[tags] narrow the
// listing server-side; the glob and plain tags are checked here too, so a
// server that ignores a filter cannot widen the scan to other teams'
// workspaces.
func (c *tfcClient) listWorkspaces(ctx context.Context, org, pattern string, tags []string, source string) (map[string]string, error) {
	path := "/api/v2/organizations/" + url.PathEscape(org) + "/workspaces"
	q := url.Values{"page[size]": {strconv.Itoa(tfcPageSize)}}
	if lit := longestLiteral(pattern); lit != "" {
		q.Set("search[name]", lit)
	}
	if len(tags) > 0 {
		q.Set("search[tags]", strings.Join(tags, ","))
	}
	found := map[string]string{}
	for page := 1; page > 0; {
		q.Set("page[number]", strconv.Itoa(page))
		var doc struct {
			Data []jsonAPIResource `json:"data"`
			Meta struct {
				Pagination struct {
					NextPage *int `json:"next-page"`
				} `json:"pagination"`
			} `json:"meta"`
		}
		if err := c.getJSON(ctx, path, q, source, &doc); err != nil {
			return nil, err
		}
		for _, ws := range doc.Data {
			if ok, _ := doublestar.Match(pattern, ws.Attributes.Name); ok && ws.ID != "" && hasTags(ws.Attributes.TagNames, tags) {
				found[ws.ID] = ws.Attributes.Name
			}
		}
		next := 0
		if p := doc.Meta.Pagination.NextPage; p != nil && *p > page {
			next = *p
		}
		page = next
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("read state %s: %w: no workspace matches", source, ErrNoMatch)
	}
	return found, nil
}

// currentState downloads the workspace's current state version. It returns
// errNoState when the workspace has none yet.
func (c *tfcClient) currentState(ctx context.Context, workspaceID, source string, max int64) (Document, error) {
	var doc struct {
		Data jsonAPIResource `json:"data"`
	}
	path := "/api/v2/workspaces/" + url.PathEscape(workspaceID) + "/current-state-version"
	if err := c.getJSON(ctx, path, nil, source, &doc); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Document{}, errNoState
		}
		return Document{}, err
	}
	link := doc.Data.Attributes.HostedStateDownloadURL
	if link == "" {
		return Document{}, fmt.Errorf("read state %s: %w: state version %s has no hosted-state-download-url", source, ErrFetch, doc.Data.ID)
	}
	ref, err := url.Parse(link)
	if err != nil {
		return Document{}, fmt.Errorf("read state %s: %w: bad download URL: %w", source, ErrFetch, err)
	}
	// The token goes along as go-tfe sends it: the URL came from the API the
	// token is for, and some Terraform Enterprise installs serve it themselves.
	data, err := httpGet(ctx, c.http, c.base.ResolveReference(ref).String(), c.header(), source, max)
	if err != nil {
		return Document{}, err
	}
	return Document{Source: source, Data: data}, nil
}

func (c *tfcClient) header() http.Header {
	return http.Header{
		"Authorization": {"Bearer " + c.token},
		"Accept":        {jsonAPIType},
	}
}

// getJSON GETs an API path and decodes the JSON:API document into out.
func (c *tfcClient) getJSON(ctx context.Context, path string, q url.Values, source string, out any) error {
	u := *c.base
	u.Path = path
	u.RawQuery = q.Encode()
	resp, err := doGet(ctx, c.http, u.String(), c.header(), source)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, tfcAPIMaxBytes))
	if err != nil {
		return fmt.Errorf("read state %s: %w: %w", source, ErrFetch, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return tfcStatusError(resp, body, source)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("read state %s: %w: decode %s: %w", source, ErrFetch, path, err)
	}
	return nil
}

// tfcStatusError explains an API error. Terraform Cloud answers 404 both for
// missing resources and for ones the token may not see.
func tfcStatusError(resp *http.Response, body []byte, source string) error {
	var doc struct {
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	detail := ""
	if json.Unmarshal(body, &doc) == nil && len(doc.Errors) > 0 {
		detail = ": " + strings.TrimSpace(doc.Errors[0].Title+" "+doc.Errors[0].Detail)
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("read state %s: %w: HTTP %s%s (check the API token)", source, ErrAccessDenied, resp.Status, detail)
	case http.StatusNotFound:
		return fmt.Errorf("read state %s: %w: HTTP %s%s (missing, or the token cannot see it)", source, ErrNotFound, resp.Status, detail)
	default:
		return fmt.Errorf("read state %s: %w: HTTP %s%s", source, ErrFetch, resp.Status, detail)
	}
}

// longestLiteral returns the longest run of pattern outside glob syntax;
// character classes and alternatives are skipped whole, since no single
// literal of theirs is guaranteed to be in a match.
func longestLiteral(pattern string) string {
	best, cur := "", strings.Builder{}
	flush := func() {
		if cur.Len() > len(best) {
			best = cur.String()
		}
		cur.Reset()
	}
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; c {
		case '*', '?':
			flush()
		case '[', '{':
			flush()
			closer := map[byte]byte{'[': ']', '{': '}'}[c]
			if j := strings.IndexByte(pattern[i:], closer); j >= 0 {
				i += j
			} else {
				i = len(pattern)
			}
		case '\\':
			if i+1 < len(pattern) {
				i++
				cur.WriteByte(pattern[i])
			}
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return best
}

// hasTags reports whether a workspace's tag names include every plain tag
// asked for. Key-value tags ("env:prod") live in tag bindings, which the
// listing does not carry, so those are left to the server's search[tags].
func hasTags(have, want []string) bool {
	for _, w := range want {
		if strings.Contains(w, ":") {
			continue
		}
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}
