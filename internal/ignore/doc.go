// Package ignore decides which resources and attributes a scan must not
// report: driftctl's .driftignore files, unchanged, and the ignore section
// of driftmgr.yaml. *Rules implements drift.Ignorer and drift.KindIgnorer;
// Generate writes the .driftignore for `driftmgr gen-driftignore`.
//
// # .driftignore
//
// One rule per line. Blank lines and lines whose first non-blank character
// is '#' are skipped; a '#' anywhere else is part of the rule (driftctl had
// no inline comments either). Leading and trailing blanks and a CR before
// the LF are trimmed.
//
//	aws_s3_bucket.my-bucket            # one resource
//	aws_instance.*                     # every resource of a type
//	aws_s3_bucket.my-*                 # '*' matches any run of characters
//	*role.*Amazon*                     # ... in the type as well
//	aws_iam_*                          # a lone glob names types: every id
//	*                                  # everything
//	aws_s3_bucket.my\.bucket\.com      # '\' escapes: the dots belong to the id
//	aws_lambda_function.*.environment  # an attribute and all beneath it
//	aws_instance.*.tags.LastScanned
//	!aws_iam_user.ci-admin             # '!' re-includes what earlier lines ignored
//
// A rule is split on unescaped dots: the first segment matches the
// resource's Type, the second its whole ID (an ID is never split, so
// aws_s3_bucket.my-* matches the id "my-bucket.example.com"), and any
// further segments name an attribute path. '*' is the only wildcard and
// stays within its segment; '\x' stands for x itself, so '\.', '\*', '\\',
// '\!' and '\#' are literal. Matching is case-sensitive.
//
// A rule with one segment must contain a '*' and then matches types ("*",
// "aws_iam_*", "!aws_s3*"). A single name without a wildcard, such as
// "aws_instance", is rejected: driftctl silently read it as
// "aws_instance.*", which is more often a typo than an intent, so the error
// says to write "aws_instance.*".
//
// Attribute paths. A rule type.id.p1.p2 ignores differences at p1.p2 and
// everything beneath it: aws_security_group.sg-1.ingress ignores
// ingress[3].from_port. Each path segment matches one step of a
// resource.Path; a list index is a step of its own. Rules may write paths
// the way driftctl did or the way DriftMgr prints them, and mix the two:
//
//	aws_security_group.*.ingress.0.cidr_blocks     # driftctl: index as a segment
//	aws_security_group.*.ingress[0].cidr_blocks    # DriftMgr diff form
//	aws_security_group.*.ingress.*.cidr_blocks     # any element: '*' or [*]
//	aws_instance.*.tags["kubernetes.io/role"]      # quoted key: literal, no globbing
//	aws_instance.*.tags.kubernetes\.io/role        # the same key, escaped
//
// A map key that is all digits and the list index of the same number are
// the same step.
//
// Order. Rules are read top to bottom and the last rule that matches
// decides, as in .gitignore. A resource rule also covers every attribute of
// the resources it matches, so
//
//	aws_instance.*.tags
//	!aws_instance.web
//
// reports tag drift on aws_instance.web again, while an attribute rule never
// decides whether a whole resource is ignored.
//
// # driftmgr.yaml
//
// The ignore section holds one group of rules, or a list of groups read in
// order (later groups win over earlier ones as later lines do):
//
//	ignore:
//	  resources: ["aws_iam_user.ci-*", "!aws_iam_user.ci-admin"]
//	  attributes:
//	    - resource: "aws_instance.*"
//	      paths: ["tags.LastScanned", "user_data", "!tags.Owner"]
//
//	ignore:
//	  - resources: ["aws_iam_user.*"]
//	    kinds: [UNMANAGED]
//	  - resources: ["aws_s3_bucket.logs-*"]
//
// resources takes .driftignore rules, one a string, attribute rules
// included. attributes is sugar for attribute rules: resource is a
// type.id pattern and each path is appended to it; a path starting with '!'
// makes a negated rule. Within a group, resources come before attributes.
//
// kinds (MISSING, UNMANAGED, MODIFIED; case-insensitive; driftctl's
// DELETED and CHANGED are accepted) scopes a group's resource rules to
// findings of those kinds: the resource is still compared, and only
// findings of the listed kinds are dropped. A group with kinds may hold
// attributes only if MODIFIED is among them, since attribute rules only
// ever apply to MODIFIED findings.
package ignore
