package awssim

import (
	"net/http"
	"strings"
)

var ecrService = &jsonService{name: "ecr", namespace: "com.amazonaws.ecr", version: "1.1",
	throttle: "ThrottlingException", deny: "AccessDeniedException", disabled: "SubscriptionRequiredException"}

// ecr answers the ECR JSON 1.1 API (target prefix
// AmazonEC2ContainerRegistry_V20150921) from aws_ecr_repository, whose id
// is the repository name.
func (h *handler) ecr(rw http.ResponseWriter, c *call) {
	h.serveJSON(rw, c, ecrService, map[string]func(*jsonCall){
		"DescribeRepositories": h.ecrDescribeRepositories,
		"ListTagsForResource":  h.ecrTags,
	})
}

func ecrArn(c *call, name string) string {
	return "arn:aws:ecr:" + c.region + ":" + c.account + ":repository/" + name
}

func (h *handler) ecrNotFound(j *jsonCall, name string) {
	j.fail("RepositoryNotFoundException", "The repository with name '"+name+
		"' does not exist in the registry with id '"+j.account+"'")
}

func (h *handler) ecrDescribeRepositories(j *jsonCall) {
	if n := j.limit("maxResults"); n < 0 || n > 1000 {
		j.fail("InvalidParameterException", "maxResults must be between 1 and 1000")
		return
	}
	repos := h.resources(j.call, "aws_ecr_repository", false)
	if names := strs(j.in, "repositoryNames"); len(names) > 0 {
		if j.str("nextToken") != "" || j.limit("maxResults") != 0 {
			j.fail("InvalidParameterException", "Cannot specify maxResults or nextToken with repositoryNames")
			return
		}
		byName := map[string]map[string]any{}
		for _, r := range repos {
			byName[str(r, "id")] = r
		}
		repos = nil
		for _, n := range names {
			r, ok := byName[n]
			if !ok {
				h.ecrNotFound(j, n)
				return
			}
			repos = append(repos, r)
		}
	}
	lo, hi, next, ok := j.page(len(repos), "nextToken", "maxResults", 100, "InvalidParameterException")
	if !ok {
		return
	}
	out := []any{}
	for _, r := range repos[lo:hi] {
		name := str(r, "id")
		scan := obj(first(list(r, "image_scanning_configuration")))
		enc := obj(first(list(r, "encryption_configuration")))
		encOut := map[string]any{"encryptionType": orDefault(str(enc, "encryption_type"), "AES256")}
		if k := str(enc, "kms_key"); k != "" {
			encOut["kmsKey"] = k
		}
		out = append(out, map[string]any{"repositoryArn": ecrArn(j.call, name), "registryId": j.account,
			"repositoryName": name, "repositoryUri": j.account + ".dkr.ecr." + j.region + ".amazonaws.com/" + name,
			"createdAt": 1704067200, "imageTagMutability": orDefault(str(r, "image_tag_mutability"), "MUTABLE"),
			"imageScanningConfiguration": map[string]any{"scanOnPush": boolean(scan, "scan_on_push")},
			"encryptionConfiguration":    encOut})
	}
	res := map[string]any{"repositories": out}
	if next != "" {
		res["nextToken"] = next
	}
	j.reply(res)
}

func (h *handler) ecrTags(j *jsonCall) {
	arn := j.str("resourceArn")
	for _, r := range h.resources(j.call, "aws_ecr_repository", false) {
		if ecrArn(j.call, str(r, "id")) == arn {
			tags := []any{}
			for _, kv := range tagsOf(r) {
				tags = append(tags, map[string]any{"Key": kv[0], "Value": kv[1]})
			}
			j.reply(map[string]any{"tags": tags})
			return
		}
	}
	if _, name, ok := strings.Cut(arn, ":repository/"); ok && strings.HasPrefix(arn, "arn:aws:ecr:") {
		h.ecrNotFound(j, name)
		return
	}
	j.fail("InvalidParameterException", "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'")
}
