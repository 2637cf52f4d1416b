package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

var demoDay = time.Date(2026, 12, 10, 10, 0, 0, 0, workflow.Tokyo)

// The demo's chains are sound on both databases, and every programme has one.
func TestAuditOfTheDemo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		var out bytes.Buffer
		if _, err := demo.Load(context.Background(), d, demoDay, cliActor(env("USER", "tester")), &out); err != nil {
			t.Fatalf("demo: %v\n%s", err, out.String())
		}
		svc := workflow.NewService(db.NewStore(d), time.Now, workflow.WithAuthorizer(policy.MustNew()))
		rs, err := svc.VerifyAudit(t.Context(), cliActor(env()), "", "")
		if err != nil || len(rs) < 2 {
			t.Fatalf("verify: %v %v", rs, err)
		}
		for _, r := range rs {
			if len(r.Problems) > 0 || r.Entries == 0 {
				t.Errorf("%s/%s: %d entries, %v", r.Cycle, r.Programme, r.Entries, r.Problems)
			}
		}
	})
}

func TestAuditVerifyCommand(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "a.db")
	d, err := db.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	var loaded bytes.Buffer
	if _, err := demo.Load(t.Context(), d, demoDay, cliActor(env("USER", "tester")), &loaded); err != nil {
		t.Fatalf("demo: %v\n%s", err, loaded.String())
	}
	e := env("AWARDFLOW_DB", dsn)
	out, err := runCmd(t, e, "audit", "verify")
	if err != nil || !strings.Contains(out, "demo-telework/mic-pioneer: ok,") || strings.Contains(out, "BROKEN") {
		t.Fatalf("verify of the demo: %q, %v", out, err)
	}
	if _, err := d.Bun.ExecContext(t.Context(), `DELETE FROM audit_log WHERE programme_key = 'mic-pioneer' AND seq = 2`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	out, err = runCmd(t, e, "audit", "verify", "--cycle", "demo-telework", "--programme", "mic-pioneer")
	if err == nil || !strings.Contains(out, "first: entry 2 is missing") || !strings.Contains(err.Error(), "1 of 1 chains are broken") {
		t.Fatalf("verify after a deletion: %q, %v", out, err)
	}
	for _, args := range [][]string{{"audit"}, {"audit", "verify", "--cycle", "demo-telework"}} {
		if _, err := runCmd(t, e, args...); err == nil || !strings.Contains(err.Error(), "usage: awardflow audit verify") {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// serve's sealer chains committed entries every interval, and once more
// when stopped, so that no entry stays unsealed after a clean exit.
func TestSealerRunsAndSealsOnStop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		n := 0
		pending := func() int {
			t.Helper()
			c, err := d.Bun.NewSelect().Table("audit_pending").Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(c)
		}
		insert := func() {
			t.Helper()
			n++
			e := workflow.AuditEntry{Cycle: "c", Programme: "p", Kind: workflow.AuditHistory, NominationID: 1, RefID: int64(n),
				Payload: "x", At: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)}
			if _, err := d.Bun.ExecContext(ctx, `INSERT INTO audit_pending (cycle_key, programme_key, kind, nomination_id, ref_id, payload, at, content_hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.Cycle, e.Programme, e.Kind, e.NominationID, e.RefID, e.Payload, e.At, workflow.AuditContentHash(e)); err != nil {
				t.Fatal(err)
			}
		}
		logs := &bytes.Buffer{}
		logger := slog.New(slog.NewTextHandler(logs, nil))
		stop := runSealer(db.NewStore(d), logger, 10*time.Millisecond)
		insert()
		for deadline := time.Now().Add(5 * time.Second); pending() > 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the background sealer sealed nothing")
			}
		}
		stop()
		stop = runSealer(db.NewStore(d), logger, time.Hour)
		insert()
		stop()
		if p := pending(); p != 0 || logs.Len() != 0 {
			t.Fatalf("after stop: %d unsealed; log %s", p, logs)
		}
		var seq int64
		if err := d.Bun.NewSelect().Table("audit_heads").Column("seq").Where("programme_key = 'p'").Scan(ctx, &seq); err != nil || seq != 2 {
			t.Fatalf("head seq %d, %v", seq, err)
		}
	})
}
