package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// benchClients is how many concurrent clients drive the server.
const benchClients = 16

// load sends b.N requests from benchClients concurrent clients over
// loopback and reports throughput and latency percentiles. req builds
// client i's n-th request.
func load(b *testing.B, req func(client, n int) *http.Request) {
	loadN(b, benchClients, req)
}

// loadN is load with the given number of clients.
func loadN(b *testing.B, benchClients int, req func(client, n int) *http.Request) {
	tr := &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	lat := make([][]time.Duration, benchClients)
	var next atomic.Int64
	var failed atomic.Int64
	// Warm up: every client opens its connection before the clock starts.
	var warm sync.WaitGroup
	for c := range benchClients {
		warm.Add(1)
		go func() {
			defer warm.Done()
			if resp, err := hc.Do(req(c, -1)); err == nil {
				io.Copy(io.Discard, resp.Body) //nolint:errcheck // draining for reuse
				resp.Body.Close()
			}
		}()
	}
	warm.Wait()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; next.Add(1) <= int64(b.N); n++ {
				t0 := time.Now()
				resp, err := hc.Do(req(c, n))
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body) //nolint:errcheck // draining for reuse
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d requests failed", f, b.N)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkAPI drives the API on PostgreSQL over loopback: an authenticated
// read of a nomination (session lookup, enforcer, nomination, guard context,
// available actions) and a transition (the same, plus the version-checked
// update and its history entry).
func BenchmarkAPI(b *testing.B) {
	f := newFixture(b, dbtest.Postgres(b))
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	token := f.tokens["micSec"]

	// One returned nomination per client: returning it again (a new due
	// date) is a transition that can repeat without conflicts between clients.
	ids := make([]int64, benchClients)
	due := f.clock.Now().Add(60 * 24 * time.Hour)
	staff := workflow.Actor{ID: "bench", Grants: []workflow.Grant{{Role: workflow.RoleSecretariat, Domain: "mic"}}}
	for i := range ids {
		o := f.organisation(fmt.Sprintf("株式会社ベンチ%02d", i))
		applicant := workflow.Actor{ID: "bench-applicant", Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: "*"}}}
		n := f.submitted(o, applicant, "mic-pioneer")
		if _, err := f.svc.Transition(f.ctx, staff, n.ID, 0, workflow.Return, workflow.Input{Reason: "ベンチ", Due: &due}); err != nil {
			b.Fatal(err)
		}
		ids[i] = n.ID
	}
	body := []byte(`{"reason":"添付書類の再提出","due":"` + due.Format(time.RFC3339) + `"}`)

	b.Run("read", func(b *testing.B) {
		load(b, func(c, _ int) *http.Request {
			r, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/nominations/%d", srv.URL, ids[c]), nil)
			r.Header.Set("Authorization", "Bearer "+token)
			return r
		})
	})
	b.Run("transition", func(b *testing.B) {
		load(b, func(c, _ int) *http.Request {
			r, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/nominations/%d/actions/return", srv.URL, ids[c]), bytes.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Content-Type", "application/json")
			return r
		})
	})
}

// seedStage stores, in one transaction, entries under review at MIC's Top
// 100 stage, a panel of judges, k assignments per entry and, if scored,
// a submitted score for each; it returns the judges' ids.
func seedStage(b *testing.B, f *fixture, entries, judges, k int, scored bool) []int64 {
	b.Helper()
	now := f.clock.Now().UTC()
	var panel []int64
	err := db.NewStore(f.db).InTx(f.ctx, func(tx workflow.Tx) error {
		for j := range judges {
			u := workflow.User{Email: fmt.Sprintf("bench-judge-%d@test.example", j), Name: fmt.Sprintf("審査員%d", j), Locale: "ja", CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertUser(f.ctx, &u); err != nil {
				return err
			}
			if err := tx.InsertGrant(f.ctx, &workflow.RoleGrant{UserID: u.ID, Role: workflow.RoleJudge, Domain: "mic", GrantedBy: "bench", GrantedAt: now}); err != nil {
				return err
			}
			if err := tx.UpsertPanelMember(f.ctx, workflow.PanelMember{Stage: top100, UserID: u.ID, Role: workflow.RoleJudge, AddedBy: "bench", AddedAt: now}); err != nil {
				return err
			}
			panel = append(panel, u.ID)
		}
		var as []workflow.Assignment
		for i := range entries {
			o := workflow.Organisation{Name: fmt.Sprintf("株式会社ランキング%05d", i), NameKana: "ランキング", LegalForm: "kabushiki_kaisha",
				Prefecture: "13", Municipality: "港区", Industry: "E", TotalHeadcount: 100, RegularHeadcount: 90, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertOrganisation(f.ctx, &o); err != nil {
				return err
			}
			n := workflow.Nomination{CycleKey: top100.Cycle, CycleVersion: 1, ProgrammeKey: top100.Programme, Ministry: "mic", OrganisationID: o.ID,
				State: workflow.InReview, Stage: top100.Stage, Tier: "pioneer", Answers: workflow.Answers{"initiative_title": "ベンチ"},
				Snapshot: &o, SubmittedAt: &now, Version: 5, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertNomination(f.ctx, &n); err != nil {
				return err
			}
			for r := range k {
				judge := panel[(i*k+r)%judges]
				as = append(as, workflow.Assignment{Stage: top100, NominationID: n.ID, UserID: judge, Source: "proposal", CreatedBy: "bench", CreatedAt: now})
				if !scored {
					continue
				}
				sc := workflow.Score{Stage: top100, NominationID: n.ID, UserID: judge, Status: workflow.ScoreSubmitted, Version: 1, SubmittedAt: &now, UpdatedAt: now,
					Values: map[string]string{"adoption": fmt.Sprint(1 + (i+r)%5), "management": fmt.Sprint(1 + (i*7+r)%5), "security": "3", "outcomes": "4.5"}}
				e := workflow.ScoreEvent{Stage: top100, NominationID: n.ID, UserID: judge, ActorID: "bench", Kind: workflow.EventSave,
					Status: sc.Status, Values: sc.Values, Version: 1, At: now}
				if err := tx.SaveScore(f.ctx, &sc, 0, e); err != nil {
					return err
				}
			}
		}
		return tx.InsertAssignments(f.ctx, as)
	})
	if err != nil {
		b.Fatal(err)
	}
	return panel
}

// BenchmarkRanking5000 serves a stage ranking of 5,000 entries (3 judges
// each, 15,000 submitted scores) over loopback from PostgreSQL.
func BenchmarkRanking5000(b *testing.B) {
	f := newFixture(b, dbtest.Postgres(b))
	seedStage(b, f, 5000, 60, 3, true)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	url := srv.URL + stagePath + "/ranking?normalise=true"
	get := func() int {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["micSec"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("ranking = %d", resp.StatusCode)
		}
		return int(n)
	}
	size := get() // warm
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		get()
	}
	b.ReportMetric(float64(size)/1024, "KiB/response")
}

// BenchmarkImportSheet300 imports a 300-row scoring sheet (as drafts) over
// loopback on PostgreSQL; each round downloads a fresh sheet first (not
// timed), as a judge would.
func BenchmarkImportSheet300(b *testing.B) {
	f := newFixture(b, dbtest.Postgres(b))
	panel := seedStage(b, f, 300, 1, 1, false)
	judge := panel[0]
	token := f.tokens["micSec"]
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		sheet := f.downloadBench(b, token, judge)
		filled := fillBench(b, sheet, 1+i%5)
		b.StartTimer()
		res := f.upload(token, judge, filled, false)
		if res.status != 200 || res.body["changed"] != float64(300) {
			b.Fatalf("import: %d %.300s", res.status, res.raw)
		}
	}
}

// BenchmarkZipSheets300 builds the zip of 300 judges' scoring sheets (3,000
// entries, 3 judges each: 30 rows per sheet) over loopback on PostgreSQL.
func BenchmarkZipSheets300(b *testing.B) {
	f := newFixture(b, dbtest.Postgres(b))
	seedStage(b, f, 3000, 300, 3, false)
	benchZip(b, f)
}

// benchZip times GET …/sheets, the zip of every judge's sheet.
func benchZip(b *testing.B, f *fixture) {
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	var size int64
	for b.Loop() {
		req, _ := http.NewRequest("GET", srv.URL+stagePath+"/sheets", nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens["micSec"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("zip = %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/zip")
}

// BenchmarkZipSheetsStage builds the zip of a stage of realistic size over
// loopback on PostgreSQL: 300 entries and 10 judges, scored, each entry
// with 3 judges (90 rows a sheet) or with all 10 (300 rows a sheet).
func BenchmarkZipSheetsStage(b *testing.B) {
	for _, k := range []int{3, 10} {
		b.Run(fmt.Sprintf("300x10_k%d", k), func(b *testing.B) {
			f := newFixture(b, dbtest.Postgres(b))
			seedStage(b, f, 300, 10, k, true)
			benchZip(b, f)
		})
	}
}

func (f *fixture) downloadBench(b *testing.B, token string, judge int64) []byte {
	res := f.do("GET", fmt.Sprintf("%s/sheets/%d", stagePath, judge), token, nil)
	if res.status != 200 {
		b.Fatalf("download = %d", res.status)
	}
	return []byte(res.raw)
}

func fillBench(b *testing.B, data []byte, v int) []byte {
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows(workflow.ScoresSheetName)
	for r := 2; r <= len(rows); r++ {
		x.SetCellValue(workflow.ScoresSheetName, fmt.Sprintf("D%d", r), v)
		x.SetCellStr(workflow.ScoresSheetName, fmt.Sprintf("E%d", r), "３")
	}
	var buf bytes.Buffer
	x.WriteTo(&buf)
	return buf.Bytes()
}

// BenchmarkScorePut drives PUT …/entries/:id/score over loopback on
// PostgreSQL at 1, 8 and 32 concurrent clients, each a judge of its own
// saving its draft score for one of its entries (If-Match the version it
// saved last), at a stage of 5,000 entries with 3 judges each. Compare with
// pgbench running an INSERT score + INSERT audit transaction on the same
// machine (see the report of issue 9).
// The audit sealer runs every second meanwhile, as in serve.
func BenchmarkScorePut(b *testing.B) {
	const judges, entries = 32, 5000
	f := newFixture(b, dbtest.Postgres(b))
	ids := make([]int64, judges)
	tokens := make([]string, judges)
	for i := range judges {
		name := fmt.Sprintf("benchJudge%02d", i)
		u, err := f.svc.CreateUser(f.ctx, admin, workflow.NewUser{Email: name + "@test.example", Name: name, Password: "password-of-" + name,
			Role: workflow.RoleJudge, Domain: "mic"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.svc.SetPanelMember(f.ctx, admin, top100, workflow.PanelMember{UserID: u.ID, Role: workflow.RoleJudge}); err != nil {
			b.Fatal(err)
		}
		ids[i], tokens[i] = u.ID, f.login(name)
	}
	if err := dbtest.SeedStage(f.ctx, f.db, dbtest.Stage{Ref: top100, Ministry: "mic", Tier: "pioneer", Entries: entries, Judges: ids, K: 3,
		At: f.clock.Now()}); err != nil {
		b.Fatal(err)
	}
	// Each judge scores the first entry of its own list.
	paths := make([]string, judges)
	for i, id := range ids {
		judge := workflow.Actor{ID: fmt.Sprintf("user:%d", id), UserID: id, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
		list, _, err := f.svc.Entries(f.ctx, judge, top100, workflow.Page{Limit: 200})
		if err != nil || len(list) == 0 {
			b.Fatal(len(list), err)
		}
		paths[i] = fmt.Sprintf("%s/entries/%d/score", stagePath, list[0].Nomination.ID)
	}
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	// The audit sealer runs beside the requests every second, as in serve.
	stopSealer, sealerDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sealerDone)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopSealer:
				return
			case <-tick.C:
				if _, err := db.NewStore(f.db).SealAudit(f.ctx); err != nil {
					b.Error(err)
				}
			}
		}
	}()
	defer func() { close(stopSealer); <-sealerDone }()
	pgb := newPgbench(b, f)
	stmts := &statementCount{}
	f.db.Bun = f.db.Bun.WithQueryHook(stmts) // the store reads f.db.Bun at each statement
	versions := make([]int, judges)          // each judge's score version, across runs
	for _, clients := range []int{1, 8, 32} {
		tps := pgb.run(b, clients) // the comparison, in the same run
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			stmts.n.Store(0)
			defer func() {
				b.ReportMetric(float64(stmts.n.Load())/float64(b.N), "stmts/req")
				b.ReportMetric(tps, "pgbench_tps")
			}()
			loadN(b, clients, func(c, n int) *http.Request {
				body := fmt.Sprintf(`{"values":{"adoption":%d,"management":3},"comment":"ベンチ"}`, 1+(n+2)%5)
				r, _ := http.NewRequest("PUT", srv.URL+paths[c], strings.NewReader(body))
				r.Header.Set("Authorization", "Bearer "+tokens[c])
				r.Header.Set("Content-Type", "application/json")
				if versions[c] > 0 {
					r.Header.Set("If-Match", fmt.Sprintf(`"%d"`, versions[c]))
				}
				versions[c]++ // one client's requests are sequential; the save succeeds or the benchmark fails
				return r
			})
		})
	}
}

// statementCount counts the statements bun sends, BEGIN and COMMIT included.
type statementCount struct{ n atomic.Int64 }

func (s *statementCount) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	s.n.Add(1)
	return ctx
}

func (s *statementCount) AfterQuery(context.Context, *bun.QueryEvent) {}

// pgbenchScript is the floor BenchmarkScorePut is compared with: a
// transaction inserting a score event and its audit entry, the rows a score
// save writes, into copies of score_events and audit_pending (their indexes
// included) on the benchmark's database, with nothing read or checked.
const pgbenchScript = `\set n random(1, 5000)
\set u random(1, 32)
BEGIN;
INSERT INTO pgbench_score_events (cycle_key, programme_key, stage_key, nomination_id, user_id, actor_id, status, vals, comment, version, at, kind) VALUES ('fy2026-telework', 'mic-pioneer', 'top100', :n, :u, 'user:' || :u, 'draft', '{"adoption":"3","management":"3"}', 'ベンチ', 1, now(), 'save');
INSERT INTO pgbench_audit_pending (cycle_key, programme_key, kind, nomination_id, ref_id, payload, at, content_hash) VALUES ('fy2026-telework', 'mic-pioneer', 'score_event', :n, currval('score_events_id_seq'), '{"stage":"top100","user_id":' || :u || ',"status":"draft","values":{"adoption":"3","management":"3"},"comment":"ベンチ","version":1}', now(), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
END;
`

// pgbench runs pgbenchScript against a fixture's PostgreSQL database.
type pgbench struct {
	dsn, script string
}

// newPgbench creates pgbench's tables; it skips the benchmark when pgbench
// is not installed.
func newPgbench(b *testing.B, f *fixture) *pgbench {
	b.Helper()
	if _, err := exec.LookPath("pgbench"); err != nil {
		b.Skip("pgbench is not installed: BenchmarkScorePut compares with it")
	}
	for _, q := range []string{
		"CREATE TABLE pgbench_score_events (LIKE score_events INCLUDING ALL)",
		"CREATE TABLE pgbench_audit_pending (LIKE audit_pending INCLUDING ALL)",
	} {
		if _, err := f.db.Bun.ExecContext(f.ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	var name string
	if err := f.db.Bun.QueryRowContext(f.ctx, "SELECT current_database()").Scan(&name); err != nil {
		b.Fatal(err)
	}
	u, err := url.Parse(dbtest.PostgresDSN())
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	script := filepath.Join(b.TempDir(), "score.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript), 0o600); err != nil {
		b.Fatal(err)
	}
	return &pgbench{dsn: u.String(), script: script}
}

// run runs the script from the given number of clients for 3 s and returns
// the transactions per second.
func (p *pgbench) run(b *testing.B, clients int) float64 {
	b.Helper()
	out, err := exec.Command("pgbench", "-n", "-f", p.script, "-c", fmt.Sprint(clients), "-j", fmt.Sprint(min(clients, 2)), "-T", "3", p.dsn).CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("pgbench printed no tps:\n%s", out)
	}
	tps, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		b.Fatal(err)
	}
	return tps
}
