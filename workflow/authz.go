package workflow

import "strings"

// Permission is an action on a kind of object ("nomination:submit"). The
// policy package says which roles hold it, in permissions.csv, for the
// routes and for the services alike.
type Permission struct{ Object, Action string }

func (p Permission) String() string { return p.Object + ":" + p.Action }

// Fact is a relation between the actor and the object acted on that a
// service reads inside its transaction and hands to the authorizer. A rule
// in permissions.csv may require facts (its optional sixth column).
type Fact uint8

// The facts.
const (
	// ActsForOrganisation: the actor is the applicant contact of the
	// organisation the object belongs to.
	ActsForOrganisation Fact = 1 << iota
	// Assigned: the actor is assigned the entry it acts on.
	Assigned
	// Unconflicted: the actor has declared no conflict with the entry.
	Unconflicted
	// OwnRecord: the object is the actor's own (its user, its grants).
	OwnRecord
)

// factNames name the facts as permissions.csv and the docs write them.
var factNames = []struct {
	f    Fact
	name string
}{
	{ActsForOrganisation, "acts_for_organisation"},
	{Assigned, "assigned"},
	{Unconflicted, "unconflicted"},
	{OwnRecord, "own_record"},
}

// Facts is a set of facts.
type Facts Fact

// Has reports whether every fact of want is in fs.
func (fs Facts) Has(want Facts) bool { return fs&want == want }

// With adds f if ok.
func (fs Facts) With(f Fact, ok bool) Facts {
	if ok {
		fs |= Facts(f)
	}
	return fs
}

func (fs Facts) String() string {
	var out []string
	for _, x := range factNames {
		if fs&Facts(x.f) != 0 {
			out = append(out, x.name)
		}
	}
	return strings.Join(out, "+")
}

// ParseFacts reads facts written as "assigned+unconflicted" ("" for none).
func ParseFacts(s string) (Facts, bool) {
	var fs Facts
	if s == "" {
		return 0, true
	}
	for _, name := range strings.Split(s, "+") {
		found := false
		for _, x := range factNames {
			if x.name == strings.TrimSpace(name) {
				fs, found = fs|Facts(x.f), true
			}
		}
		if !found {
			return 0, false
		}
	}
	return fs, true
}

// Authorizer answers the services' one question: may this actor do this
// action, in this domain (a ministry, or AnyDomain for what is not a
// ministry's), given these facts about the object? The policy package
// implements it from the same permissions the routes use; the service gets
// one by WithAuthorizer, and refuses everything without it.
type Authorizer interface {
	Permits(actor Actor, perm Permission, domain string, facts Facts) bool
}

// WithAuthorizer sets the authorizer the service asks.
func WithAuthorizer(a Authorizer) ServiceOption {
	return func(s *Service) { s.authz = a }
}

// refuseAll is the authorizer of a service that was given none.
type refuseAll struct{}

func (refuseAll) Permits(Actor, Permission, string, Facts) bool { return false }

// The permissions the services ask for beyond the routes' own.
var (
	// Lifecycle actions: the transition table names one per action.
	PermSubmit            = Permission{"nomination", "submit"}
	PermResubmit          = Permission{"nomination", "resubmit"}
	PermWithdraw          = Permission{"nomination", "withdraw"}
	PermReturn            = Permission{"nomination", "return"}
	PermStartScreening    = Permission{"nomination", "start_screening"}
	PermDeclareIneligible = Permission{"nomination", "declare_ineligible"}
	PermRecognise         = Permission{"nomination", "recognise"}
	PermAdvance           = Permission{"nomination", "advance"}
	PermSelect            = Permission{"nomination", "select"}
	PermNotSelect         = Permission{"nomination", "not_select"}
	PermAward             = Permission{"nomination", "award"}

	// Nominations. Create, read and edit are also the routes' permissions.
	PermCreateNomination = Permission{"nomination", "create"}
	PermReadNomination   = Permission{"nomination", "read"}
	PermEditNomination   = Permission{"nomination", "edit"}
	// PermReadVerdicts: the staff view of a nomination (eligibility
	// evidence, every step as it happened).
	PermReadVerdicts = Permission{"nomination", "verdicts"}
	// PermApplicantView: the nomination as its applicant sees it (its own
	// versions, no staff step before release).
	PermApplicantView = Permission{"nomination", "applicant_view"}
	// PermReadEntries: a panel's view of a ministry's nominations.
	PermReadEntries = Permission{"entry", "read"}

	// Programmes: every role holds cycle:read, so it tells whether the
	// actor has any role in a ministry; windows are its staff's.
	PermReadCycles    = Permission{"cycle", "read"}
	PermReadWindows   = Permission{"window", "read"}
	PermChangeWindows = Permission{"window", "change"}

	// Accounts.
	PermCreateUser = Permission{"user", "create"}
	// PermOversee: staff of a ministry (AnyDomain: of every ministry), who
	// see its programmes, nominations and users.
	PermOversee = Permission{"ministry", "oversee"}
	// PermAddContact: add a contact to an organisation (invite one).
	PermAddContact = Permission{"organisation", "add_contact"}

	// Judging, asked in the programme's ministry. Most are also the
	// routes' permissions.
	PermReadPanel         = Permission{"panel", "read"}
	PermManagePanel       = Permission{"panel", "manage"}
	PermDeclareConflicts  = Permission{"conflict", "declare"}
	PermListConflicts     = Permission{"conflict", "list"}
	PermManageAssignments = Permission{"assignment", "manage"}
	// PermReadAllAssignments, PermReadAllEntries, PermReadAllScores: the
	// whole stage (every assignment, every entry with its judges, every
	// judge's score whatever the stage's visibility), not only the actor's
	// own assignments.
	PermReadAllAssignments = Permission{"assignment", "read_all"}
	PermReadAllEntries     = Permission{"entry", "read_all"}
	PermReadAllScores      = Permission{"score", "read_all"}
	// PermWriteScores: score an entry (assigned to it, no conflict with it).
	PermWriteScores = Permission{"score", "write"}
	PermReopenScore = Permission{"score", "reopen"}
	// PermReopenOwnScore: reopen a score of one's own (not the chair's).
	PermReopenOwnScore   = Permission{"score", "reopen_own"}
	PermReadScoreHistory = Permission{"score", "history"}
	PermReadProgress     = Permission{"progress", "read"}
	PermReadRanking      = Permission{"ranking", "read"}
	PermPreviewDecision  = Permission{"decision", "preview"}
	PermApplyDecision    = Permission{"decision", "apply"}
	PermExportSheets     = Permission{"sheet", "export"}
	// PermAnyJudgeSheet: download or import any panel member's scoring
	// sheet, not only one's own.
	PermAnyJudgeSheet = Permission{"sheet", "any_judge"}
	PermExportResults = Permission{"results", "export"}
)

// anyFacts is every fact: "could the actor, were the facts in its favour?".
const anyFacts = ^Facts(0)

// PermManageRole is the permission to grant, revoke or invite role, asked
// in the grant's domain.
func PermManageRole(role Role) Permission { return Permission{"role", "manage_" + string(role)} }

// ForOrganisation reports whether the role is held for an organisation
// (applicant contacts) rather than for a ministry or globally as staff. It
// is what a grant is, not who may do what: an applicant grant and staff
// grants never mix on one account.
func (r Role) ForOrganisation() bool { return r == RoleApplicant }

// SitsOnPanel reports whether a panel member may have the role: judge or
// chair. It is what a panel membership is, not who may do what.
func (r Role) SitsOnPanel() bool { return r == RoleJudge || r == RoleChair }

// ChairsPanel reports whether a panel member in the role chairs the panel.
func (r Role) ChairsPanel() bool { return r == RoleChair }

// The actor's grants, read here only: everything else asks the Authorizer.

// Has reports whether the actor holds role in domain (or globally).
func (a Actor) Has(role Role, domain string) bool {
	for _, g := range a.Grants {
		if g.Role == role && (g.Domain == domain || g.Domain == AnyDomain) {
			return true
		}
	}
	return false
}

// IsAdmin reports whether the actor is a global administrator.
func (a Actor) IsAdmin() bool { return a.Has(RoleAdmin, AnyDomain) }

// IsStaff reports whether the actor is an administrator or a secretariat
// of any ministry.
func (a Actor) IsStaff() bool {
	for _, g := range a.Grants {
		if g.Role == RoleAdmin || g.Role == RoleSecretariat {
			return true
		}
	}
	return false
}

// RoleIn returns the role the actor acts in for a programme of the given
// ministry: admin first, then that ministry's secretariat, chair and judge,
// then applicant; "" if none.
func (a Actor) RoleIn(ministry string) Role {
	for _, r := range []Role{RoleAdmin, RoleSecretariat, RoleChair, RoleJudge, RoleApplicant} {
		if a.Has(r, ministry) {
			return r
		}
	}
	return ""
}

// checkGrant validates a role and its domain.
func checkGrant(role Role, domain string) []Problem {
	switch role {
	case RoleAdmin, RoleApplicant:
		if domain != AnyDomain {
			return []Problem{problem("domain", "invalid", "この役割のドメインは * です", `must be "*" for this role`)}
		}
	case RoleSecretariat, RoleChair, RoleJudge:
		if _, ok := Ministries[domain]; !ok {
			return []Problem{problem("domain", "unknown", "ドメインは省庁（mic, mhlw など）です", "must be a ministry: mic, mhlw, meti or mlit")}
		}
	default:
		return []Problem{problem("role", "unknown", "不明な役割です", "must be admin, secretariat, chair, judge or applicant")}
	}
	return nil
}
