package controller

import (
	"slices"
	"strings"

	"github.com/driftmgr/driftmgr/proto/driftmgr/v1/driftmgrv1connect"
)

// Action is one thing a caller may do, named resource.verb. Every
// procedure requires exactly one action (procedureActions), and each role
// holds a fixed set of actions (roleActions): the one permission table,
// enforced by the authorizer for unary and streaming calls alike.
type Action string

// Actions no role holds: how the caller authenticated decides.
const (
	// ActionPublic needs no credentials (the call checks its own: a join
	// token, bootstrap's only-once).
	ActionPublic Action = "public"
	// ActionAgent needs an agent's client certificate.
	ActionAgent Action = "agent"
	// ActionController needs a controller's certificate (peer calls).
	ActionController Action = "controller"
)

// Actions roles hold.
const (
	ActionFindingsRead   Action = "findings.read"
	ActionFindingsAck    Action = "findings.ack"
	ActionScansTrigger   Action = "scans.trigger"
	ActionWorkflowsRun   Action = "workflows.run"
	ActionAgentsRead     Action = "agents.read"
	ActionAgentsRevoke   Action = "agents.revoke"
	ActionTokensRead     Action = "tokens.read"
	ActionTokensManage   Action = "tokens.manage"
	ActionClusterRead    Action = "cluster.read"
	ActionSecurityRead   Action = "security.read"
	ActionSecurityManage Action = "security.manage"
	ActionProjectsRead   Action = "projects.read"
	ActionProjectsManage Action = "projects.manage"
	ActionUsersRead      Action = "users.read"
	ActionUsersManage    Action = "users.manage"
	ActionKeysManage     Action = "keys.manage"
	ActionSettingsManage Action = "settings.manage"
	ActionAuditRead      Action = "audit.read"
	ActionRolesRead      Action = "roles.read"
	ActionProfile        Action = "profile.manage"
	ActionTenantsManage  Action = "tenants.manage"
)

// actionInfo describes each action for ListRoles, in display order.
var actionInfo = []struct {
	action Action
	desc   string
}{
	{ActionPublic, "Call without credentials; the call checks its own (a join token, bootstrap once)"},
	{ActionAgent, "Agents only, with their client certificate"},
	{ActionController, "Controllers only, with their certificate"},
	{ActionProfile, "See who you are; change your own password"},
	{ActionRolesRead, "See the roles and what they may do"},
	{ActionFindingsRead, "Read drift findings, scans and live updates"},
	{ActionAgentsRead, "List agents"},
	{ActionTokensRead, "List join tokens"},
	{ActionClusterRead, "See the controllers and their health"},
	{ActionSecurityRead, "Read security findings, compliance, the mutelist and policies"},
	{ActionProjectsRead, "List projects and their cloud accounts"},
	{ActionFindingsAck, "Acknowledge findings"},
	{ActionScansTrigger, "Ask agents to scan now"},
	{ActionWorkflowsRun, "Run automation workflows (no procedure yet)"},
	{ActionAgentsRevoke, "Revoke agents"},
	{ActionTokensManage, "Create and delete join tokens"},
	{ActionSecurityManage, "Change the mutelist and policies"},
	{ActionProjectsManage, "Create and delete projects"},
	{ActionUsersRead, "List users and service accounts"},
	{ActionUsersManage, "Create, change and delete users and service accounts; set others' passwords"},
	{ActionKeysManage, "Create, list and revoke API keys"},
	{ActionSettingsManage, "Change the tenant's settings (no procedure yet)"},
	{ActionAuditRead, "Read, export and verify the tenant's audit log"},
	{ActionTenantsManage, "Create, list, change and disable tenants; act in any tenant"},
}

// procedureActions is what each procedure requires. A procedure missing
// here is refused to everyone; a test checks every procedure of every
// generated service is listed.
var procedureActions = map[string]Action{
	driftmgrv1connect.AgentServiceEnrollProcedure:      ActionPublic,
	driftmgrv1connect.AgentServiceRenewProcedure:       ActionAgent,
	driftmgrv1connect.AgentServiceControlProcedure:     ActionAgent,
	driftmgrv1connect.AgentServiceUploadProcedure:      ActionAgent,
	driftmgrv1connect.AgentServiceCheckinProcedure:     ActionAgent,
	driftmgrv1connect.AgentServiceGetPoliciesProcedure: ActionAgent,

	driftmgrv1connect.FindingsServiceListFindingsProcedure:       ActionFindingsRead,
	driftmgrv1connect.FindingsServiceGetFindingProcedure:         ActionFindingsRead,
	driftmgrv1connect.FindingsServiceListScansProcedure:          ActionFindingsRead,
	driftmgrv1connect.FindingsServiceAcknowledgeFindingProcedure: ActionFindingsAck,

	driftmgrv1connect.SecurityServiceListSecurityFindingsProcedure: ActionSecurityRead,
	driftmgrv1connect.SecurityServiceGetSecurityFindingProcedure:   ActionSecurityRead,
	driftmgrv1connect.SecurityServiceGetComplianceProcedure:        ActionSecurityRead,
	driftmgrv1connect.SecurityServiceGetMutelistProcedure:          ActionSecurityRead,
	driftmgrv1connect.SecurityServiceListPoliciesProcedure:         ActionSecurityRead,
	driftmgrv1connect.SecurityServicePutMutelistProcedure:          ActionSecurityManage,
	driftmgrv1connect.SecurityServicePutPolicyProcedure:            ActionSecurityManage,
	driftmgrv1connect.SecurityServiceDeletePolicyProcedure:         ActionSecurityManage,

	driftmgrv1connect.AuditServiceListAuditEventsProcedure: ActionAuditRead,
	driftmgrv1connect.AuditServiceExportAuditProcedure:     ActionAuditRead,
	driftmgrv1connect.AuditServiceVerifyAuditProcedure:     ActionAuditRead,

	driftmgrv1connect.ClusterServiceListMembersProcedure: ActionClusterRead,
	driftmgrv1connect.ClusterServiceGetHealthProcedure:   ActionClusterRead,
	driftmgrv1connect.ClusterServiceBootstrapProcedure:   ActionPublic,

	driftmgrv1connect.AgentsServiceListAgentsProcedure:      ActionAgentsRead,
	driftmgrv1connect.AgentsServiceListJoinTokensProcedure:  ActionTokensRead,
	driftmgrv1connect.AgentsServiceTriggerScanProcedure:     ActionScansTrigger,
	driftmgrv1connect.AgentsServiceRevokeAgentProcedure:     ActionAgentsRevoke,
	driftmgrv1connect.AgentsServiceCreateJoinTokenProcedure: ActionTokensManage,
	driftmgrv1connect.AgentsServiceDeleteJoinTokenProcedure: ActionTokensManage,

	driftmgrv1connect.EventsServiceWatchProcedure: ActionFindingsRead,

	driftmgrv1connect.TenancyServiceCreateTenantProcedure:         ActionTenantsManage,
	driftmgrv1connect.TenancyServiceListTenantsProcedure:          ActionTenantsManage,
	driftmgrv1connect.TenancyServiceGetTenantProcedure:            ActionTenantsManage,
	driftmgrv1connect.TenancyServiceUpdateTenantProcedure:         ActionTenantsManage,
	driftmgrv1connect.TenancyServiceSetPasswordLoginProcedure:     ActionSettingsManage,
	driftmgrv1connect.TenancyServiceCreateProjectProcedure:        ActionProjectsManage,
	driftmgrv1connect.TenancyServiceListProjectsProcedure:         ActionProjectsRead,
	driftmgrv1connect.TenancyServiceGetProjectProcedure:           ActionProjectsRead,
	driftmgrv1connect.TenancyServiceDeleteProjectProcedure:        ActionProjectsManage,
	driftmgrv1connect.TenancyServiceCreateUserProcedure:           ActionUsersManage,
	driftmgrv1connect.TenancyServiceListUsersProcedure:            ActionUsersRead,
	driftmgrv1connect.TenancyServiceGetUserProcedure:              ActionUsersRead,
	driftmgrv1connect.TenancyServiceUpdateUserProcedure:           ActionUsersManage,
	driftmgrv1connect.TenancyServiceDeleteUserProcedure:           ActionUsersManage,
	driftmgrv1connect.TenancyServiceChangePasswordProcedure:       ActionProfile, // others' passwords: users.manage, checked by the handler
	driftmgrv1connect.TenancyServiceCreateServiceAccountProcedure: ActionUsersManage,
	driftmgrv1connect.TenancyServiceListServiceAccountsProcedure:  ActionUsersRead,
	driftmgrv1connect.TenancyServiceDeleteServiceAccountProcedure: ActionUsersManage,
	driftmgrv1connect.TenancyServiceCreateAPIKeyProcedure:         ActionKeysManage,
	driftmgrv1connect.TenancyServiceListAPIKeysProcedure:          ActionKeysManage,
	driftmgrv1connect.TenancyServiceRevokeAPIKeyProcedure:         ActionKeysManage,
	driftmgrv1connect.TenancyServiceListRolesProcedure:            ActionRolesRead,
	driftmgrv1connect.TenancyServiceWhoAmIProcedure:               ActionProfile,

	driftmgrv1connect.InternalServiceApplyProcedure:       ActionController,
	driftmgrv1connect.InternalServiceDeliverProcedure:     ActionController,
	driftmgrv1connect.InternalServiceSessionsProcedure:    ActionController,
	driftmgrv1connect.InternalServiceWaitAppliedProcedure: ActionController,
}

// roleGrants is what each role adds to the one below it: viewer is in
// operator is in admin is in owner.
var roleGrants = map[Role][]Action{
	RoleViewer: {ActionProfile, ActionRolesRead, ActionFindingsRead, ActionAgentsRead, ActionTokensRead, ActionClusterRead,
		ActionSecurityRead, ActionProjectsRead},
	RoleOperator: {ActionFindingsAck, ActionScansTrigger, ActionWorkflowsRun},
	RoleAdmin: {ActionAgentsRevoke, ActionTokensManage, ActionSecurityManage, ActionProjectsManage, ActionUsersRead,
		ActionUsersManage, ActionKeysManage, ActionSettingsManage, ActionAuditRead},
	RoleOwner: {ActionTenantsManage},
}

// roleDescriptions are shown by ListRoles.
var roleDescriptions = map[Role]string{
	RoleViewer:   "Reads findings, agents, security posture and projects of its tenant",
	RoleOperator: "A viewer who also acknowledges findings, triggers scans and runs workflows",
	RoleAdmin:    "An operator who also manages users, service accounts, API keys, join tokens, agents and settings",
	RoleOwner:    "Platform owner: every action in every tenant (named with the Driftmgr-Tenant header), and manages tenants",
}

// Roles are the fixed roles from the least to the most privileged.
func Roles() []Role { return []Role{RoleViewer, RoleOperator, RoleAdmin, RoleOwner} }

// RoleActions are the actions a role holds, in display order.
func RoleActions(r Role) []Action {
	var out []Action
	for _, ai := range actionInfo {
		if r.Can(ai.action) {
			out = append(out, ai.action)
		}
	}
	return out
}

// Can reports whether the role holds an action.
func (r Role) Can(a Action) bool {
	for _, below := range Roles() {
		if below > r {
			return false
		}
		if slices.Contains(roleGrants[below], a) {
			return true
		}
	}
	return false
}

// ProcedureAction is the action a procedure requires; false for a
// procedure nobody may call.
func ProcedureAction(procedure string) (Action, bool) {
	a, ok := procedureActions[procedure]
	return a, ok
}

// Actions are every action, in display order.
func Actions() []Action {
	out := make([]Action, len(actionInfo))
	for i, ai := range actionInfo {
		out[i] = ai.action
	}
	return out
}

// ProceduresOf are the procedures that require an action, sorted.
func ProceduresOf(a Action) []string {
	var out []string
	for p, pa := range procedureActions {
		if pa == a {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// describe is an action's description.
func describe(a Action) string {
	for _, ai := range actionInfo {
		if ai.action == a {
			return ai.desc
		}
	}
	return ""
}

// rolesWith names the roles that hold an action, for error messages.
func rolesWith(a Action) string {
	var names []string
	for _, r := range Roles() {
		if r.Can(a) {
			names = append(names, r.String())
		}
	}
	switch len(names) {
	case 0:
		return "no role"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
