package cli

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/driftmgr/driftmgr/agent/discovery"
	awsdisc "github.com/driftmgr/driftmgr/agent/discovery/aws"
	azuredisc "github.com/driftmgr/driftmgr/agent/discovery/azure"
	gcpdisc "github.com/driftmgr/driftmgr/agent/discovery/gcp"
	"github.com/driftmgr/driftmgr/internal/cloudsim"
)

// simAccount is the account the simulated cloud answers for when a scan
// names none: it maps a 12-digit access key id to its account.
const simAccount = "123456789012"

// build makes the providers --provider names. With a simulated cloud,
// every SDK is pointed at it with credentials it accepts; otherwise each
// SDK's default credential chain is used.
func (f *discoverFlags) build(lim *discovery.Limiter, sim *cloudsim.Server) ([]discovery.Provider, error) {
	var out []discovery.Provider
	seen := map[string]bool{}
	if len(f.genericTypes) > 0 {
		// Only AWS has a generic tier chosen by type: Azure Resource Graph
		// and GCP Cloud Asset Inventory answer every type in one query.
		aws := false
		for _, name := range f.providers {
			aws = aws || strings.EqualFold(strings.TrimSpace(name), "aws")
		}
		if !aws {
			return nil, fmt.Errorf("--generic-types: applies to --provider aws only")
		}
		if err := awsdisc.CheckGenericTypes(f.genericTypes); err != nil {
			return nil, fmt.Errorf("--generic-types: %w", err)
		}
	}
	for _, name := range f.providers {
		name = strings.ToLower(strings.TrimSpace(name))
		if seen[name] {
			continue
		}
		seen[name] = true
		switch name {
		case "aws":
			out = append(out, awsdisc.New(f.awsOptions(lim, sim)))
		case "azure", "azurerm":
			o := azuredisc.Options{Subscriptions: f.accounts, Transport: lim.Doer(http.DefaultClient, discovery.AzureKey)}
			if sim != nil {
				o.Endpoint = sim.Azure
				o.Credential = &fake.TokenCredential{}
				o.Transport = lim.Doer(sim.Client, discovery.AzureKey)
			}
			out = append(out, azuredisc.New(o))
		case "gcp", "google":
			o := gcpdisc.Options{Projects: f.accounts, Regions: f.regions, Limiter: lim}
			if sim != nil {
				o.Endpoint = sim.GCP
				o.HTTPClient = &http.Client{}
			}
			out = append(out, gcpdisc.New(o))
		default:
			return nil, fmt.Errorf("--provider %q: expected aws, azure or gcp", name)
		}
	}
	return out, nil
}

func (f *discoverFlags) awsOptions(lim *discovery.Limiter, sim *cloudsim.Server) awsdisc.Options {
	o := awsdisc.Options{Regions: f.regions, Limiter: lim, GenericTypes: f.genericTypes}
	for _, a := range f.accounts {
		if strings.HasPrefix(a, "arn:") {
			o.Accounts = append(o.Accounts, awsdisc.Account{RoleARN: a, ExternalID: f.externalID})
		} else {
			o.Accounts = append(o.Accounts, awsdisc.Account{Profile: a})
		}
	}
	if sim != nil {
		o.Endpoint = sim.AWS
		o.Credentials = credentials.NewStaticCredentialsProvider(simAccount, "simulated", "")
		if len(o.Regions) == 0 {
			o.Regions = []string{"all"}
		}
	}
	return o
}
