package statesource

import (
	"context"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/driftmgr/driftmgr/e2e/emulators"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startAzurite runs azurite-blob and fills container "tfstate" with objects.
func startAzurite(t *testing.T, objects map[string]string) emulators.Azurite {
	t.Helper()
	az := emulators.StartAzurite(t)
	client, err := azblob.NewClientFromConnectionString(az.ConnectionString(), nil)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = client.CreateContainer(ctx, "tfstate", nil)
	require.NoError(t, err)
	_, err = client.CreateContainer(ctx, "empty", nil)
	require.NoError(t, err)
	for name, content := range objects {
		_, err := client.UploadBuffer(ctx, "tfstate", name, []byte(content), nil)
		require.NoError(t, err)
	}
	return az
}

// azureCreds sets exactly one credential source for the test.
func azureCreds(t *testing.T, connString, storageKey, armKey string) {
	t.Helper()
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", connString)
	t.Setenv("AZURE_STORAGE_KEY", storageKey)
	t.Setenv("ARM_ACCESS_KEY", armKey)
}

func TestFetchAzureBlob(t *testing.T) {
	az := startAzurite(t, bucketObjects)
	const acct = "azurerm://" + emulators.AzuriteAccount + "/tfstate/"
	tests := []struct {
		src  string
		want []string
	}{
		{acct + "app.tfstate", []string{acct + "app.tfstate"}},
		{acct + "env:/prod/app.tfstate", []string{acct + "env:/prod/app.tfstate"}},
		{acct + "env:/*/app.tfstate", []string{acct + "env:/prod/app.tfstate", acct + "env:/staging/app.tfstate"}},
		{acct + "env:/staging/", []string{acct + "env:/staging/app.tfstate", acct + "env:/staging/db.tfstate"}},
		{acct + "**/prod/*.tfstate", []string{acct + "env:/prod/app.tfstate"}},
	}
	creds := map[string]func(t *testing.T){
		"account key":       func(t *testing.T) { azureCreds(t, "", emulators.AzuriteKey, "") },
		"ARM_ACCESS_KEY":    func(t *testing.T) { azureCreds(t, "", "", emulators.AzuriteKey) },
		"connection string": func(t *testing.T) { azureCreds(t, az.ConnectionString(), "", "") },
	}
	for credName, setCreds := range creds {
		t.Run(credName, func(t *testing.T) {
			setCreds(t)
			opts := Options{AzureBlobEndpoint: az.BlobEndpoint, MaxBytes: 1024}
			for _, tt := range tests {
				docs, err := Fetch(context.Background(), tt.src, opts)
				require.NoError(t, err, tt.src)
				assert.Equal(t, tt.want, sources(docs), tt.src)
				for _, d := range docs {
					assert.Equal(t, bucketObjects[strings.TrimPrefix(d.Source, acct)], string(d.Data))
				}
			}
		})
	}
}

func TestFetchAzureBlobErrors(t *testing.T) {
	az := startAzurite(t, bucketObjects)
	const acct = "azurerm://" + emulators.AzuriteAccount + "/"
	tests := []struct {
		name    string
		src     string
		key     string
		wantErr error
	}{
		{"missing blob", acct + "tfstate/missing.tfstate", emulators.AzuriteKey, ErrNotFound},
		{"missing container", acct + "nocontainer/app.tfstate", emulators.AzuriteKey, ErrNotFound},
		{"missing container glob", acct + "nocontainer/*.tfstate", emulators.AzuriteKey, ErrNotFound},
		{"empty container", acct + "empty", emulators.AzuriteKey, ErrNoMatch},
		{"glob matching nothing", acct + "tfstate/nothing/**/*.tfstate", emulators.AzuriteKey, ErrNoMatch},
		{"too large", acct + "tfstate/big/huge.tfstate", emulators.AzuriteKey, ErrTooLarge},
		{"too large in glob", acct + "tfstate/big/", emulators.AzuriteKey, ErrTooLarge},
		{"wrong key", acct + "tfstate/app.tfstate", "d3Jvbmcga2V5", ErrAccessDenied},
		{"wrong key listing", acct + "tfstate/*.tfstate", "d3Jvbmcga2V5", ErrAccessDenied},
		{"key not base64", acct + "tfstate/app.tfstate", "not base64!", ErrAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			azureCreds(t, "", tt.key, "")
			_, err := Fetch(context.Background(), tt.src, Options{AzureBlobEndpoint: az.BlobEndpoint, MaxBytes: 1024})
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), strings.TrimSuffix(tt.src, "/"))
			assert.NotContains(t, err.Error(), emulators.AzuriteKey)
		})
	}
}

func TestFetchAzureBlobCredentialFailures(t *testing.T) {
	t.Run("bad connection string", func(t *testing.T) {
		azureCreds(t, "not a connection string", "", "")
		_, err := Fetch(context.Background(), "azurerm://acct/c/app.tfstate", Options{})
		require.ErrorIs(t, err, ErrAccessDenied)
		assert.Contains(t, err.Error(), "azurerm://acct/c/app.tfstate")
	})
	t.Run("default credential refuses plain http", func(t *testing.T) {
		// With no key, DefaultAzureCredential is used; azcore refuses to send
		// a bearer token over http before acquiring one, so this stays offline.
		azureCreds(t, "", "", "")
		_, err := Fetch(context.Background(), "azurerm://acct/c/app.tfstate",
			Options{AzureBlobEndpoint: "http://127.0.0.1:1/acct"})
		require.ErrorIs(t, err, ErrFetch)
		assert.Contains(t, err.Error(), "azurerm://acct/c/app.tfstate")
		assert.Contains(t, err.Error(), "https")
	})
}
