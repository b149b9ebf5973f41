package statesource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// fetchHTTP reads one document the way Terraform's http backend does: a GET
// with optional basic auth from the URL's userinfo and extra headers.
// HTTP cannot list, so globs are not expanded here.
func fetchHTTP(ctx context.Context, src string, opts Options) ([]Document, error) {
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: %s: expected http(s)://HOST/PATH", ErrBadSource, redactURL(src))
	}
	source := redactURL(src)
	header := opts.Headers.Clone()
	if header == nil {
		header = http.Header{}
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		req := &http.Request{Header: http.Header{}}
		req.SetBasicAuth(u.User.Username(), pass)
		header.Set("Authorization", req.Header.Get("Authorization"))
		u.User = nil
	}
	data, err := httpGet(ctx, opts.httpClient(), u.String(), header, source, opts.maxBytes())
	if err != nil {
		return nil, err
	}
	return []Document{{Source: source, Data: data}}, nil
}

// httpGet GETs rawURL and returns its body, bounded by max. Errors name
// source (already redacted) and never include header values.
func httpGet(ctx context.Context, client *http.Client, rawURL string, header http.Header, source string, max int64) ([]byte, error) {
	resp, err := doGet(ctx, client, rawURL, header, source)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := statusError(resp, source); err != nil {
		return nil, err
	}
	if err := checkSize(source, resp.ContentLength, max); err != nil {
		return nil, err
	}
	return readLimited(resp.Body, source, max)
}

// doGet sends a GET. The *url.Error from net/http repeats the URL, which may
// carry query-string credentials, so only its cause is kept.
func doGet(ctx context.Context, client *http.Client, rawURL string, header http.Header, source string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadSource, source, unwrapURLError(err))
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get state %s: %w: %w", source, ErrFetch, unwrapURLError(err))
	}
	return resp, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// statusError turns a non-2xx response into an error naming source and the
// status; the body is not included since servers may echo credentials.
func statusError(resp *http.Response, source string) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	sentinel := ErrFetch
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusGone:
		sentinel = ErrNotFound
	case http.StatusUnauthorized, http.StatusForbidden:
		sentinel = ErrAccessDenied
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // allow connection reuse
	return fmt.Errorf("get state %s: %w: HTTP %s", source, sentinel, resp.Status)
}
