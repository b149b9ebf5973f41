package aws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/resource"
)

func (p *provider) lambdaListers() []discovery.Lister {
	newClient := func(cfg aws.Config) *lambda.Client { return lambda.NewFromConfig(cfg) }
	return []discovery.Lister{
		clientLister(p, "lambda", false, []string{"aws_lambda_function"}, newClient, p.listFunctions),
	}
}

// listFunctions emits aws_lambda_function with the function name as id,
// everything but the tags (ListTags) and the reserved concurrency
// (GetFunctionConcurrency) from ListFunctions. Environment variables are
// kept (the security scanner looks for secrets in them) and, like every
// attribute, never logged; error messages name the function only.
func (p *provider) listFunctions(ctx context.Context, c *lambda.Client, s discovery.Scope, emit func(resource.Resource)) error {
	pg := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{MaxItems: p.boundedPage(1, 50)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list functions: %w", err)
		}
		for _, fn := range out.Functions {
			name := sv(fn.FunctionName)
			tg, err := c.ListTags(ctx, &lambda.ListTagsInput{Resource: fn.FunctionArn})
			if err != nil {
				return fmt.Errorf("list tags of function %s: %w", name, err)
			}
			conc, err := c.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: fn.FunctionName})
			if err != nil {
				return fmt.Errorf("get concurrency of function %s: %w", name, err)
			}
			attrs := functionAttrs(s, fn)
			// No reservation reads as the provider's -1.
			attrs["reserved_concurrent_executions"] = float64(-1)
			if conc.ReservedConcurrentExecutions != nil {
				attrs["reserved_concurrent_executions"] = i32(conc.ReservedConcurrentExecutions)
			}
			r := newResource("aws_lambda_function", name, s, attrs, tg.Tags)
			// Compared and scanned, never printed or reported.
			r.Sensitive = []resource.Path{"environment"}
			emit(r)
		}
	}
	return nil
}

func functionAttrs(s discovery.Scope, fn types.FunctionConfiguration) map[string]any {
	arn := sv(fn.FunctionArn)
	env := []any{}
	if e := fn.Environment; e != nil && len(e.Variables) > 0 {
		vars := make(map[string]any, len(e.Variables))
		for k, v := range e.Variables {
			vars[k] = v
		}
		env = append(env, map[string]any{"variables": vars})
	}
	vpc := []any{}
	if v := fn.VpcConfig; v != nil && (len(v.SubnetIds) > 0 || len(v.SecurityGroupIds) > 0) {
		vpc = append(vpc, map[string]any{"subnet_ids": sortedStrings(v.SubnetIds),
			"security_group_ids": sortedStrings(v.SecurityGroupIds), "vpc_id": sv(v.VpcId),
			"ipv6_allowed_for_dual_stack": bv(v.Ipv6AllowedForDualStack)})
	}
	layers := []any{}
	for _, l := range fn.Layers {
		layers = append(layers, sv(l.Arn))
	}
	archs := []any{}
	for _, a := range fn.Architectures {
		archs = append(archs, string(a))
	}
	tracing := []any{}
	if t := fn.TracingConfig; t != nil {
		tracing = append(tracing, map[string]any{"mode": string(t.Mode)})
	}
	storage := []any{}
	if e := fn.EphemeralStorage; e != nil {
		storage = append(storage, map[string]any{"size": i32(e.Size)})
	}
	dlq := []any{}
	if d := fn.DeadLetterConfig; d != nil && sv(d.TargetArn) != "" {
		dlq = append(dlq, map[string]any{"target_arn": sv(d.TargetArn)})
	}
	return map[string]any{
		"arn":                arn,
		"function_name":      sv(fn.FunctionName),
		"role":               sv(fn.Role),
		"handler":            sv(fn.Handler),
		"runtime":            string(fn.Runtime),
		"description":        sv(fn.Description),
		"memory_size":        i32(fn.MemorySize),
		"timeout":            i32(fn.Timeout),
		"package_type":       string(fn.PackageType),
		"kms_key_arn":        sv(fn.KMSKeyArn),
		"environment":        env,
		"vpc_config":         vpc,
		"layers":             layers,
		"architectures":      archs,
		"tracing_config":     tracing,
		"ephemeral_storage":  storage,
		"dead_letter_config": dlq,
		"code_sha256":        sv(fn.CodeSha256),
		"source_code_size":   float64(fn.CodeSize),
		"last_modified":      sv(fn.LastModified),
		"version":            sv(fn.Version),
		"qualified_arn":      arn + ":" + sv(fn.Version),
		"invoke_arn":         "arn:aws:apigateway:" + s.Region + ":lambda:path/2015-03-31/functions/" + arn + "/invocations",
	}
}
