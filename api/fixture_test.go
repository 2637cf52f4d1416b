package api

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/cyclefile"
	"github.com/awardflow/awardflow/workflow/password"
)

// who are the callers of the authorization matrix, in column order.
var who = []string{"anon", "admin", "micSec", "mhlwSec", "micChair", "micJudge", "mhlwJudge", "owner", "other"}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is the API over a fresh database with the example cycle, one
// account per caller, two applicant organisations and their nominations.
type fixture struct {
	t        testing.TB
	ctx      context.Context
	db       *db.DB
	svc      *workflow.Service
	authz    *policy.Authorizer
	h        http.Handler
	clock    *clock
	users    map[string]workflow.User
	tokens   map[string]string
	orgA     workflow.Organisation
	orgB     workflow.Organisation
	micDraft int64 // A's MIC nomination, a draft
	n        int   // counter for fresh names
	assigned int64 // an entry under review at MIC's Top 100, assigned to micJudge
	other    int64 // one there not assigned to micJudge
}

var (
	callOpen    = time.Date(2026, 7, 10, 12, 0, 0, 0, workflow.Tokyo)
	judgingOpen = time.Date(2026, 8, 25, 12, 0, 0, 0, workflow.Tokyo)
	top100      = workflow.StageRef{Cycle: "fy2026-telework", Programme: "mic-pioneer", Stage: "top100"}
)

// stageEntry creates an organisation and its MIC nomination, and takes it
// to review at the Top 100 stage.
func (f *fixture) stageEntry() workflow.Nomination {
	f.t.Helper()
	o := f.organisation(f.fresh("株式会社審査"))
	n := f.submitted(o, workflow.Actor{ID: "setup", Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: "*"}}}, "mic-pioneer")
	for _, a := range []workflow.Action{workflow.StartScreening, workflow.Recognise, workflow.Advance} {
		var err error
		if n, err = f.svc.Transition(f.ctx, admin, n.ID, 0, a, workflow.Input{}); err != nil {
			f.t.Fatal(err)
		}
	}
	return n
}

// assignedEntry is a fresh stage entry assigned to micJudge.
func (f *fixture) assignedEntry() workflow.Nomination {
	f.t.Helper()
	n := f.stageEntry()
	if _, err := f.svc.Assign(f.ctx, admin, top100, n.ID, f.users["micJudge"].ID); err != nil {
		f.t.Fatal(err)
	}
	return n
}

var admin = workflow.Actor{ID: "test:admin", Name: "Test admin", Grants: []workflow.Grant{{Role: workflow.RoleAdmin, Domain: "*"}}}

func newFixture(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: d, clock: &clock{t: callOpen},
		users: map[string]workflow.User{}, tokens: map[string]string{}}
	f.svc = workflow.NewService(db.NewStore(d), f.clock.Now, workflow.WithPasswordParams(password.Params{Memory: 64, Time: 1, Threads: 1}),
		workflow.WithSheetKey(bytes.Repeat([]byte("k"), 32)), workflow.WithAuthorizer(policy.MustNew()))
	var err error
	if f.authz, err = policy.New(); err != nil {
		t.Fatal(err)
	}
	f.h, err = NewHandler(Config{Service: f.svc, Authorizer: f.authz, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Ready: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	c, err := cyclefile.Read("../docs/examples/fy2026-telework.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.LoadCycle(f.ctx, admin, c, false); err != nil {
		t.Fatal(err)
	}
	f.orgA, f.orgB = f.organisation("株式会社エー"), f.organisation("株式会社ビー")
	for name, g := range map[string]workflow.NewUser{
		"admin":     {Role: workflow.RoleAdmin, Domain: "*"},
		"micSec":    {Role: workflow.RoleSecretariat, Domain: "mic"},
		"mhlwSec":   {Role: workflow.RoleSecretariat, Domain: "mhlw"},
		"micChair":  {Role: workflow.RoleChair, Domain: "mic"},
		"micJudge":  {Role: workflow.RoleJudge, Domain: "mic"},
		"mhlwJudge": {Role: workflow.RoleJudge, Domain: "mhlw"},
		"owner":     {Role: workflow.RoleApplicant, Domain: "*", OrganisationID: f.orgA.ID},
		"other":     {Role: workflow.RoleApplicant, Domain: "*", OrganisationID: f.orgB.ID},
	} {
		g.Email, g.Name, g.Password = name+"@test.example", name, "password-of-"+name
		u, err := f.svc.CreateUser(f.ctx, admin, g)
		if err != nil {
			t.Fatal(err)
		}
		f.users[name] = u
	}
	n, err := f.svc.CreateNomination(f.ctx, f.applicant("owner"), f.orgA.ID, "fy2026-telework", "mic-pioneer")
	if err != nil {
		t.Fatal(err)
	}
	f.micDraft = n.ID
	for _, name := range []string{"micJudge", "micChair"} {
		role := workflow.RoleJudge
		if name == "micChair" {
			role = workflow.RoleChair
		}
		if _, err := f.svc.SetPanelMember(f.ctx, admin, top100, workflow.PanelMember{UserID: f.users[name].ID, Role: role}); err != nil {
			t.Fatal(err)
		}
	}
	f.assigned, f.other = f.assignedEntry().ID, f.stageEntry().ID
	f.clock.Set(judgingOpen)
	for name := range f.users {
		f.tokens[name] = f.login(name) // sessions last 12 hours from now
	}
	return f
}

func (f *fixture) login(name string) string {
	f.t.Helper()
	_, tok, err := f.svc.Login(f.ctx, name+"@test.example", "password-of-"+name)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok.Value
}

func (f *fixture) fresh(prefix string) string {
	f.n++
	return fmt.Sprintf("%s%d", prefix, f.n)
}

func (f *fixture) organisation(name string) workflow.Organisation {
	f.t.Helper()
	capital := int64(10_000_000)
	o, err := f.svc.CreateOrganisation(f.ctx, admin, workflow.Organisation{Name: name, NameKana: "テスト", LegalForm: "kabushiki_kaisha",
		Prefecture: "13", Municipality: "港区", Industry: "E", TotalHeadcount: 50, RegularHeadcount: 40, Capital: &capital})
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

// applicant is the workflow actor of an applicant account, for setting up data.
func (f *fixture) applicant(name string) workflow.Actor {
	u := f.users[name]
	return workflow.Actor{ID: u.ActorID(), UserID: u.ID, Name: u.Name, OrganisationID: u.OrganisationID,
		Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: "*"}}}
}

var mhlwAnswers = map[string]any{
	"initiative_summary": "在宅勤務の全社導入", "telework_forms": []any{"home"}, "teleworkers": 30, "telework_rate": "60",
	"max_monthly_overtime": "20", "wlb_outcomes": "離職率が低下", "contact_name": "担当", "contact_email": "c@example.jp",
}

// submitted creates and submits a nomination for an organisation, with the
// clock inside the call window for the while.
func (f *fixture) submitted(org workflow.Organisation, applicant workflow.Actor, programme string) workflow.Nomination {
	f.t.Helper()
	was := f.clock.Now()
	f.clock.Set(callOpen)
	defer f.clock.Set(was)
	applicant.OrganisationID = org.ID
	n, err := f.svc.CreateNomination(f.ctx, applicant, org.ID, "fy2026-telework", programme)
	if err != nil {
		f.t.Fatal(err)
	}
	answers := mhlwAnswers
	if programme == "mic-pioneer" {
		answers = micAnswers
	}
	if n, err = f.svc.UpdateAnswers(f.ctx, applicant, n.ID, n.Version, answers); err != nil {
		f.t.Fatal(err)
	}
	if n, err = f.svc.Transition(f.ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{}); err != nil {
		f.t.Fatal(err)
	}
	return n
}

var micAnswers = map[string]any{
	"initiative_title": "全社テレワーク", "initiative_summary": "全社員が週3日まで在宅勤務。",
	"rules_basis": "work-rules", "telework_forms": []any{"home"}, "practised": true,
	"eligible_staff": 30, "teleworkers": 20, "avg_telework_days": "5", "long_hours_measures": "PCログ", "ict_security": "MFA",
	"serious_violation": false, "antisocial_ties": false, "contact_name": "担当", "contact_email": "c@example.jp",
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request to the handler. body may be nil, a string (sent as
// is) or a value encoded as JSON.
func (f *fixture) do(method, path, token string, body any, headers ...string) response {
	f.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	res := response{status: w.Code, header: w.Header(), raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &res.body)
	return res
}

// num reads a JSON number field.
func (r response) num(key string) int64 {
	v, _ := r.body[key].(float64)
	return int64(v)
}

func (r response) errorCode() string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// eachDB runs fn on a fixture over each database.
func eachDB(t *testing.T, fn func(t *testing.T, f *fixture)) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) { fn(t, newFixture(t, d)) })
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func dbtestSQLite(t testing.TB) *db.DB { return dbtest.SQLite(t) }

func zipParts(t *testing.T, data []byte, prefix string) int {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, prefix) {
			n++
		}
	}
	return n
}

func zipPartString(t *testing.T, data []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			return string(b)
		}
	}
	t.Fatalf("no part %s", name)
	return ""
}
