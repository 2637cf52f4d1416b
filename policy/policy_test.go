package policy

import (
	"testing"

	"github.com/awardflow/awardflow/workflow"
)

// TestRoleMatrix is the whole role × permission matrix.
func TestRoleMatrix(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const (
		A = 1 << iota // admin
		S             // secretariat
		C             // chair
		J             // judge
		P             // applicant
	)
	want := map[Permission]int{
		ReadCycles: A | S | C | J | P,
		ListUsers:  A | S, ReadUser: A | S, Invite: A | S | P, GrantRole: A | S, RevokeRole: A | S,
		CreateOrganisation: A | S | P, ListOrganisations: A | S, ReadOrganisation: A | S | P, UpdateOrganisation: A | S | P,
		CreateNomination: A | S | P, ListNominations: A | S | P, ReadNomination: A | S | P, EditNomination: P,
		ActOnNomination: A | S | P, ReadHistory: A | S | P, ReadFeedback: P,
		ReadPanel: A | S | C, ManagePanel: A | S, DeclareConflicts: C | J, ListConflicts: A | S,
		ReadAssignments: A | S | C | J, ManageAssignments: A | S, ReadEntries: A | S | C | J,
		WriteScores: C | J, ReadScores: A | S | C | J, ReopenScores: A | S | C, ReadScoreHistory: A | S | C,
		ReadProgress: A | S | C, ReadRanking: A | S | C,
		PreviewDecision: A | S | C, ApplyDecision: A | S, ReleaseResults: A | S,
		DownloadSheet: A | S | C | J, ExportSheets: A | S, ImportSheet: A | S | C | J, ExportResults: A | S | C, ManagePublications: A | S,
		ReadWindows: A | S, ChangeWindows: A | S,
		workflow.PermSubmit: P, workflow.PermResubmit: P, workflow.PermWithdraw: P,
		workflow.PermReturn: A | S, workflow.PermStartScreening: A | S, workflow.PermDeclareIneligible: A | S, workflow.PermRecognise: A | S,
		workflow.PermAdvance: A | S, workflow.PermSelect: A | S, workflow.PermNotSelect: A | S, workflow.PermAward: A | S,
		workflow.PermCreateUser: A, workflow.PermOversee: A | S, workflow.PermAddContact: A | P,
		workflow.PermReadVerdicts: A | S, workflow.PermApplicantView: P,
		workflow.PermReadAllAssignments: A | S | C, workflow.PermReadAllEntries: A | S | C, workflow.PermReadAllScores: A | S | C,
		workflow.PermReopenOwnScore: A | S, workflow.PermAnyJudgeSheet: A | S,
		workflow.PermManageRole(workflow.RoleAdmin): A, workflow.PermManageRole(workflow.RoleSecretariat): A,
		workflow.PermManageRole(workflow.RoleChair): A | S, workflow.PermManageRole(workflow.RoleJudge): A | S,
		workflow.PermManageRole(workflow.RoleApplicant): A | P,
	}
	roles := []workflow.Role{workflow.RoleAdmin, workflow.RoleSecretariat, workflow.RoleChair, workflow.RoleJudge, workflow.RoleApplicant}
	if len(a.Permissions()) != len(want) {
		t.Fatalf("permissions.csv has %d permissions, the test %d", len(a.Permissions()), len(want))
	}
	for p, bits := range want {
		for i, r := range roles {
			if got := a.RoleAllows(r, p); got != (bits&(1<<i) != 0) {
				t.Errorf("%s may %s: %v", r, p, got)
			}
		}
	}
}

func TestGrantsAndDomains(t *testing.T) {
	a, err := New()
	if err != nil {
		t.Fatal(err)
	}
	grants := []workflow.RoleGrant{
		{UserID: 1, Role: workflow.RoleAdmin, Domain: "*"},
		{UserID: 2, Role: workflow.RoleSecretariat, Domain: "mic"},
		{UserID: 3, Role: workflow.RoleJudge, Domain: "mic"},
		{UserID: 3, Role: workflow.RoleChair, Domain: "mhlw"},
		{UserID: 4, Role: workflow.RoleApplicant, Domain: "*"},
	}
	if err := a.Load(grants, 7); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user int64
		p    Permission
		want bool
	}{
		{1, GrantRole, true}, {1, EditNomination, false},
		{2, ActOnNomination, true}, {2, EditNomination, false},
		{3, ReadCycles, true}, {3, ReadNomination, false},
		{4, EditNomination, true}, {4, ListUsers, false},
		{5, ReadCycles, false}, // no grants: nothing
	} {
		if got := a.Allowed(tc.user, tc.p); got != tc.want {
			t.Errorf("user %d %s = %v, want %v", tc.user, tc.p, got, tc.want)
		}
	}
	if gs := a.Grants(3); len(gs) != 2 {
		t.Errorf("grants of user 3 = %v", gs)
	}
	// A stale load never replaces a newer one; a newer one revokes.
	if err := a.Load(nil, 6); err != nil || !a.Allowed(2, ActOnNomination) {
		t.Fatalf("an older version replaced a newer one")
	}
	if err := a.Load(grants[:1], 8); err != nil || a.Allowed(2, ActOnNomination) || a.Version() != 8 {
		t.Fatalf("revocation not applied")
	}
}

func BenchmarkAllowed(b *testing.B) {
	a, _ := New()
	var grants []workflow.RoleGrant
	for i := range int64(100_000) {
		role, dom := workflow.RoleApplicant, "*"
		if i%10 == 0 {
			role, dom = workflow.RoleJudge, []string{"mic", "mhlw"}[i%20/10]
		}
		grants = append(grants, workflow.RoleGrant{UserID: i, Role: role, Domain: dom})
	}
	if err := a.Load(grants, 1); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		a.Allowed(int64(i%100_000), ReadNomination)
	}
}

// TestPermits: the services' question is answered in the actor's role in
// the domain, with the facts a rule names.
func TestPermits(t *testing.T) {
	a := MustNew()
	applicant := workflow.Actor{Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}, OrganisationID: 9}
	mic := workflow.Actor{Grants: []workflow.Grant{{Role: workflow.RoleSecretariat, Domain: "mic"}}}
	admin := workflow.Actor{Grants: []workflow.Grant{{Role: workflow.RoleAdmin, Domain: workflow.AnyDomain}}}
	own := workflow.Facts(0).With(workflow.ActsForOrganisation, true)
	judge := workflow.Actor{Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
	judges := workflow.Facts(0).With(workflow.Assigned, true).With(workflow.Unconflicted, true)
	for _, tc := range []struct {
		name   string
		actor  workflow.Actor
		perm   Permission
		domain string
		facts  workflow.Facts
		want   bool
	}{
		{"applicant submits its own", applicant, workflow.PermSubmit, "mic", own, true},
		{"applicant submits another's", applicant, workflow.PermSubmit, "mic", 0, false},
		{"secretariat cannot submit", mic, workflow.PermSubmit, "mic", own, false},
		{"secretariat returns in its ministry", mic, workflow.PermReturn, "mic", 0, true},
		{"secretariat of another ministry", mic, workflow.PermReturn, "mhlw", 0, false},
		{"admin anywhere", admin, workflow.PermAward, "mhlw", 0, true},
		{"judge scores an assigned, unconflicted entry", judge, workflow.PermWriteScores, "mic", judges, true},
		{"judge scores a conflicted entry", judge, workflow.PermWriteScores, "mic", workflow.Facts(0).With(workflow.Assigned, true), false},
		{"judge sees only its own scores", judge, workflow.PermReadAllScores, "mic", 0, false},
		{"no grants", workflow.Actor{}, ReadCycles, "mic", 0, false},
		{"unknown permission", admin, Permission{Object: "nomination", Action: "teleport"}, "mic", 0, false},
	} {
		if got := a.Permits(tc.actor, tc.perm, tc.domain, tc.facts); got != tc.want {
			t.Errorf("%s: Permits = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAdmits(t *testing.T) {
	a := MustNew()
	if err := a.Load([]workflow.RoleGrant{{UserID: 2, Role: workflow.RoleSecretariat, Domain: "mic"},
		{UserID: 4, Role: workflow.RoleApplicant, Domain: "*"}}, 1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		user int64
		rule RouteRule
		want bool
	}{
		{"public, signed out", 0, PublicRoute, true},
		{"signed-in route, signed out", 0, SignedInRoute, false},
		{"signed-in route, any user", 4, SignedInRoute, true},
		{"permission, signed out", 0, Allow(ListUsers), false},
		{"permission held", 2, Allow(ListUsers), true},
		{"permission not held", 4, Allow(ListUsers), false},
		{"a user without grants", 9, Allow(ReadCycles), false},
	} {
		if got := a.Admits(tc.user, tc.rule); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
