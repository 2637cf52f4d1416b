package db_test

import (
	"fmt"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// TestBulkActVersions: a bulk action confirmed at given versions applies
// only if none has moved on; a stale one blocks all (Conflict, named), and
// another ministry's nomination is refused as missing before its version
// is looked at.
func TestBulkActVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var want []workflow.Expect
		for i := range 5 {
			n, _ := e.submitted(t, fmt.Sprintf("株式会社版確認%02d", i))
			want = append(want, workflow.Expect{ID: n.ID, Version: n.Version})
		}
		moved := e.step(t, micStaff, workflow.Nomination{ID: want[2].ID, Version: want[2].Version}, workflow.StartScreening, workflow.Input{})
		due := e.clock.Now().AddDate(0, 0, 14)
		in := workflow.Input{Reason: "添付の不足", Due: &due}
		cases := []struct {
			name  string
			actor workflow.Actor
			want  []workflow.Expect
			code  workflow.Code
			path  string
		}{
			{"stale", micStaff, want, workflow.Conflict, fmt.Sprintf("nominations[%d]", want[2].ID)},
			{"other ministry", mhlwStaff, []workflow.Expect{want[0], want[1]}, workflow.NotFound, fmt.Sprintf("nominations[%d]", want[0].ID)},
			{"other ministry with a stale version", mhlwStaff, []workflow.Expect{{ID: want[0].ID, Version: 99}, want[1]}, workflow.NotFound, fmt.Sprintf("nominations[%d]", want[0].ID)},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.BulkAct(e.ctx, tc.actor, tc.want, workflow.Return, in)
				wantCode(t, err, tc.code)
				ps := workflow.ErrorProblems(err)
				if len(ps) == 0 || ps[0].Path != tc.path {
					t.Fatalf("problems = %v, want the first at %s", ps, tc.path)
				}
				for _, w := range want {
					v, err := e.svc.Nomination(e.ctx, micStaff, w.ID)
					if err != nil {
						t.Fatal(err)
					}
					if v.Nomination.State == workflow.Returned {
						t.Fatalf("nomination %d was returned by a refused bulk action", w.ID)
					}
				}
			})
		}
		want[2].Version = moved.Version
		out, err := e.svc.BulkAct(e.ctx, micStaff, want, workflow.Return, in)
		if err != nil || len(out) != len(want) {
			t.Fatalf("fresh versions: %d returned, %v", len(out), err)
		}
	})
}

// TestNominationsHeadcountBand: the size filter keeps the organisations
// whose regular headcount is in the band, bounds inclusive.
func TestNominationsHeadcountBand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		byHeadcount := map[int]int64{}
		for _, hc := range []int{5, 100, 301} {
			o, applicant := e.org(t, fmt.Sprintf("株式会社規模%d", hc))
			o.RegularHeadcount, o.TotalHeadcount = hc, hc
			if _, err := e.svc.UpdateOrganisation(e.ctx, admin, o, o.Version); err != nil {
				t.Fatal(err)
			}
			n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
			if err != nil {
				t.Fatal(err)
			}
			byHeadcount[hc] = n.ID
		}
		cases := []struct {
			min, max int
			want     []int
			code     workflow.Code
		}{
			{0, 0, []int{301, 100, 5}, ""},
			{0, 100, []int{100, 5}, ""},
			{100, 0, []int{301, 100}, ""},
			{6, 300, []int{100}, ""},
			{101, 300, nil, ""},
			{10, 5, nil, workflow.Invalid},
			{-1, 0, nil, workflow.Invalid},
		}
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%d-%d", tc.min, tc.max), func(t *testing.T) {
				items, info, err := e.svc.Nominations(e.ctx, micStaff, workflow.NominationFilter{MinHeadcount: tc.min, MaxHeadcount: tc.max,
					Page: workflow.Page{Total: true}})
				if tc.code != "" {
					wantCode(t, err, tc.code)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, it := range items {
					got = append(got, it.Nomination.ID)
				}
				var ids []int64
				for _, hc := range tc.want {
					ids = append(ids, byHeadcount[hc])
				}
				if fmt.Sprint(got) != fmt.Sprint(ids) || *info.Total != len(ids) {
					t.Fatalf("got %v (total %d), want %v", got, *info.Total, ids)
				}
			})
		}
	})
}
