package db_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// reads counts what the service read through a store: rows of the
// whole-stage reads, rows of one judge's reads, and cycle definitions
// decoded.
type reads struct {
	mu                        sync.Mutex
	stage, judge, cycleDecode int
}

func (r *reads) add(p *int, n int) { r.mu.Lock(); *p += n; r.mu.Unlock() }

func (r *reads) take() (stage, judge, decoded int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	stage, judge, decoded = r.stage, r.judge, r.cycleDecode
	r.stage, r.judge, r.cycleDecode = 0, 0, 0
	return
}

// statements counts the statements sent to the database, BEGIN and
// COMMIT included.
type statements struct{ n atomic.Int64 }

func (c *statements) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (c *statements) AfterQuery(context.Context, *bun.QueryEvent)                        { c.n.Add(1) }

type countingStore struct {
	workflow.Store
	r *reads
}

func (s countingStore) InTx(ctx context.Context, fn func(workflow.Tx) error) error {
	return s.Store.InTx(ctx, func(tx workflow.Tx) error { return fn(countingTx{tx, s.r}) })
}

func (s countingStore) Read(ctx context.Context, fn func(workflow.Tx) error) error {
	return s.Store.Read(ctx, func(tx workflow.Tx) error { return fn(countingTx{tx, s.r}) })
}

type countingTx struct {
	workflow.Tx
	r *reads
}

func (t countingTx) StageEntries(ctx context.Context, s workflow.StageRef) ([]workflow.Nomination, error) {
	out, err := t.Tx.StageEntries(ctx, s)
	t.r.add(&t.r.stage, len(out))
	return out, err
}

func (t countingTx) Assignments(ctx context.Context, s workflow.StageRef) ([]workflow.Assignment, error) {
	out, err := t.Tx.Assignments(ctx, s)
	t.r.add(&t.r.stage, len(out))
	return out, err
}

func (t countingTx) Scores(ctx context.Context, s workflow.StageRef) ([]workflow.Score, error) {
	out, err := t.Tx.Scores(ctx, s)
	t.r.add(&t.r.stage, len(out))
	return out, err
}

func (t countingTx) PanelMembers(ctx context.Context, s workflow.StageRef) ([]workflow.PanelMember, error) {
	out, err := t.Tx.PanelMembers(ctx, s)
	t.r.add(&t.r.stage, len(out))
	return out, err
}

func (t countingTx) JudgeEntries(ctx context.Context, s workflow.StageRef, userID int64) ([]workflow.Nomination, error) {
	out, err := t.Tx.JudgeEntries(ctx, s, userID)
	t.r.add(&t.r.judge, len(out))
	return out, err
}

func (t countingTx) JudgeScores(ctx context.Context, s workflow.StageRef, userID int64) ([]workflow.Score, error) {
	out, err := t.Tx.JudgeScores(ctx, s, userID)
	t.r.add(&t.r.judge, len(out))
	return out, err
}

func (t countingTx) LatestCycle(ctx context.Context, key string) (workflow.CycleVersion, error) {
	t.r.add(&t.r.cycleDecode, 1)
	return t.Tx.LatestCycle(ctx, key)
}

func (t countingTx) CycleVersion(ctx context.Context, key string, version int) (workflow.CycleVersion, error) {
	t.r.add(&t.r.cycleDecode, 1)
	return t.Tx.CycleVersion(ctx, key, version)
}

// saveStmts is the most statements a judge's save sends.
var saveStmts = map[db.Dialect]int64{db.SQLite: 6, db.Postgres: 4}

// TestJudgingReadsOneEntry: saving, reading and recusing one entry's score,
// and a judge's list, read no whole-stage rows (the list reads the judge's
// own assignments and scores), and the cycle definition is decoded once
// per service, not on every request. Before issue 9 each of them read
// every entry, assignment and score of the stage and decoded the cycle.
func TestJudgingReadsOneEntry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 12, 5)
		je.proposeAndApply(t)
		r := &reads{}
		svc := workflow.NewService(countingStore{db.NewStore(d), r}, je.clock.Now, workflow.WithAuthorizer(policy.MustNew()))
		judge := je.judges[0]
		mine := je.assignedTo(t, judge)
		if len(mine) < 2 {
			t.Fatalf("judge 0 has %d entries", len(mine))
		}
		id := mine[0]
		if _, err := svc.Entry(je.ctx, judge, top100, id); err != nil { // warms the service's cycle cache
			t.Fatal(err)
		}
		r.take()
		stmts := &statements{}
		d.Bun = d.Bun.WithQueryHook(stmts) // the store reads d.Bun at each statement
		for _, c := range []struct {
			name     string
			call     func() error
			maxStmts map[db.Dialect]int64 // nil: not counted
		}{
			{"entry", func() error { _, err := svc.Entry(je.ctx, judge, top100, id); return err }, nil},
			// A save is BEGIN, one statement reading the cycle's version, the
			// assignment, the entry and the score (the judge has no ties and
			// the windows no changes to read; on PostgreSQL it takes the score
			// event's id too), then on PostgreSQL one statement writing the
			// score, its event and the event's audit entry (SQLite: one
			// statement each), COMMIT. Before issue 9 it read the version,
			// the window changes, the entry, the ties and the score in five
			// statements: 10 in all; until the one write, 6 on both.
			{"save", func() error {
				_, err := svc.SaveScore(je.ctx, judge, top100, id, 0, workflow.ScoreInput{Values: fullScore})
				return err
			}, saveStmts},
			{"submit", func() error {
				_, err := svc.SaveScore(je.ctx, judge, top100, id, 1, workflow.ScoreInput{Values: fullScore, Submit: true})
				return err
			}, saveStmts},
			{"scores", func() error { _, err := svc.EntryScores(je.ctx, judge, top100, id); return err }, nil},
			{"reopen", func() error {
				_, err := svc.ReopenScore(je.ctx, je.chair, top100, id, judge.UserID, "再確認")
				return err
			}, nil},
			{"history", func() error { _, err := svc.ScoreHistory(je.ctx, je.chair, top100, id); return err }, nil},
			{"recuse", func() error { return svc.Recuse(je.ctx, judge, top100, mine[1], "取引先") }, nil},
			{"list", func() error {
				list, _, err := svc.Entries(je.ctx, judge, top100, workflow.Page{Limit: 200})
				if err == nil && len(list) != len(mine)-1 {
					t.Errorf("list: %d entries, want %d", len(list), len(mine)-1)
				}
				return err
			}, nil},
		} {
			stmts.n.Store(0)
			if err := c.call(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if n, most := stmts.n.Load(), c.maxStmts[d.Dialect]; c.maxStmts != nil && (n == 0 || n > most) {
				t.Errorf("%s sent %d statements, want 1 to %d", c.name, n, most)
			}
			stage, judgeRows, decoded := r.take()
			if stage != 0 || decoded != 0 {
				t.Errorf("%s read %d whole-stage rows and decoded the cycle %d times; want none", c.name, stage, decoded)
			}
			if judgeRows > 2*len(mine) {
				t.Errorf("%s read %d rows of the judge's, who has %d entries", c.name, judgeRows, len(mine))
			}
		}
	})
}

// TestOneEntryConflictsAgreeWithStage: the one-entry checks (entry,
// scores, save), the judge's list and the secretariat's whole-stage
// conflict list apply one rule: for every judge and entry, the entry is
// visible to the judge exactly when the judge is actively assigned to it
// and the stage's conflict list does not name the pair. Conflicts of every
// source are declared after the assignments were made.
func TestOneEntryConflictsAgreeWithStage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 12, 5)
		je.proposeAndApply(t)
		assigned := map[int64][]int64{}
		for _, j := range je.judges {
			assigned[j.UserID] = je.assignedTo(t, j)
		}
		entry := func(id int64) workflow.Nomination {
			i := slices.IndexFunc(je.entries, func(n workflow.Nomination) bool { return n.ID == id })
			return je.entries[i]
		}
		first := func(j workflow.Actor) workflow.Nomination { return entry(assigned[j.UserID][0]) }
		declare := func(j workflow.Actor, a workflow.Affiliation) {
			if _, err := je.svc.DeclareAffiliation(je.ctx, j, a); err != nil {
				t.Fatal(err)
			}
		}
		declare(je.judges[0], workflow.Affiliation{OrganisationID: first(je.judges[0]).OrganisationID})
		declare(je.judges[1], workflow.Affiliation{Name: "  " + first(je.judges[1]).Snapshot.Name + " "}) // compared by name key
		if _, err := je.svc.DeclareConflict(je.ctx, je.judges[2], first(je.judges[2]).OrganisationID, "元顧問"); err != nil {
			t.Fatal(err)
		}
		if err := je.svc.Recuse(je.ctx, je.judges[3], top100, first(je.judges[3]).ID, "取引先"); err != nil {
			t.Fatal(err)
		}
		declare(je.judges[4], workflow.Affiliation{CorporateNumber: first(je.judges[4]).Snapshot.CorporateNumber})

		cs, err := je.svc.Conflicts(je.ctx, micStaff, top100)
		if err != nil {
			t.Fatal(err)
		}
		conflicted := map[[2]int64]string{}
		for _, c := range cs {
			conflicted[[2]int64{c.UserID, c.NominationID}] = c.Source
		}
		sources := map[string]bool{}
		for _, j := range je.judges {
			sources[conflicted[[2]int64{j.UserID, first(j).ID}]] = true
		}
		for _, s := range []string{workflow.SourceAffiliation, workflow.SourceName, workflow.SourceDeclared, workflow.SourceRecusal, workflow.SourceCorporateNumber} {
			if !sources[s] {
				t.Fatalf("no %s conflict among %v", s, cs)
			}
		}
		for _, j := range je.judges {
			list, _, err := je.svc.Entries(je.ctx, j, top100, workflow.Page{Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			listed := map[int64]bool{}
			for _, se := range list {
				listed[se.Nomination.ID] = true
			}
			for _, n := range je.entries {
				_, isConflicted := conflicted[[2]int64{j.UserID, n.ID}]
				want := slices.Contains(assigned[j.UserID], n.ID) && !isConflicted
				_, errEntry := je.svc.Entry(je.ctx, j, top100, n.ID)
				_, errScores := je.svc.EntryScores(je.ctx, j, top100, n.ID)
				_, errSave := je.svc.SaveScore(je.ctx, j, top100, n.ID, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 3}})
				for what, err := range map[string]error{"entry": errEntry, "scores": errScores, "save": errSave} {
					if got := err == nil; got != want {
						t.Errorf("judge %d, entry %d: %s visible = %v (%v), want %v (conflict %q)", j.UserID, n.ID, what, got, err, want,
							conflicted[[2]int64{j.UserID, n.ID}])
					} else if !want {
						wantCode(t, err, workflow.NotFound)
					}
				}
				if listed[n.ID] != want {
					t.Errorf("judge %d, entry %d: listed = %v, want %v", j.UserID, n.ID, listed[n.ID], want)
				}
			}
		}
	})
}

// TestDeclaringAConflictReleasesTheAssignment: a judge who declares a
// conflict or an affiliation after assignment is taken off the entries it
// now conflicts with, in the same transaction, so the secretariat sees the
// entry short of a judge instead of waiting for a score nobody may give.
// Before, the assignment stayed active: listed, counted in progress and
// warned about as a missing score, while the judge got 404 for the entry.
func TestDeclaringAConflictReleasesTheAssignment(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 12, 5)
		je.proposeAndApply(t)
		entry := func(id int64) workflow.Nomination {
			return je.entries[slices.IndexFunc(je.entries, func(n workflow.Nomination) bool { return n.ID == id })]
		}
		for i, declare := range []func(j workflow.Actor, n workflow.Nomination) error{
			func(j workflow.Actor, n workflow.Nomination) error {
				_, err := je.svc.DeclareConflict(je.ctx, j, n.OrganisationID, "元顧問")
				return err
			},
			func(j workflow.Actor, n workflow.Nomination) error {
				_, err := je.svc.DeclareAffiliation(je.ctx, j, workflow.Affiliation{Name: "株式会社 " + n.Snapshot.Name})
				return err
			},
			func(j workflow.Actor, n workflow.Nomination) error {
				_, err := je.svc.DeclareAffiliation(je.ctx, j, workflow.Affiliation{OrganisationID: n.OrganisationID})
				return err
			},
		} {
			j := je.judges[i]
			before := je.assignedTo(t, j)
			n := entry(before[0])
			if err := declare(j, n); err != nil {
				t.Fatal(err)
			}
			after := je.assignedTo(t, j)
			if slices.Contains(after, n.ID) || len(after) != len(before)-1 {
				t.Errorf("judge %d after declaring a conflict with entry %d: assigned %v, before %v", j.UserID, n.ID, after, before)
			}
			as, err := je.svc.Assignments(je.ctx, micStaff, top100)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				if a.UserID == j.UserID && a.NominationID == n.ID && a.Active() {
					t.Errorf("the secretariat still sees judge %d actively assigned to entry %d", j.UserID, n.ID)
				}
			}
		}
	})
}
