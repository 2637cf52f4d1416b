package db_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// auditedEnv has two MIC entries at Top 100 (created, answers edited,
// submitted, screened, advanced) and a judge's draft and submitted score:
// history rows, answer edits and score events in mic-pioneer's chain.
func auditedEnv(t *testing.T, d *db.DB) *judgingEnv {
	t.Helper()
	je := newJudgingEnv(t, d, 2, 1)
	je.proposeAndApply(t)
	e := je.entries[0].ID
	sc, err := je.svc.SaveScore(je.ctx, je.judges[0], top100, e, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 4}, Comment: "途中\n改行"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := je.svc.SaveScore(je.ctx, je.judges[0], top100, e, sc.Version, workflow.ScoreInput{Values: fullScore, Submit: true}); err != nil {
		t.Fatal(err)
	}
	seal(t, d)
	return je
}

// seal runs the sealer once and returns how many entries it chained.
func seal(t testing.TB, d *db.DB) int {
	t.Helper()
	n, err := db.NewStore(d).SealAudit(t.Context())
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return n
}

func verifyMIC(t *testing.T, je *judgingEnv) workflow.AuditReport {
	t.Helper()
	rs, err := je.svc.VerifyAudit(je.ctx, admin, "fy2026-telework", "mic-pioneer")
	if err != nil || len(rs) != 1 {
		t.Fatalf("verify: %v %v", rs, err)
	}
	return rs[0]
}

// TestAuditChainsEveryScoreWrite: each way a score is written leaves its
// score event's entry in the chain, and the chain verifies. On PostgreSQL a
// judge's save writes the entry in the save's one statement with the event
// id its read took, and a reopening queues it for the end of the
// transaction; a save refused after the read only leaves a gap in the ids.
func TestAuditChainsEveryScoreWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes func(t *testing.T, je *judgingEnv, e int64)
	}{
		{"save and submit", func(*testing.T, *judgingEnv, int64) {}},
		{"reopen and correct", func(t *testing.T, je *judgingEnv, e int64) {
			sc, err := je.svc.ReopenScore(je.ctx, je.chair, top100, e, je.judges[0].UserID, "再確認")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := je.svc.SaveScore(je.ctx, je.judges[0], top100, e, sc.Version, workflow.ScoreInput{Values: fullScore, Comment: "訂正", Submit: true}); err != nil {
				t.Fatal(err)
			}
		}},
		{"refused saves between saves", func(t *testing.T, je *judgingEnv, e int64) {
			other := je.entries[1].ID
			_, err := je.svc.SaveScore(je.ctx, je.judges[0], top100, other, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 99}})
			wantCode(t, err, workflow.Invalid)
			_, err = je.svc.SaveScore(je.ctx, je.judges[0], top100, other, 4, workflow.ScoreInput{Values: map[string]any{"adoption": 3}})
			wantCode(t, err, workflow.Conflict)
			if _, err := je.svc.SaveScore(je.ctx, je.judges[0], top100, other, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 3}}); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				je := auditedEnv(t, d)
				tc.writes(t, je, je.entries[0].ID)
				seal(t, d)
				if r := verifyMIC(t, je); len(r.Problems) > 0 || r.Unsealed != 0 {
					t.Fatalf("verify: %+v", r)
				}
				var events, entries int
				if err := d.Bun.QueryRowContext(je.ctx, "SELECT COUNT(*) FROM score_events").Scan(&events); err != nil {
					t.Fatal(err)
				}
				if err := d.Bun.QueryRowContext(je.ctx, "SELECT COUNT(*) FROM audit_log WHERE kind = 'score_event'").Scan(&entries); err != nil {
					t.Fatal(err)
				}
				if events < 2 || entries != events {
					t.Errorf("%d score events, %d of them in the chain", events, entries)
				}
			})
		})
	}
}

func TestAuditVerifyNamesTheFirstBrokenEntry(t *testing.T) {
	lastSeq := "(SELECT MAX(seq) FROM audit_log WHERE programme_key = 'mic-pioneer')"
	for _, tc := range []struct {
		name string
		sql  []string
		// forge re-hashes an entry after editing its payload (a forger who knows the hash).
		forge int64
		// unsealed writes a score after sealing, so that its entry is
		// unsealed when tampered with; the problem must survive a sealing.
		unsealed bool
		wantPath string // of the first problem; "" for a sound chain
		wantCode string
	}{
		{name: "untouched"},
		{name: "entry payload edited", sql: []string{`UPDATE audit_log SET payload = REPLACE(payload, 'submit', 'withdraw') WHERE programme_key = 'mic-pioneer' AND seq = 3`},
			wantPath: "entries[3]", wantCode: "altered"},
		{name: "history row edited", sql: []string{`UPDATE nomination_history SET reason = '改ざん' WHERE id = (SELECT ref_id FROM audit_log WHERE programme_key = 'mic-pioneer' AND seq = 3 AND kind = 'history')`},
			wantPath: "history[", wantCode: "altered"},
		{name: "score event edited", sql: []string{`UPDATE score_events SET comment = '別の講評' WHERE id = (SELECT MAX(id) FROM score_events)`},
			wantPath: "score_event[", wantCode: "altered"},
		{name: "answer edit edited", sql: []string{`UPDATE answer_edits SET actor_name = '他人' WHERE id = (SELECT MIN(id) FROM answer_edits)`},
			wantPath: "answer_edit[", wantCode: "altered"},
		{name: "forged hash", sql: []string{`UPDATE audit_log SET hash = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' WHERE programme_key = 'mic-pioneer' AND seq = 3`},
			wantPath: "entries[3]", wantCode: "altered"},
		{name: "payload edited and re-hashed", forge: 3, wantPath: "entries[3]", wantCode: "altered"},
		{name: "middle entry deleted", sql: []string{`DELETE FROM audit_log WHERE programme_key = 'mic-pioneer' AND seq = 3`},
			wantPath: "entries[3]", wantCode: "missing"},
		{name: "newest entry deleted", sql: []string{`DELETE FROM audit_log WHERE programme_key = 'mic-pioneer' AND seq = ` + lastSeq},
			wantPath: "entries[", wantCode: "missing"},
		{name: "history row without entry", sql: []string{`INSERT INTO nomination_history (nomination_id, version, applicant_version, actor_id, actor_name, role, action, from_state, to_state, stage, tier, award, reason, at)
			SELECT nomination_id, version + 1, applicant_version, actor_id, actor_name, role, action, from_state, to_state, stage, tier, award, reason, at FROM nomination_history WHERE id = (SELECT MAX(id) FROM nomination_history)`},
			wantPath: "history[", wantCode: "unaudited"},
		{name: "score event without entry", sql: []string{`INSERT INTO score_events (cycle_key, programme_key, stage_key, nomination_id, user_id, actor_id, kind, reason, status, vals, comment, version, at, before_status, before_vals, before_comment)
			SELECT cycle_key, programme_key, stage_key, nomination_id, user_id, actor_id, kind, reason, status, vals, comment, version + 1, at, before_status, before_vals, before_comment FROM score_events WHERE id = (SELECT MAX(id) FROM score_events)`},
			wantPath: "score_event[", wantCode: "unaudited"},
		{name: "untouched, with unsealed entries", unsealed: true},
		{name: "unsealed entry payload edited", unsealed: true, sql: []string{`UPDATE audit_pending SET payload = REPLACE(payload, '"3"', '"5"')`},
			wantPath: "unsealed[", wantCode: "altered"},
		{name: "unsealed entry payload edited and re-hashed", unsealed: true, forge: -1, wantPath: "score_event[", wantCode: "altered"},
		{name: "unsealed entry deleted", unsealed: true, sql: []string{`DELETE FROM audit_pending`},
			wantPath: "score_event[", wantCode: "unaudited"},
		{name: "row of an unsealed entry edited", unsealed: true, sql: []string{`UPDATE score_events SET comment = '別の講評' WHERE id = (SELECT MAX(id) FROM score_events)`},
			wantPath: "score_event[", wantCode: "altered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				je := auditedEnv(t, d)
				before := verifyMIC(t, je)
				if len(before.Problems) != 0 || before.Entries < 10 || len(before.Head) != 64 {
					t.Fatalf("fresh chain: %d entries, head %q, problems %v", before.Entries, before.Head, before.Problems)
				}
				if tc.unsealed {
					if _, err := je.svc.SaveScore(je.ctx, je.judges[0], top100, je.entries[1].ID, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 3}}); err != nil {
						t.Fatal(err)
					}
					if r := verifyMIC(t, je); len(r.Problems) != 0 || r.Unsealed != 1 || r.Entries != before.Entries {
						t.Fatalf("with an unsealed entry: %+v", r)
					}
				}
				for _, q := range tc.sql {
					if _, err := d.Bun.ExecContext(je.ctx, q); err != nil {
						t.Fatal(err)
					}
				}
				switch {
				case tc.forge > 0:
					forge(t, je, d, tc.forge)
				case tc.forge < 0:
					forgeUnsealed(t, je, d)
				}
				check := func(r workflow.AuditReport) {
					t.Helper()
					if tc.wantPath == "" {
						if len(r.Problems) != 0 {
							t.Fatalf("problems in a sound chain: %v", r.Problems)
						}
						return
					}
					if len(r.Problems) == 0 {
						t.Fatal("verify found nothing")
					}
					first := r.Problems[0]
					if !strings.HasPrefix(first.Path, tc.wantPath) || first.Code != tc.wantCode || first.Message.Ja == "" {
						t.Fatalf("first problem = %+v, want %s… %s (all: %v)", first, tc.wantPath, tc.wantCode, r.Problems)
					}
				}
				r := verifyMIC(t, je)
				check(r)
				if tc.unsealed { // sealing neither hides the problem nor stops on a sound entry
					_, err := db.NewStore(d).SealAudit(je.ctx)
					if (err != nil) != (tc.wantPath == "unsealed[") {
						t.Fatalf("seal: %v", err)
					}
					check(verifyMIC(t, je))
				}
				if tc.name == "newest entry deleted" && r.Problems[0].Path != fmt.Sprintf("entries[%d]", before.Entries) {
					t.Fatalf("first problem = %+v, want entries[%d]", r.Problems[0], before.Entries)
				}
			})
		})
	}
}

// forge edits entry seq's payload and stores the hash that matches it: the
// entry checks by itself, but the next entry's link names it.
func forge(t *testing.T, je *judgingEnv, d *db.DB, seq int64) {
	t.Helper()
	var e workflow.AuditEntry
	err := d.Bun.NewSelect().Table("audit_log").Column("cycle_key", "programme_key", "seq", "prev_hash", "kind", "nomination_id", "ref_id", "payload", "at").
		Where("programme_key = 'mic-pioneer' AND seq = ?", seq).Scan(je.ctx, &e.Cycle, &e.Programme, &e.Seq, &e.PrevHash, &e.Kind, &e.NominationID, &e.RefID, &e.Payload, &e.At)
	if err != nil {
		t.Fatal(err)
	}
	e.Payload = strings.Replace(e.Payload, `reason=""`, `reason="forged"`, 1)
	if _, err := d.Bun.NewUpdate().Table("audit_log").Set("payload = ?", e.Payload).Set("hash = ?", workflow.AuditHash(e)).
		Where("programme_key = 'mic-pioneer' AND seq = ?", seq).Exec(je.ctx); err != nil {
		t.Fatal(err)
	}
}

// forgeUnsealed edits the unsealed entry's payload and stores the content
// hash that matches it: the entry checks by itself, but its row names it.
func forgeUnsealed(t *testing.T, je *judgingEnv, d *db.DB) {
	t.Helper()
	var e workflow.AuditEntry
	err := d.Bun.NewSelect().Table("audit_pending").Column("id", "cycle_key", "programme_key", "kind", "nomination_id", "ref_id", "payload", "at").
		Scan(je.ctx, &e.ID, &e.Cycle, &e.Programme, &e.Kind, &e.NominationID, &e.RefID, &e.Payload, &e.At)
	if err != nil {
		t.Fatal(err)
	}
	e.Payload = strings.Replace(e.Payload, `reason=""`, `reason="forged"`, 1)
	if _, err := d.Bun.NewUpdate().Table("audit_pending").Set("payload = ?", e.Payload).Set("content_hash = ?", workflow.AuditContentHash(e)).
		Where("id = ?", e.ID).Exec(je.ctx); err != nil {
		t.Fatal(err)
	}
}

func TestAnswerHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		o, applicant := e.org(t, "株式会社回答履歴")
		n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		if n, err = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, map[string]any{"initiative_title": "初版", "teleworkers": 60}); err != nil {
			t.Fatal(err)
		}
		if _, err = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, map[string]any{"initiative_title": "第二版", "teleworkers": nil}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			actor workflow.Actor
			code  workflow.Code
		}{
			{"own applicant", applicant, ""},
			{"ministry staff", micStaff, ""},
			{"other ministry", mhlwStaff, workflow.NotFound},
			{"other applicant", applicantOf("他社", o.ID+1000), workflow.NotFound},
		} {
			es, err := e.svc.AnswerHistory(e.ctx, tc.actor, n.ID)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				continue
			}
			if err != nil || len(es) != 2 {
				t.Fatalf("%s: %v %v", tc.name, es, err)
			}
			got := map[string]string{}
			for _, c := range es[1].Changes {
				got[c.Field] = string(c.Before) + "→" + string(c.After)
			}
			want := map[string]string{"initiative_title": `"初版"→"第二版"`, "teleworkers": "60→null"}
			if fmt.Sprint(got) != fmt.Sprint(want) || es[1].ActorID != applicant.ID || es[1].Version != 3 {
				t.Fatalf("%s: second edit = %+v", tc.name, es[1])
			}
			if !json.Valid(es[0].Changes[0].After) {
				t.Fatalf("%s: before/after not JSON: %+v", tc.name, es[0])
			}
		}
	})
}

// Concurrent score saves of one programme beside two sealers (two stores,
// so separate transactions on separate connections): every entry lands in
// the chain exactly once, in a sound order, and verify accepts what is
// still unsealed meanwhile.
func TestAuditConcurrentAppends(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 4, 1)
		je.proposeAndApply(t)
		seal(t, d)
		base := verifyMIC(t, je)
		if len(base.Problems) != 0 || base.Unsealed != 0 {
			t.Fatalf("before: %+v", base)
		}
		var wg, sealers sync.WaitGroup
		errs := make(chan error, 64)
		stop := make(chan struct{})
		var mu sync.Mutex
		sealed := 0
		for range 2 {
			sealers.Add(1)
			go func() {
				defer sealers.Done()
				st := db.NewStore(d)
				for {
					n, err := st.SealAudit(je.ctx)
					mu.Lock()
					sealed += n
					mu.Unlock()
					if err != nil {
						errs <- err
						return
					}
					select {
					case <-stop:
						return
					default:
					}
				}
			}()
		}
		for _, n := range je.entries {
			wg.Add(3)
			go func() {
				defer wg.Done()
				sc, err := je.svc.SaveScore(je.ctx, je.judges[0], top100, n.ID, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 3}})
				if err == nil {
					_, err = je.svc.SaveScore(je.ctx, je.judges[0], top100, n.ID, sc.Version, workflow.ScoreInput{Values: fullScore, Submit: true})
				}
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, err := je.svc.History(je.ctx, micStaff, n.ID) // a reader beside the writers
				errs <- err
			}()
			go func() {
				defer wg.Done()
				rs, err := je.svc.VerifyAudit(je.ctx, admin, "fy2026-telework", "mic-pioneer") // a verifier beside writers and sealers
				if err == nil && (len(rs) != 1 || len(rs[0].Problems) != 0) {
					err = fmt.Errorf("problems while writing and sealing: %+v", rs)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(stop)
		sealers.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		sealed += seal(t, d)
		r := verifyMIC(t, je)
		if len(r.Problems) != 0 || r.Unsealed != 0 {
			t.Fatalf("after concurrent appends and seals: %+v", r)
		}
		// 2 score events per entry, each sealed once, by one sealer or the other.
		if want := len(je.entries) * 2; r.Entries-base.Entries != want || sealed != want {
			t.Fatalf("%d entries added, %d sealed, want %d", r.Entries-base.Entries, sealed, want)
		}
	})
}

// A bulk transition's history rows (one multi-row insert) each get the
// entry of their own row.
func TestAuditBulkTransition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var ids []int64
		for i := range 5 {
			n, _ := e.submitted(t, fmt.Sprintf("株式会社一括%02d", i))
			ids = append(ids, n.ID)
		}
		if _, err := e.svc.BulkTransition(e.ctx, micStaff, ids, workflow.StartScreening, workflow.Input{}); err != nil {
			t.Fatal(err)
		}
		rs, err := e.svc.VerifyAudit(e.ctx, admin, "fy2026-telework", "mic-pioneer")
		if err != nil || len(rs) != 1 || len(rs[0].Problems) != 0 || rs[0].Entries+rs[0].Unsealed != 5*4 || rs[0].Unsealed == 0 {
			t.Fatalf("verify before sealing: %+v %v", rs, err)
		}
		if n := seal(t, d); n != rs[0].Unsealed {
			t.Fatalf("sealed %d of %d", n, rs[0].Unsealed)
		}
		rs, err = e.svc.VerifyAudit(e.ctx, admin, "fy2026-telework", "mic-pioneer")
		if err != nil || len(rs) != 1 || len(rs[0].Problems) != 0 || rs[0].Entries != 5*4 || rs[0].Unsealed != 0 {
			t.Fatalf("verify after sealing: %+v %v", rs, err)
		}
	})
}
