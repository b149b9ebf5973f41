package statesource

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// newAzureBlobClient picks credentials the way Terraform's azurerm backend
// users expect: a connection string (which carries its own endpoint), then
// an account key (AZURE_STORAGE_KEY, or ARM_ACCESS_KEY as the backend names
// it), then DefaultAzureCredential (env, workload identity, managed
// identity, az CLI).
func newAzureBlobClient(account string, opts Options) (*azblob.Client, error) {
	if cs := os.Getenv("AZURE_STORAGE_CONNECTION_STRING"); cs != "" {
		return azblob.NewClientFromConnectionString(cs, nil)
	}
	serviceURL := opts.AzureBlobEndpoint
	if serviceURL == "" {
		serviceURL = "https://" + account + ".blob.core.windows.net/"
	}
	key := os.Getenv("AZURE_STORAGE_KEY")
	if key == "" {
		key = os.Getenv("ARM_ACCESS_KEY")
	}
	if key != "" {
		cred, err := azblob.NewSharedKeyCredential(account, key)
		if err != nil {
			return nil, err
		}
		return azblob.NewClientWithSharedKeyCredential(serviceURL, cred, nil)
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, err
	}
	return azblob.NewClient(serviceURL, cred, nil)
}

func fetchAzureBlob(ctx context.Context, src string, opts Options) ([]Document, error) {
	const usage = "azurerm://ACCOUNT/CONTAINER/BLOB"
	account, rest, err := splitBucketURL(src, "azurerm", usage)
	if err != nil {
		return nil, err
	}
	container, key, _ := strings.Cut(rest, "/")
	if container == "" || hasMeta(container) {
		return nil, fmt.Errorf("%w: %s: expected %s", ErrBadSource, src, usage)
	}
	pat, err := newObjectPattern(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadSource, src, err)
	}
	client, err := newAzureBlobClient(account, opts)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w: create blob client: %w", src, ErrAccessDenied, err)
	}
	source := func(name string) string { return "azurerm://" + account + "/" + container + "/" + name }
	get := func(ctx context.Context, name string) (Document, error) {
		return getAzureBlob(ctx, client, container, name, source(name), opts.maxBytes())
	}
	if !pat.isGlob() {
		d, err := get(ctx, pat.exact)
		if err != nil {
			return nil, err
		}
		return []Document{d}, nil
	}
	var names []string
	pager := client.NewListBlobsFlatPager(container, &azblob.ListBlobsFlatOptions{Prefix: &pat.prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, azureBlobError(src, "list", err)
		}
		for _, item := range page.Segment.BlobItems {
			if item.Name != nil && pat.match(*item.Name) {
				names = append(names, *item.Name)
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("read state %s: %w", src, ErrNoMatch)
	}
	return fetchEach(ctx, names, get)
}

func getAzureBlob(ctx context.Context, client *azblob.Client, container, name, source string, max int64) (Document, error) {
	resp, err := client.DownloadStream(ctx, container, name, nil)
	if err != nil {
		return Document{}, azureBlobError(source, "get", err)
	}
	defer resp.Body.Close()
	if resp.ContentLength != nil {
		if err := checkSize(source, *resp.ContentLength, max); err != nil {
			return Document{}, err
		}
	}
	data, err := readLimited(resp.Body, source, max)
	if err != nil {
		return Document{}, err
	}
	return Document{Source: source, Data: data}, nil
}

func azureBlobError(source, op string, err error) error {
	sentinel := ErrFetch
	var (
		respErr *azcore.ResponseError
		authErr *azidentity.AuthenticationFailedError
	)
	switch {
	case bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound, bloberror.ResourceNotFound):
		sentinel = ErrNotFound
	case bloberror.HasCode(err, bloberror.AuthenticationFailed, bloberror.AuthorizationFailure,
		bloberror.AuthorizationPermissionMismatch, bloberror.InsufficientAccountPermissions):
		sentinel = ErrAccessDenied
	case errors.As(err, &authErr):
		sentinel = ErrAccessDenied
	case errors.As(err, &respErr):
		switch respErr.StatusCode {
		case http.StatusNotFound:
			sentinel = ErrNotFound
		case http.StatusUnauthorized, http.StatusForbidden:
			sentinel = ErrAccessDenied
		}
	}
	return fmt.Errorf("%s state %s: %w: %w", op, source, sentinel, err)
}
