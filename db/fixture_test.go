package db_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/cyclefile"
	"github.com/awardflow/awardflow/workflow/password"
)

var (
	admin       = workflow.Actor{ID: "admin@test", Name: "Admin", Grants: []workflow.Grant{{Role: workflow.RoleAdmin, Domain: workflow.AnyDomain}}}
	micStaff    = workflow.Actor{ID: "mic@test", Name: "MIC secretariat", Grants: []workflow.Grant{{Role: workflow.RoleSecretariat, Domain: "mic"}}}
	mhlwStaff   = workflow.Actor{ID: "mhlw@test", Name: "MHLW secretariat", Grants: []workflow.Grant{{Role: workflow.RoleSecretariat, Domain: "mhlw"}}}
	inTheWindow = time.Date(2026, 7, 10, 12, 0, 0, 0, workflow.Tokyo)
	// afterTheCall is after both example programmes' calls have closed: results can be released.
	afterTheCall = time.Date(2026, 10, 30, 10, 0, 0, 0, workflow.Tokyo)
)

// cheapPasswords keeps argon2id fast in tests; production uses password.Default.
var cheapPasswords = password.Params{Memory: 64, Time: 1, Threads: 1}

// clock is a settable test clock. With tick set, every reading moves it on
// by tick, so that two readings in one call show.
type clock struct {
	mu   sync.Mutex
	t    time.Time
	tick time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.tick)
	return t
}
func (c *clock) Tick(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.tick = d }
func (c *clock) Set(t time.Time)      { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration)  { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// env is a service over a fresh database with the example cycle loaded.
type env struct {
	ctx   context.Context
	db    *db.DB
	svc   *workflow.Service
	clock *clock
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	e := &env{ctx: context.Background(), db: d, clock: &clock{t: inTheWindow}}
	e.svc = workflow.NewService(db.NewStore(d), e.clock.Now, workflow.WithPasswordParams(cheapPasswords), workflow.WithSheetKey(make([]byte, 32)), workflow.WithAuthorizer(policy.MustNew()))
	c := exampleCycle(t)
	if _, err := e.svc.LoadCycle(e.ctx, admin, c, false); err != nil {
		t.Fatal(err)
	}
	return e
}

func exampleCycle(t testing.TB) workflow.Cycle {
	t.Helper()
	c, err := cyclefile.Read("../docs/examples/fy2026-telework.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func capital(n int64) *int64 { return &n }

var corporateNumbers atomic.Int64

// nextCorporateNumber returns a valid corporate number no other fixture
// organisation holds (one organisation per number).
func nextCorporateNumber() string {
	base := fmt.Sprintf("%012d", 401100100000+corporateNumbers.Add(1))
	sum := 0
	for i, c := range base {
		q := 1
		if (12-i)%2 == 0 {
			q = 2
		}
		sum += int(c-'0') * q
	}
	return fmt.Sprintf("%d%s", 9-sum%9, base)
}

func (e *env) org(t testing.TB, name string) (workflow.Organisation, workflow.Actor) {
	t.Helper()
	o, err := e.svc.CreateOrganisation(e.ctx, admin, workflow.Organisation{
		Name: name, NameKana: "テストカブシキガイシャ", LegalForm: "kabushiki_kaisha", CorporateNumber: nextCorporateNumber(),
		Prefecture: "13", Municipality: "千代田区", Industry: "G", SMESector: workflow.SectorServices,
		TotalHeadcount: 120, RegularHeadcount: 100, Capital: capital(30_000_000),
	})
	if err != nil {
		t.Fatal(err)
	}
	return o, applicantOf(name, o.ID)
}

func applicantOf(name string, org int64) workflow.Actor {
	return workflow.Actor{ID: "applicant-" + name, Name: name, Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}, OrganisationID: org}
}

var micAnswers = map[string]any{
	"initiative_title": "全社テレワーク", "initiative_summary": "全社員が週3日まで在宅勤務。",
	"rules_basis": "work-rules", "telework_forms": []any{"home", "satellite"}, "practised": true,
	"eligible_staff": "８０", "teleworkers": 60, "avg_telework_days": "6.5",
	"long_hours_measures": "PCログで勤務時間を把握", "ict_security": "VDIとMFA",
	"serious_violation": false, "antisocial_ties": false,
	"contact_name": "山田太郎", "contact_email": "yamada@example.jp",
}

// submitted creates an organisation and a complete MIC nomination and submits it.
func (e *env) submitted(t testing.TB, name string) (workflow.Nomination, workflow.Actor) {
	t.Helper()
	o, applicant := e.org(t, name)
	n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
	if err != nil {
		t.Fatal(err)
	}
	if n, err = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, micAnswers); err != nil {
		t.Fatal(err)
	}
	if n, err = e.svc.Transition(e.ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{}); err != nil {
		t.Fatal(err)
	}
	return n, applicant
}

func (e *env) step(t testing.TB, actor workflow.Actor, n workflow.Nomination, a workflow.Action, in workflow.Input) workflow.Nomination {
	t.Helper()
	out, err := e.svc.Transition(e.ctx, actor, n.ID, n.Version, a, in)
	if err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	return out
}

func wantCode(t testing.TB, err error, code workflow.Code) {
	t.Helper()
	if got := workflow.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}
