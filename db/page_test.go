package db_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// mustPage is must for a page of a list.
func mustPage[T any](items []T, _ workflow.PageInfo, err error) []T {
	if err != nil {
		panic(err)
	}
	return items
}

// walk reads a list page by page, limit rows at a time, following
// next_cursor; between pages it calls between (to change the data under the
// walk). It returns the ids in the order read and the first page's info.
func walk[T any](t *testing.T, limit int, read func(workflow.Page) ([]T, workflow.PageInfo, error), id func(T) int64,
	between func()) ([]int64, workflow.PageInfo) {
	t.Helper()
	var (
		ids   []int64
		first workflow.PageInfo
	)
	p := workflow.Page{Limit: limit, Total: true}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the walk does not end")
		}
		items, info, err := read(p)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		if pages == 0 {
			first = info
		}
		if len(items) > limit {
			t.Fatalf("page %d has %d rows, limit %d", pages+1, len(items), limit)
		}
		for _, it := range items {
			ids = append(ids, id(it))
		}
		if info.NextCursor == "" {
			return ids, first
		}
		if len(items) != limit {
			t.Fatalf("page %d has %d rows and a next cursor", pages+1, len(items))
		}
		if between != nil {
			between()
		}
		p = workflow.Page{Limit: limit, Cursor: info.NextCursor}
	}
}

// onceEach fails unless ids are strictly ordered (so none repeats) and hold
// every id of want.
func onceEach(t *testing.T, what string, ids, want []int64, descending bool) {
	t.Helper()
	for i := 1; i < len(ids); i++ {
		if descending && ids[i] >= ids[i-1] || !descending && ids[i] <= ids[i-1] {
			t.Fatalf("%s: row %d (id %d) after id %d: out of order or repeated: %v", what, i, ids[i], ids[i-1], ids)
		}
	}
	for _, id := range want {
		if !slices.Contains(ids, id) {
			t.Fatalf("%s: id %d was there before the walk and was skipped: %v", what, id, ids)
		}
	}
}

// TestListsWalkEveryRowOnce (issue 9, lists): reading the nomination,
// organisation and user lists page by page, while other requests insert
// rows and move nominations between pages and concurrently, returns every
// row that was there before exactly once, in order. (Offset paging
// repeats a row whenever one is inserted ahead of the page.)
func TestListsWalkEveryRowOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var noms, orgs, users []int64
		for i := range 17 {
			n, _ := e.submitted(t, fmt.Sprintf("株式会社頁%02d", i))
			noms, orgs = append(noms, n.ID), append(orgs, n.OrganisationID)
		}
		newUser := func(name string) int64 {
			u, err := e.svc.CreateUser(e.ctx, admin, workflow.NewUser{Email: name + "@pages.example", Name: name,
				Password: "long enough password", Role: workflow.RoleJudge, Domain: "mic"})
			if err != nil {
				t.Error(err)
			}
			return u.ID
		}
		for i := range 9 {
			users = append(users, newUser(fmt.Sprintf("user%02d", i)))
		}

		// Concurrent inserts all along, and one more before each page.
		stop, done := make(chan struct{}), make(chan struct{})
		var mu sync.Mutex
		inserted := 0
		insert := func() {
			mu.Lock()
			inserted++
			k := inserted
			mu.Unlock()
			name := fmt.Sprintf("株式会社追加%03d", k)
			o, err := e.svc.CreateOrganisation(e.ctx, admin, workflow.Organisation{Name: name, NameKana: "ツイカ",
				LegalForm: "kabushiki_kaisha", Prefecture: "13", Municipality: "千代田区", Industry: "G", SMESector: workflow.SectorServices, TotalHeadcount: 10, RegularHeadcount: 10})
			if err == nil {
				_, err = e.svc.CreateNomination(e.ctx, applicantOf(name, o.ID), o.ID, "fy2026-telework", "mic-pioneer")
			}
			if err != nil {
				t.Error(err)
			}
			newUser(fmt.Sprintf("added%03d", k))
		}
		go func() { // concurrent inserts, a bounded number so that the ascending walks end
			defer close(done)
			for range 25 {
				select {
				case <-stop:
					return
				default:
					insert()
				}
			}
		}()
		moved := 0
		between := func() {
			insert()
			if moved < len(noms) { // a nomination changes state under the walk
				n := e.nominationAsStaff(t, noms[moved])
				e.step(t, micStaff, n, workflow.StartScreening, workflow.Input{})
				moved++
			}
		}

		ids, first := walk(t, 4, func(p workflow.Page) ([]workflow.NominationItem, workflow.PageInfo, error) {
			return e.svc.Nominations(e.ctx, admin, workflow.NominationFilter{Page: p})
		}, func(it workflow.NominationItem) int64 { return it.Nomination.ID }, between)
		onceEach(t, "nominations", ids, noms, true)
		if first.Total == nil || *first.Total < len(noms) || first.Limit != 4 {
			t.Fatalf("first page: total %v, limit %d", first.Total, first.Limit)
		}
		ids, _ = walk(t, 3, func(p workflow.Page) ([]workflow.NominationItem, workflow.PageInfo, error) {
			return e.svc.Nominations(e.ctx, micStaff, workflow.NominationFilter{Page: p})
		}, func(it workflow.NominationItem) int64 { return it.Nomination.ID }, between)
		onceEach(t, "a secretariat's nominations", ids, noms, true)
		ids, _ = walk(t, 5, func(p workflow.Page) ([]workflow.Organisation, workflow.PageInfo, error) {
			return e.svc.Organisations(e.ctx, micStaff, workflow.OrganisationFilter{Page: p})
		}, func(o workflow.Organisation) int64 { return o.ID }, between)
		onceEach(t, "organisations", ids, orgs, false)
		ids, _ = walk(t, 2, func(p workflow.Page) ([]workflow.User, workflow.PageInfo, error) {
			return e.svc.Users(e.ctx, micStaff, workflow.UserFilter{Page: p})
		}, func(u workflow.User) int64 { return u.ID }, between)
		onceEach(t, "users", ids, users, false)
		close(stop)
		<-done
		if inserted < 10 {
			t.Fatalf("only %d inserts ran during the walks", inserted)
		}
	})
}

// TestListCursorsWithFilters (issue 9, lists): a cursor continues the
// filtered list it came from, and only that one.
func TestListCursorsWithFilters(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var screening []int64
		for i := range 9 {
			n, _ := e.submitted(t, fmt.Sprintf("株式会社絞%02d", i))
			if i%2 == 0 {
				e.step(t, micStaff, n, workflow.StartScreening, workflow.Input{})
				screening = append(screening, n.ID)
			}
		}
		slices.Reverse(screening)
		f := workflow.NominationFilter{State: workflow.Screening, Programme: "mic-pioneer"}
		ids, first := walk(t, 2, func(p workflow.Page) ([]workflow.NominationItem, workflow.PageInfo, error) {
			f := f
			f.Page = p
			return e.svc.Nominations(e.ctx, micStaff, f)
		}, func(it workflow.NominationItem) int64 { return it.Nomination.ID }, nil)
		if !slices.Equal(ids, screening) || *first.Total != len(screening) {
			t.Fatalf("screening nominations by pages: %v (total %d), want %v", ids, *first.Total, screening)
		}
		f.Page = workflow.Page{Limit: 2}
		_, info, err := e.svc.Nominations(e.ctx, micStaff, f)
		if err != nil || info.NextCursor == "" {
			t.Fatal(info, err)
		}
		for _, tc := range []struct {
			name string
			read func(cursor string) error
			code string
		}{
			{"the same filters", func(c string) error {
				f := f
				f.Page = workflow.Page{Cursor: c}
				_, _, err := e.svc.Nominations(e.ctx, micStaff, f)
				return err
			}, ""},
			{"another state", func(c string) error {
				_, _, err := e.svc.Nominations(e.ctx, micStaff, workflow.NominationFilter{State: workflow.Submitted, Programme: "mic-pioneer",
					Page: workflow.Page{Cursor: c}})
				return err
			}, "cursor_other_filters"},
			{"no filters", func(c string) error {
				_, _, err := e.svc.Nominations(e.ctx, micStaff, workflow.NominationFilter{Page: workflow.Page{Cursor: c}})
				return err
			}, "cursor_other_filters"},
			{"another list", func(c string) error {
				_, _, err := e.svc.Organisations(e.ctx, micStaff, workflow.OrganisationFilter{Page: workflow.Page{Cursor: c}})
				return err
			}, "cursor_other_list"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.read(info.NextCursor)
				if tc.code == "" {
					if err != nil {
						t.Fatal(err)
					}
					return
				}
				wantProblem(t, err, "cursor", tc.code)
			})
		}
	})
}

func wantProblem(t *testing.T, err error, path, code string) {
	t.Helper()
	wantCode(t, err, workflow.Invalid)
	var e *workflow.Error
	if !errors.As(err, &e) {
		t.Fatal(err)
	}
	if len(e.Problems) != 1 || e.Problems[0].Path != path || e.Problems[0].Code != code {
		t.Fatalf("problems %+v, want %s at %s", e.Problems, code, path)
	}
	if e.Ja == "" || e.Ja == e.Message || e.Problems[0].Message.Ja != e.Ja || e.Problems[0].Message.En != e.Message {
		t.Fatalf("no Japanese: %q", e.Ja)
	}
}

// TestBadCursors (issue 9, lists): a cursor that was edited, forged,
// truncated or is not one at all is refused with a ja/en problem, as is a
// limit out of 1–200.
func TestBadCursors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		for i := range 3 {
			e.submitted(t, fmt.Sprintf("株式会社不正%02d", i))
		}
		_, info, err := e.svc.Nominations(e.ctx, admin, workflow.NominationFilter{Page: workflow.Page{Limit: 1}})
		if err != nil || info.NextCursor == "" {
			t.Fatal(info, err)
		}
		good := info.NextCursor
		raw, _ := base64.RawURLEncoding.DecodeString(good)
		parts := strings.Split(string(raw), ".")
		forge := func(edit func([]string)) string {
			ps := slices.Clone(parts)
			edit(ps)
			return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(ps, ".")))
		}
		for _, tc := range []struct {
			name   string
			page   workflow.Page
			path   string
			code   string
			reason string
		}{
			{"not base64", workflow.Page{Cursor: "!!!"}, "cursor", "invalid_cursor", ""},
			{"base64 of something else", workflow.Page{Cursor: base64.RawURLEncoding.EncodeToString([]byte("hello"))}, "cursor", "invalid_cursor", ""},
			{"an edited id", workflow.Page{Cursor: forge(func(ps []string) { ps[3] = "1" })}, "cursor", "invalid_cursor", ""},
			{"an edited check", workflow.Page{Cursor: forge(func(ps []string) { ps[4] = strings.Repeat("0", len(ps[4])) })}, "cursor", "invalid_cursor", ""},
			{"another version", workflow.Page{Cursor: forge(func(ps []string) { ps[0] = "v0" })}, "cursor", "invalid_cursor", ""},
			{"truncated", workflow.Page{Cursor: good[:len(good)-3]}, "cursor", "invalid_cursor", ""},
			{"padded base64", workflow.Page{Cursor: good + "=="}, "cursor", "invalid_cursor", ""},
			{"very long", workflow.Page{Cursor: strings.Repeat("A", 4000)}, "cursor", "invalid_cursor", ""},
			{"limit too large", workflow.Page{Limit: 201}, "limit", "limit_range", ""},
			{"negative limit", workflow.Page{Limit: -1}, "limit", "limit_range", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := e.svc.Nominations(e.ctx, admin, workflow.NominationFilter{Page: tc.page})
				wantProblem(t, err, tc.path, tc.code)
			})
		}
		if ns, info, err := e.svc.Nominations(e.ctx, admin, workflow.NominationFilter{Page: workflow.Page{Cursor: good}}); err != nil ||
			len(ns) != 2 || info.NextCursor != "" || info.Limit != workflow.DefaultLimit || info.Total != nil {
			t.Fatalf("the good cursor: %d rows, %+v, %v", len(ns), info, err)
		}
	})
}

// TestApplicantListPages (issue 9, lists): an applicant's own list pages
// like the others, by the states it may see (staff steps before release
// read as under_review), and a state filter pages over those states.
func TestApplicantListPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		o, applicant := e.org(t, "株式会社自社")
		var all []int64
		for range 3 { // three withdrawn drafts
			n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
			if err != nil {
				t.Fatal(err)
			}
			e.step(t, applicant, n, workflow.Withdraw, workflow.Input{})
			all = append(all, n.ID)
		}
		n, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mic-pioneer")
		if err != nil {
			t.Fatal(err)
		}
		n, _ = e.svc.UpdateAnswers(e.ctx, applicant, n.ID, n.Version, micAnswers)
		n = e.step(t, applicant, n, workflow.Submit, workflow.Input{})
		e.step(t, micStaff, n, workflow.StartScreening, workflow.Input{})
		m, err := e.svc.CreateNomination(e.ctx, applicant, o.ID, "fy2026-telework", "mhlw-kagayaku")
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, n.ID, m.ID)
		slices.Reverse(all)
		e.submitted(t, "株式会社他社") // not the applicant's

		var states []workflow.State
		ids, first := walk(t, 2, func(p workflow.Page) ([]workflow.NominationItem, workflow.PageInfo, error) {
			return e.svc.Nominations(e.ctx, applicant, workflow.NominationFilter{Page: p})
		}, func(it workflow.NominationItem) int64 {
			states = append(states, it.Nomination.State)
			return it.Nomination.ID
		}, nil)
		if !slices.Equal(ids, all) || *first.Total != len(all) {
			t.Fatalf("applicant's pages: %v (total %d), want %v", ids, *first.Total, all)
		}
		want := []workflow.State{workflow.Draft, workflow.UnderReview, workflow.Withdrawn, workflow.Withdrawn, workflow.Withdrawn}
		if !slices.Equal(states, want) {
			t.Fatalf("applicant sees %v, want %v", states, want)
		}
		ids, first = walk(t, 1, func(p workflow.Page) ([]workflow.NominationItem, workflow.PageInfo, error) {
			return e.svc.Nominations(e.ctx, applicant, workflow.NominationFilter{State: workflow.Withdrawn, Page: p})
		}, func(it workflow.NominationItem) int64 { return it.Nomination.ID }, nil)
		if !slices.Equal(ids, all[2:]) || *first.Total != 3 {
			t.Fatalf("withdrawn by pages: %v (total %d), want %v", ids, *first.Total, all[2:])
		}
		for _, st := range []workflow.State{workflow.UnderReview, workflow.Submitted} {
			if items := mustPage(e.svc.Nominations(e.ctx, applicant, workflow.NominationFilter{State: st})); len(items) != 1 || items[0].Nomination.ID != n.ID {
				t.Fatalf("filtered by %s: %+v", st, items)
			}
		}
		if items := mustPage(e.svc.Nominations(e.ctx, applicant, workflow.NominationFilter{State: workflow.Screening})); len(items) != 0 {
			t.Fatalf("a staff state tells the applicant: %+v", items)
		}
	})
}

// TestStageEntryPages (issue 9, lists): a stage's entries page by cursor,
// for the chair all of them and for a judge only its own; a cursor is
// bound to its stage.
func TestStageEntryPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 7, 3)
		je.proposeAndApply(t)
		var all []int64
		for _, n := range je.entries {
			all = append(all, n.ID)
		}
		entryID := func(se workflow.StageEntry) int64 { return se.Nomination.ID }
		ids, first := walk(t, 3, func(p workflow.Page) ([]workflow.StageEntry, workflow.PageInfo, error) {
			return je.svc.Entries(je.ctx, je.chair, top100, p)
		}, entryID, nil)
		if !slices.Equal(ids, all) || *first.Total != len(all) {
			t.Fatalf("chair's pages: %v (total %v), want %v", ids, *first.Total, all)
		}
		j := je.judges[0]
		mine := je.assignedTo(t, j)
		ids, first = walk(t, 1, func(p workflow.Page) ([]workflow.StageEntry, workflow.PageInfo, error) {
			return je.svc.Entries(je.ctx, j, top100, p)
		}, entryID, nil)
		slices.Sort(mine)
		if !slices.Equal(ids, mine) || *first.Total != len(mine) {
			t.Fatalf("judge's pages: %v (total %v), want %v", ids, *first.Total, mine)
		}
		_, info, err := je.svc.Entries(je.ctx, je.chair, top100, workflow.Page{Limit: 1})
		if err != nil || info.NextCursor == "" {
			t.Fatal(info, err)
		}
		other := top100
		other.Stage = "minister"
		_, _, err = je.svc.Entries(je.ctx, je.chair, other, workflow.Page{Cursor: info.NextCursor})
		wantProblem(t, err, "cursor", "cursor_other_filters")
		_, _, err = je.svc.Entries(je.ctx, je.chair, top100, workflow.Page{Cursor: "x" + info.NextCursor})
		wantProblem(t, err, "cursor", "invalid_cursor")
	})
}
