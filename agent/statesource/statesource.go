// Package statesource fetches raw Terraform state documents from wherever
// they live: local files and directories, S3, GCS, Azure Blob Storage, plain
// HTTP(S) (Terraform's http backend) and Terraform Cloud/Enterprise.
//
// It only fetches bytes; internal/tfstate parses them. Every source is read
// through its official SDK or API, bounded by Options.MaxBytes, and every
// error names the source it is about with credentials redacted.
//
// Source syntax accepted by Fetch:
//
//	path/to/terraform.tfstate        a local file
//	path/to/dir                      every **/*.tfstate below it (skipping .terraform/)
//	envs/**/*.tfstate                a local glob (doublestar syntax)
//	s3://BUCKET/KEY                  an S3 object; KEY may be a glob, e.g. env:/*/app.tfstate
//	gs://BUCKET/OBJECT               a GCS object; OBJECT may be a glob
//	azurerm://ACCOUNT/CONTAINER/BLOB an Azure blob; BLOB may be a glob
//	https://host/path                one document over HTTP(S), basic auth from userinfo
//	tfcloud://ORG/WORKSPACE          a workspace's current state; WORKSPACE may be a glob
//
// A bucket or container without a key (s3://BUCKET, s3://BUCKET/prefix/) means
// every *.tfstate object below it.
package statesource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
)

// DefaultMaxBytes is the per-document size limit used when Options.MaxBytes is zero.
const DefaultMaxBytes int64 = 512 << 20

// fetchConcurrency bounds how many documents of one glob are downloaded at once,
// so a bucket with thousands of states does not open thousands of connections.
const fetchConcurrency = 8

// Sentinel errors. Every error returned by Fetch wraps exactly one of them, so
// callers can map failures with errors.Is without matching strings.
var (
	// ErrBadSource reports a source string that cannot be understood.
	ErrBadSource = errors.New("statesource: bad source")
	// ErrNotFound reports a missing file, object, bucket, container or workspace.
	ErrNotFound = errors.New("statesource: not found")
	// ErrNoMatch reports a glob or directory that names no state document.
	ErrNoMatch = errors.New("statesource: no state matched")
	// ErrAccessDenied reports missing or rejected credentials.
	ErrAccessDenied = errors.New("statesource: access denied")
	// ErrTooLarge reports a document larger than Options.MaxBytes.
	ErrTooLarge = errors.New("statesource: document too large")
	// ErrFetch reports any other failure talking to a source.
	ErrFetch = errors.New("statesource: fetch failed")
)

// Document is one raw state document.
type Document struct {
	// Source is the canonical, credential-free name of the document, used in
	// every message about it, e.g. s3://bucket/env:/prod/app.tfstate.
	Source string
	// Data is the document exactly as stored.
	Data []byte
}

// Options configures Fetch. The zero value is ready to use.
type Options struct {
	// MaxBytes limits each document; a larger one is an ErrTooLarge error
	// naming the source. Zero means DefaultMaxBytes.
	MaxBytes int64
	// Headers are sent with every http(s) request (the CLI's --header flags).
	Headers http.Header

	// S3Endpoint overrides the S3 endpoint (else AWS_ENDPOINT_URL_S3 and the
	// SDK defaults apply); S3PathStyle forces path-style addressing, which
	// most S3-compatible stores need.
	S3Endpoint  string
	S3PathStyle bool
	// GCSEndpoint points the GCS client at an emulator or private endpoint,
	// e.g. http://127.0.0.1:4443/storage/v1/. Like STORAGE_EMULATOR_HOST it
	// implies unauthenticated access.
	GCSEndpoint string
	// AzureBlobEndpoint overrides the blob service URL, including the account,
	// e.g. http://127.0.0.1:10000/devstoreaccount1 for azurite.
	AzureBlobEndpoint string
	// TFCloudHost is the Terraform Cloud/Enterprise host used when the source
	// has no ?host= parameter: a hostname (https is implied) or a base URL
	// such as http://127.0.0.1:8080. Default app.terraform.io.
	TFCloudHost string
	// HTTPClient is used for http(s) and tfcloud sources; nil means a client
	// with no overall timeout (the context bounds each request).
	HTTPClient *http.Client
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes
}

func (o Options) httpClient() *http.Client {
	if o.HTTPClient != nil {
		return o.HTTPClient
	}
	return http.DefaultClient
}

// Fetch expands src (a file, a directory, a glob, or a URL whose path may be
// a glob) and returns every state document it names, sorted by Source.
// Fetch fails as a whole if any named document cannot be read.
func Fetch(ctx context.Context, src string, opts Options) ([]Document, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("%w: empty source", ErrBadSource)
	}
	var (
		docs []Document
		err  error
	)
	scheme, _, hasScheme := strings.Cut(src, "://")
	switch {
	case !hasScheme || scheme == "file":
		docs, err = fetchLocal(ctx, strings.TrimPrefix(src, "file://"), opts)
	case scheme == "s3":
		docs, err = fetchS3(ctx, src, opts)
	case scheme == "gs":
		docs, err = fetchGCS(ctx, src, opts)
	case scheme == "azurerm":
		docs, err = fetchAzureBlob(ctx, src, opts)
	case scheme == "http" || scheme == "https":
		docs, err = fetchHTTP(ctx, src, opts)
	case scheme == "tfcloud":
		docs, err = fetchTFCloud(ctx, src, opts)
	default:
		return nil, fmt.Errorf("%w: %s: unknown scheme %q (want a path, s3://, gs://, azurerm://, http(s):// or tfcloud://)",
			ErrBadSource, redactURL(src), scheme)
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Source < docs[j].Source })
	return docs, nil
}

// fetchEach runs get for every name with bounded concurrency and returns the
// documents in the order of names. The first error cancels the rest.
func fetchEach(ctx context.Context, names []string, get func(ctx context.Context, name string) (Document, error)) ([]Document, error) {
	docs := make([]Document, len(names))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(fetchConcurrency)
	for i, name := range names {
		g.Go(func() error {
			d, err := get(ctx, name)
			docs[i] = d
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return docs, nil
}

// readLimited reads r completely unless it holds more than max bytes, in
// which case it stops at max+1 bytes and returns ErrTooLarge naming source.
func readLimited(r io.Reader, source string, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w: %w", source, ErrFetch, err)
	}
	if int64(len(data)) > max {
		return nil, tooLarge(source, max)
	}
	return data, nil
}

func tooLarge(source string, max int64) error {
	return fmt.Errorf("read state %s: %w: more than %d bytes", source, ErrTooLarge, max)
}

// checkSize rejects a document whose advertised size already exceeds max,
// before any of its body is transferred. Unknown sizes (<0) pass.
func checkSize(source string, size, max int64) error {
	if size > max {
		return fmt.Errorf("read state %s: %w: %d bytes, limit %d", source, ErrTooLarge, size, max)
	}
	return nil
}
