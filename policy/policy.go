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
	"context"
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

// Permission is an action on a kind of object: the workflow's own, so that
// the routes and the services name permissions alike.
type Permission = workflow.Permission

// The permissions routes ask for.
var (
	ReadCycles         = Permission{Object: "cycle", Action: "read"}
	ListUsers          = Permission{Object: "user", Action: "list"}
	ReadUser           = Permission{Object: "user", Action: "read"}
	Invite             = Permission{Object: "invitation", Action: "create"}
	GrantRole          = Permission{Object: "grant", Action: "create"}
	RevokeRole         = Permission{Object: "grant", Action: "revoke"}
	CreateOrganisation = Permission{Object: "organisation", Action: "create"}
	ListOrganisations  = Permission{Object: "organisation", Action: "list"}
	ReadOrganisation   = Permission{Object: "organisation", Action: "read"}
	UpdateOrganisation = Permission{Object: "organisation", Action: "update"}
	CreateNomination   = Permission{Object: "nomination", Action: "create"}
	ListNominations    = Permission{Object: "nomination", Action: "list"}
	ReadNomination     = Permission{Object: "nomination", Action: "read"}
	EditNomination     = Permission{Object: "nomination", Action: "edit"}
	ActOnNomination    = Permission{Object: "nomination", Action: "act"}
	ReadHistory        = Permission{Object: "nomination", Action: "history"}
	ReadFeedback       = Permission{Object: "nomination", Action: "feedback"}
	ReadPanel          = Permission{Object: "panel", Action: "read"}
	ManagePanel        = Permission{Object: "panel", Action: "manage"}
	DeclareConflicts   = Permission{Object: "conflict", Action: "declare"}
	ListConflicts      = Permission{Object: "conflict", Action: "list"}
	ReadAssignments    = Permission{Object: "assignment", Action: "read"}
	ManageAssignments  = Permission{Object: "assignment", Action: "manage"}
	ReadEntries        = Permission{Object: "entry", Action: "read"}
	WriteScores        = Permission{Object: "score", Action: "write"}
	ReadScores         = Permission{Object: "score", Action: "read"}
	ReopenScores       = Permission{Object: "score", Action: "reopen"}
	ReadScoreHistory   = Permission{Object: "score", Action: "history"}
	ReadProgress       = Permission{Object: "progress", Action: "read"}
	ReadRanking        = Permission{Object: "ranking", Action: "read"}
	PreviewDecision    = Permission{Object: "decision", Action: "preview"}
	ApplyDecision      = Permission{Object: "decision", Action: "apply"}
	ReleaseResults     = Permission{Object: "results", Action: "release"}
	DownloadSheet      = Permission{Object: "sheet", Action: "download"}
	ExportSheets       = Permission{Object: "sheet", Action: "export"}
	ImportSheet        = Permission{Object: "sheet", Action: "import"}
	ExportResults      = Permission{Object: "results", Action: "export"}
	ManagePublications = Permission{Object: "publication", Action: "manage"}
	ReadWindows        = Permission{Object: "window", Action: "read"}
	ChangeWindows      = Permission{Object: "window", Action: "change"}
)

// Rule is a permission with a role that holds it, and the relation facts
// the service must have found for it to hold, as written in
// permissions.csv.
type Rule struct {
	Role       workflow.Role
	Permission Permission
	Facts      workflow.Facts
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
		if len(f) != 5 && len(f) != 6 || f[0] != "p" || f[2] != "*" || !slices.Contains(workflow.Roles, workflow.Role(f[1])) {
			return nil, fmt.Errorf("permissions.csv:%d: want `p, ROLE, *, OBJECT, ACTION[, FACT+FACT]`", n)
		}
		var facts workflow.Facts
		if len(f) == 6 {
			var ok bool
			if facts, ok = workflow.ParseFacts(f[5]); !ok || facts == 0 {
				return nil, fmt.Errorf("permissions.csv:%d: unknown facts %q", n, f[5])
			}
		}
		out = append(out, Rule{Role: workflow.Role(f[1]), Permission: Permission{Object: f[3], Action: f[4]}, Facts: facts})
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
	// allowed remembers Allowed's answers (userPerm → bool) for these
	// grants: they cannot change, and a new version replaces the whole
	// snapshot, so a revocation still applies at the next request.
	allowed sync.Map
}

type userPerm struct {
	userID int64
	perm   Permission
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
// Every route asks it on every request, so the answers are remembered
// with the grants they were computed from.
func (a *Authorizer) Allowed(userID int64, p Permission) bool {
	cur := a.current.Load()
	key := userPerm{userID, p}
	if ok, found := cur.allowed.Load(key); found {
		return ok.(bool)
	}
	ok := cur.enforce(userID, p)
	cur.allowed.Store(key, ok)
	return ok
}

func (l *loaded) enforce(userID int64, p Permission) bool {
	sub := Subject(userID)
	for _, g := range l.byUser[userID] {
		if ok, err := l.e.Enforce(sub, g.Domain, p.Object, p.Action); err == nil && ok {
			return true
		}
	}
	return false
}

// Permits implements workflow.Authorizer: the actor acts in domain in one
// role (Actor.RoleIn: admin, then the domain's secretariat, chair, judge,
// then applicant), and may if a rule gives that role perm and every fact
// the rule names is among facts. It reads the actor's grants as the
// service was handed them, in the same request.
func (a *Authorizer) Permits(actor workflow.Actor, perm Permission, domain string, facts workflow.Facts) bool {
	role := actor.RoleIn(domain)
	if role == "" {
		return false
	}
	for _, r := range a.rules {
		if r.Role == role && r.Permission == perm && facts.Has(r.Facts) {
			return true
		}
	}
	return false
}

// FactsFor lists the facts each role's rule for p requires, "" for none,
// for the docs.
func (a *Authorizer) FactsFor(role workflow.Role, p Permission) (workflow.Facts, bool) {
	for _, r := range a.rules {
		if r.Role == role && r.Permission == p {
			return r.Facts, true
		}
	}
	return 0, false
}

// RoleAllows reports whether role carries permission p (the static matrix),
// with whatever facts its rule needs.
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

var _ workflow.Authorizer = (*Authorizer)(nil)

// MustNew is New for wiring: the embedded permissions are part of the
// binary, and TestRoleMatrix parses them, so an error is a build mistake.
func MustNew() *Authorizer {
	a, err := New()
	if err != nil {
		panic(err)
	}
	return a
}

// Sessions is the part of the workflow service that resolves a session.
type Sessions interface {
	Authenticate(ctx context.Context, token string) (workflow.User, int64, error)
	ActiveGrants(ctx context.Context) ([]workflow.RoleGrant, int64, error)
}

// Actor resolves a session token into its user and the actor the services
// are handed. The session lookup also returns the stored grants version;
// when it is newer than the loaded one the grants are reloaded first, so a
// grant or revocation applies at the very next request, whichever carrier
// (bearer header or web cookie) brought the token.
func (a *Authorizer) Actor(ctx context.Context, svc Sessions, token string) (workflow.User, workflow.Actor, error) {
	u, version, err := svc.Authenticate(ctx, token)
	if err != nil {
		return workflow.User{}, workflow.Actor{}, err
	}
	if version > a.Version() {
		gs, v, err := svc.ActiveGrants(ctx)
		if err == nil {
			err = a.Load(gs, v)
		}
		if err != nil {
			return workflow.User{}, workflow.Actor{}, err
		}
	}
	return u, workflow.Actor{ID: u.ActorID(), UserID: u.ID, Name: u.Name,
		Grants: a.Grants(u.ID), OrganisationID: u.OrganisationID}, nil
}

// RouteRule is a route's or a page's authorization: public, any signed-in user,
// or a permission some role of the caller must hold. The API and the web
// UI register every route with one; the services then check the facts.
type RouteRule struct {
	Public, SignedIn bool
	Perm             Permission
}

// The rules without a permission.
var (
	PublicRoute   = RouteRule{Public: true}
	SignedInRoute = RouteRule{SignedIn: true}
)

// Allow is the rule of a route that needs permission p.
func Allow(p Permission) RouteRule { return RouteRule{Perm: p} }

func (r RouteRule) String() string {
	switch {
	case r.Public:
		return "public"
	case r.SignedIn:
		return "any signed-in user"
	}
	return r.Perm.String()
}

// Admits reports whether the rule lets a caller through: anyone to a
// public route, a signed-in user (userID > 0) to the rest when the rule
// needs no permission or one of the user's grants carries it.
func (a *Authorizer) Admits(userID int64, r RouteRule) bool {
	switch {
	case r.Public:
		return true
	case userID <= 0:
		return false
	case r.SignedIn:
		return true
	}
	return a.Allowed(userID, r.Perm)
}
