package awssim

import "net/http"

// dataServices are the storage, key, queue, table, log and container
// services, by SigV4 service name.
func (h *handler) dataServices() map[string]func(http.ResponseWriter, *call) {
	return map[string]func(http.ResponseWriter, *call){
		"kms":        h.kms,
		"sqs":        h.sqs,
		"cloudtrail": h.cloudtrail,
		"logs":       h.logs,
		"monitoring": h.cloudwatch,

		"dynamodb":       h.dynamodb,
		"secretsmanager": h.secretsManager,
		"ecr":            h.ecr,
		"acm":            h.acm,
		"ecs":            h.ecs,
	}
}
