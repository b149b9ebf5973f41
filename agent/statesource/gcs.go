package statesource

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// newGCSClient uses Application Default Credentials, or no credentials when
// pointed at an emulator (Options.GCSEndpoint; STORAGE_EMULATOR_HOST is
// handled by the SDK itself). Reads go through the JSON API, which both the
// real service and fake-gcs-server speak.
func newGCSClient(ctx context.Context, opts Options) (*storage.Client, error) {
	clientOpts := []option.ClientOption{storage.WithJSONReads()}
	if opts.GCSEndpoint != "" {
		clientOpts = append(clientOpts, option.WithEndpoint(opts.GCSEndpoint), option.WithoutAuthentication())
	}
	return storage.NewClient(ctx, clientOpts...)
}

func fetchGCS(ctx context.Context, src string, opts Options) ([]Document, error) {
	bucket, key, err := splitBucketURL(src, "gs", "gs://BUCKET/OBJECT")
	if err != nil {
		return nil, err
	}
	pat, err := newObjectPattern(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadSource, src, err)
	}
	client, err := newGCSClient(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w: create GCS client: %w", src, ErrFetch, err)
	}
	defer client.Close()
	bkt := client.Bucket(bucket)
	source := func(name string) string { return "gs://" + bucket + "/" + name }
	get := func(ctx context.Context, name string) (Document, error) {
		return getGCSObject(ctx, bkt, name, source(name), opts.maxBytes())
	}
	if !pat.isGlob() {
		d, err := get(ctx, pat.exact)
		if err != nil {
			return nil, err
		}
		return []Document{d}, nil
	}
	query := &storage.Query{Prefix: pat.prefix}
	if err := query.SetAttrSelection([]string{"Name"}); err != nil {
		return nil, fmt.Errorf("read state %s: %w: %w", src, ErrFetch, err)
	}
	var names []string
	it := bkt.Objects(ctx, query)
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, gcsError(src, "list", err)
		}
		if pat.match(attrs.Name) {
			names = append(names, attrs.Name)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read state %s: %w", src, ErrNoMatch)
	}
	return fetchEach(ctx, names, get)
}

func getGCSObject(ctx context.Context, bkt *storage.BucketHandle, name, source string, max int64) (Document, error) {
	r, err := bkt.Object(name).NewReader(ctx)
	if err != nil {
		return Document{}, gcsError(source, "get", err)
	}
	defer r.Close()
	if err := checkSize(source, r.Attrs.Size, max); err != nil {
		return Document{}, err
	}
	data, err := readLimited(r, source, max)
	if err != nil {
		return Document{}, err
	}
	return Document{Source: source, Data: data}, nil
}

func gcsError(source, op string, err error) error {
	sentinel := ErrFetch
	var apiErr *googleapi.Error
	switch {
	case errors.Is(err, storage.ErrObjectNotExist), errors.Is(err, storage.ErrBucketNotExist):
		sentinel = ErrNotFound
	case errors.As(err, &apiErr):
		switch apiErr.Code {
		case http.StatusNotFound:
			sentinel = ErrNotFound
		case http.StatusUnauthorized, http.StatusForbidden:
			sentinel = ErrAccessDenied
		}
	}
	return fmt.Errorf("%s state %s: %w: %w", op, source, sentinel, err)
}
