// Package policy answers "may this user's roles do this action" with casbin
// (RBAC with domains). The model and the role permissions are embedded in
// the binary and defined once for all domains; role grants come from our
// own audited table (workflow.RoleGrant) and are loaded into a synchronised
// enforcer, which is rebuilt and swapped in whenever the stored grants
// version moves past the loaded one, so a grant or revocation takes effect
// on the very next request, in every server process.
package policy

import (
	"bufio"
	_ "embed" // the model and permissions
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/awardflow/awardflow/workflow"
)

//go:embed model.conf
var modelText string

//go:embed permissions.csv
var permissionsText string

// Permission is an action on a kind of object.
type Permission struct{ Object, Action string }

func (p Permission) String() string { return p.Object + ":" + p.Action }

// The permissions routes ask for.
var (
	ReadCycles         = Permission{"cycle", "read"}
	ListUsers          = Permission{"user", "list"}
	ReadUser           = Permission{"user", "read"}
	Invite             = Permission{"invitation", "create"}
	GrantRole          = Permission{"grant", "create"}
	RevokeRole         = Permission{"grant", "revoke"}
	CreateOrganisation = Permission{"organisation", "create"}
	ListOrganisations  = Permission{"organisation", "list"}
	ReadOrganisation   = Permission{"organisation", "read"}
	UpdateOrganisation = Permission{"organisation", "update"}
	CreateNomination   = Permission{"nomination", "create"}
	ListNominations    = Permission{"nomination", "list"}
	ReadNomination     = Permission{"nomination", "read"}
	EditNomination     = Permission{"nomination", "edit"}
	ActOnNomination    = Permission{"nomination", "act"}
	ReadHistory        = Permission{"nomination", "history"}
	ReadFeedback       = Permission{"nomination", "feedback"}
	ReadPanel          = Permission{"panel", "read"}
	ManagePanel        = Permission{"panel", "manage"}
	DeclareConflicts   = Permission{"conflict", "declare"}
	ListConflicts      = Permission{"conflict", "list"}
	ReadAssignments    = Permission{"assignment", "read"}
	ManageAssignments  = Permission{"assignment", "manage"}
	ReadEntries        = Permission{"entry", "read"}
	WriteScores        = Permission{"score", "write"}
	ReadScores         = Permission{"score", "read"}
	ReopenScores       = Permission{"score", "reopen"}
	ReadScoreHistory   = Permission{"score", "history"}
	ReadProgress       = Permission{"progress", "read"}
	ReadRanking        = Permission{"ranking", "read"}
	PreviewDecision    = Permission{"decision", "preview"}
	ApplyDecision      = Permission{"decision", "apply"}
	ReleaseResults     = Permission{"results", "release"}
	DownloadSheet      = Permission{"sheet", "download"}
	ExportSheets       = Permission{"sheet", "export"}
	ImportSheet        = Permission{"sheet", "import"}
	ExportResults      = Permission{"results", "export"}
	ManagePublications = Permission{"publication", "manage"}
	ReadWindows        = Permission{"window", "read"}
	ChangeWindows      = Permission{"window", "change"}
)

// Rule is a permission with the roles that hold it, as written in
// permissions.csv.
type Rule struct {
	Role       workflow.Role
	Permission Permission
}

// Rules parses the embedded role permissions.
func Rules() ([]Rule, error) {
	var out []Rule
	sc := bufio.NewScanner(strings.NewReader(permissionsText))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) != 5 || f[0] != "p" || f[2] != "*" || !slices.Contains(workflow.Roles, workflow.Role(f[1])) {
			return nil, fmt.Errorf("permissions.csv:%d: want `p, ROLE, *, OBJECT, ACTION`", n)
		}
		out = append(out, Rule{Role: workflow.Role(f[1]), Permission: Permission{f[3], f[4]}})
	}
	return out, sc.Err()
}

// Authorizer holds the current enforcer.
type Authorizer struct {
	rules   []Rule
	current atomic.Pointer[loaded]
	mu      sync.Mutex // one reload at a time
}

type loaded struct {
	e       *casbin.SyncedEnforcer
	version int64
	byUser  map[int64][]workflow.Grant // the same grants, indexed: casbin's filtered lookup scans them all
}

// New returns an authorizer with the embedded permissions and no grants.
func New() (*Authorizer, error) {
	rules, err := Rules()
	if err != nil {
		return nil, err
	}
	a := &Authorizer{rules: rules}
	if err := a.Load(nil, -1); err != nil {
		return nil, err
	}
	return a, nil
}

// Subject is how a user appears to the enforcer.
func Subject(userID int64) string { return fmt.Sprintf("user:%d", userID) }

// Version is the grants version loaded.
func (a *Authorizer) Version() int64 { return a.current.Load().version }

// Load builds an enforcer with the given active grants and swaps it in,
// unless one at least as new is already loaded.
func (a *Authorizer) Load(grants []workflow.RoleGrant, version int64) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cur := a.current.Load(); cur != nil && cur.version >= version {
		return nil
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return fmt.Errorf("policy model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return fmt.Errorf("policy enforcer: %w", err)
	}
	ps := make([][]string, len(a.rules))
	for i, r := range a.rules {
		ps[i] = []string{string(r.Role), "*", r.Permission.Object, r.Permission.Action}
	}
	if _, err := e.AddPolicies(ps); err != nil {
		return fmt.Errorf("policy permissions: %w", err)
	}
	byUser := make(map[int64][]workflow.Grant)
	if len(grants) > 0 {
		gs := make([][]string, len(grants))
		for i, g := range grants {
			gs[i] = []string{Subject(g.UserID), string(g.Role), g.Domain}
			byUser[g.UserID] = append(byUser[g.UserID], workflow.Grant{Role: g.Role, Domain: g.Domain})
		}
		if _, err := e.AddGroupingPolicies(gs); err != nil {
			return fmt.Errorf("policy grants: %w", err)
		}
	}
	a.current.Store(&loaded{e: e, version: version, byUser: byUser})
	return nil
}

// Grants returns the active grants of a user as loaded.
func (a *Authorizer) Grants(userID int64) []workflow.Grant {
	return slices.Clone(a.current.Load().byUser[userID])
}

// Allowed reports whether any of the user's grants carries permission p.
func (a *Authorizer) Allowed(userID int64, p Permission) bool {
	cur := a.current.Load()
	sub := Subject(userID)
	for _, g := range cur.byUser[userID] {
		if ok, err := cur.e.Enforce(sub, g.Domain, p.Object, p.Action); err == nil && ok {
			return true
		}
	}
	return false
}

// RoleAllows reports whether role carries permission p (the static matrix).
func (a *Authorizer) RoleAllows(role workflow.Role, p Permission) bool {
	for _, r := range a.rules {
		if r.Role == role && r.Permission == p {
			return true
		}
	}
	return false
}

// Permissions lists the distinct permissions in file order.
func (a *Authorizer) Permissions() []Permission {
	var out []Permission
	for _, r := range a.rules {
		if !slices.Contains(out, r.Permission) {
			out = append(out, r.Permission)
		}
	}
	return out
}
