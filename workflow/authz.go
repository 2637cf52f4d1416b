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
)
