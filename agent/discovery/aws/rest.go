package aws

import "github.com/driftmgr/driftmgr/agent/discovery"

// restListers are the listers of the DNS, CDN, function and Kubernetes
// services: Route 53 and CloudFront (global), Lambda and EKS.
func (p *provider) restListers() []discovery.Lister {
	var out []discovery.Lister
	out = append(out, p.route53Listers()...)
	out = append(out, p.cloudfrontListers()...)
	out = append(out, p.lambdaListers()...)
	return append(out, p.eksListers()...)
}
