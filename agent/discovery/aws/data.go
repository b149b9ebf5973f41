package aws

import "github.com/driftmgr/driftmgr/agent/discovery"

// dataListers are the storage, key, queue, table, log and container
// listers.
func (p *provider) dataListers() []discovery.Lister {
	var ls []discovery.Lister
	for _, f := range []func() []discovery.Lister{p.s3Listers, p.kmsListers, p.sqsListers,
		p.cloudtrailListers,
		p.cloudwatchListers,
		p.jsonListers,
	} {
		ls = append(ls, f()...)
	}
	return ls
}
