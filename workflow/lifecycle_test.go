package workflow

import (
	"flag"
	"os"
	"slices"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func testProgramme() *Programme {
	min1 := 1.0
	p := &Programme{
		Key: "mic-pioneer", Ministry: "mic", Title: Text{"先駆者", "Pioneer"},
		Call: Window{
			Opens:  time.Date(2026, 6, 15, 10, 0, 0, 0, Tokyo),
			Closes: time.Date(2026, 8, 1, 0, 0, 0, 0, Tokyo),
		},
		Tiers:  []Tier{{Key: "pioneer", Title: Text{"先駆者", "Pioneer"}}, {Key: "top100", Title: Text{"百選", "Top 100"}}},
		Awards: []Tier{{Key: "minister", Title: Text{"大臣賞", "Minister's Award"}}},
		Stages: []Stage{
			{Key: "top100", Title: Text{"百選審査", "Top 100"}, Grants: "top100"},
			{Key: "minister", Title: Text{"大臣賞審査", "Minister"}, Awards: []string{"minister"}},
		},
		Form: Form{Fields: []Field{
			{Key: "summary", Label: Text{"概要", "Summary"}, Type: FieldLongText, Required: true},
			{Key: "staff", Label: Text{"人数", "Staff"}, Type: FieldInteger, Min: &min1},
		}},
	}
	c := &Cycle{Key: "fy2026", FiscalYear: 2026, Title: Text{"令和8年度", "FY2026"}, TimeZone: "Asia/Tokyo", Programmes: []Programme{*p}}
	if ps := c.Check(); len(ps) > 0 {
		panic(ps[0].String())
	}
	return &c.Programmes[0]
}

func testOrg() Organisation {
	return Organisation{Name: "株式会社テスト", NameKana: "テスト", LegalForm: "kabushiki_kaisha", Prefecture: "13",
		Municipality: "千代田区", Industry: "E", TotalHeadcount: 10, RegularHeadcount: 8}
}

var inWindow = time.Date(2026, 7, 1, 12, 0, 0, 0, Tokyo)

// goodContext returns a context in which the guards of a transition from s
// pass, so that the exhaustive test sees only the table's answer.
func goodContext(s State) *Context {
	n := &Nomination{ID: 1, OrganisationID: 1, State: s, Version: 3, Answers: Answers{"summary": "x"}}
	switch s {
	case InReview, NotSelected:
		n.Stage = "top100"
	case Selected:
		n.Stage = "top100"
	case Awarded:
		n.Stage = "minister"
	}
	due := inWindow.Add(time.Hour)
	return &Context{Nomination: n, Programme: testProgramme(), Organisation: testOrg(), Now: inWindow,
		Input: Input{Reason: "理由", Due: &due, Award: "minister"}}
}

// TestEveryStateActionPair: each (state, action) pair is in the table and
// succeeds for a role it names, or is rejected as an illegal transition.
func TestEveryStateActionPair(t *testing.T) {
	for _, s := range States {
		for _, a := range Actions {
			c := goodContext(s)
			if a == Award { // awards are decided at the last stage
				c.Nomination.Stage = "minister"
			}
			tr, inTable := lookup(s, a)
			role := RoleSecretariat
			if inTable && !testAuthz.Permits(as(role), tr.Perm, "mic", 0) {
				role = RoleApplicant
			}
			next, err := Decide(c, testAuthz, as(role), a)
			switch {
			case inTable && err != nil:
				t.Errorf("%s --%s--> : %v", s, a, err)
			case inTable && (next.State != tr.To || next.Version != 4 || !next.UpdatedAt.Equal(inWindow)):
				t.Errorf("%s --%s--> %s v%d, want %s v4", s, a, next.State, next.Version, tr.To)
			case !inTable && ErrorCode(err) != IllegalTransition:
				t.Errorf("%s --%s--> not in the table, but Decide returned %v", s, a, err)
			}
			if c.Nomination.State != s || c.Nomination.Version != 3 {
				t.Fatalf("Decide changed its input")
			}
		}
	}
}

func TestTableIsWellFormed(t *testing.T) {
	seen := map[[2]string]bool{}
	for _, tr := range transitions {
		k := [2]string{string(tr.From), string(tr.Action)}
		if seen[k] {
			t.Errorf("(%s, %s) appears twice", tr.From, tr.Action)
		}
		seen[k] = true
		if !slices.Contains(States, tr.From) || !slices.Contains(States, tr.To) || !slices.Contains(Actions, tr.Action) {
			t.Errorf("unknown state or action in %s --%s--> %s", tr.From, tr.Action, tr.To)
		}
		held := false
		for _, r := range Roles {
			held = held || testAuthz.Permits(as(r), tr.Perm, "mic", Facts(ActsForOrganisation))
		}
		if !held {
			t.Errorf("%s --%s--> names %s, which no role holds in policy/permissions.csv", tr.From, tr.Action, tr.Perm)
		}
	}
	for _, a := range Actions {
		found := false
		for _, tr := range transitions {
			found = found || tr.Action == a
		}
		if !found {
			t.Errorf("action %s is in no transition", a)
		}
	}
}

func TestTerminalStates(t *testing.T) {
	var terminal []State
	for _, s := range States {
		if s.Terminal() {
			terminal = append(terminal, s)
		}
	}
	if !slices.Equal(terminal, []State{Withdrawn}) {
		t.Fatalf("terminal states = %v, want [withdrawn]", terminal)
	}
	for _, a := range Actions {
		for _, role := range Roles {
			if _, err := Decide(goodContext(Withdrawn), testAuthz, as(role), a); ErrorCode(err) != IllegalTransition {
				t.Errorf("withdrawn --%s--> as %s: %v, want illegal transition", a, role, err)
			}
		}
	}
	// Decided states can only be withdrawn from, and only before release.
	for _, s := range []State{Ineligible, NotSelected, Awarded} {
		for _, tr := range transitions {
			if tr.From == s && tr.Action != Withdraw {
				t.Errorf("decided state %s has a way out: %s", s, tr.Action)
			}
		}
	}
}

func TestEveryStateReachableFromDraft(t *testing.T) {
	reached := map[State]bool{Draft: true}
	queue := []State{Draft}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, tr := range transitions {
			if tr.From == s && !reached[tr.To] {
				reached[tr.To] = true
				queue = append(queue, tr.To)
			}
		}
	}
	for _, s := range States {
		if !reached[s] {
			t.Errorf("%s is not reachable from draft", s)
		}
	}
}

func TestDecideRefusals(t *testing.T) {
	released := inWindow.Add(-time.Hour)
	past := inWindow.Add(-time.Hour)
	tests := []struct {
		name   string
		state  State
		action Action
		role   Role
		edit   func(*Context)
		code   Code
		reason string // the first problem's code
	}{
		{"submit before the call opens", Draft, Submit, RoleApplicant, func(c *Context) { c.Now = c.Programme.Call.Opens.Add(-time.Second) }, IllegalTransition, "call_not_open"},
		{"submit at the must-arrive deadline", Draft, Submit, RoleApplicant, func(c *Context) { c.Now = c.Programme.Call.Closes }, IllegalTransition, "call_closed"},
		{"submit with a required field missing", Draft, Submit, RoleApplicant, func(c *Context) { c.Nomination.Answers = Answers{} }, Invalid, "required"},
		{"submit with a stale bad answer", Draft, Submit, RoleApplicant, func(c *Context) { c.Nomination.Answers["staff"] = int64(0) }, Invalid, "out_of_range"},
		{"submit with an invalid organisation", Draft, Submit, RoleApplicant, func(c *Context) { c.Organisation.Prefecture = "48" }, Invalid, "unknown"},
		{"submit by staff", Draft, Submit, RoleSecretariat, nil, Forbidden, ""},
		{"screen by an applicant", Submitted, StartScreening, RoleApplicant, nil, Forbidden, ""},
		{"screen by a judge", Submitted, StartScreening, RoleJudge, nil, Forbidden, ""},
		{"return without a reason", Submitted, Return, RoleSecretariat, func(c *Context) { c.Input.Reason = " " }, Invalid, "required"},
		{"return with a past due date", Submitted, Return, RoleSecretariat, func(c *Context) { c.Input.Due = &past }, Invalid, "in_past"},
		{"return without a due date", Submitted, Return, RoleSecretariat, func(c *Context) { c.Input.Due = nil }, Invalid, "required"},
		{"reason with a bidi override", Screening, DeclareIneligible, RoleSecretariat, func(c *Context) { c.Input.Reason = "理由\u202e" }, Invalid, "hidden_character"},
		{"reason of a zero-width space only", Submitted, Return, RoleSecretariat, func(c *Context) { c.Input.Reason = "\u200b" }, Invalid, "hidden_character"},
		{"optional reason with a bidi isolate", InReview, Withdraw, RoleApplicant, func(c *Context) { c.Input.Reason = "\u2067x" }, Invalid, "hidden_character"},
		{"reason with a control character", Screening, DeclareIneligible, RoleSecretariat, func(c *Context) { c.Input.Reason = "a\x07" }, Invalid, "hidden_character"},
		{"resubmit after the due date", Returned, Resubmit, RoleApplicant, func(c *Context) { c.Nomination.ReturnDue = &past }, IllegalTransition, "correction_overdue"},
		{"advance past the last stage", Selected, Advance, RoleSecretariat, func(c *Context) { c.Nomination.Stage = "minister" }, IllegalTransition, "last_stage"},
		{"select at an awards stage", InReview, Select, RoleSecretariat, func(c *Context) { c.Nomination.Stage = "minister" }, IllegalTransition, "stage_decides_awards"},
		{"award at a tier stage", InReview, Award, RoleSecretariat, func(c *Context) { c.Nomination.Stage = "top100" }, Invalid, "unknown_award"},
		{"award an unknown award", InReview, Award, RoleSecretariat, func(c *Context) { c.Nomination.Stage = "minister"; c.Input.Award = "gold" }, Invalid, "unknown_award"},
		{"withdraw after release", InReview, Withdraw, RoleApplicant, func(c *Context) { c.ReleasedAt = &released }, IllegalTransition, "results_released"},
		{"advance without stages", Recognised, Advance, RoleSecretariat, func(c *Context) { c.Programme.Stages = nil }, IllegalTransition, "no_stages"},
		{"not in the table", Draft, Award, RoleSecretariat, nil, IllegalTransition, "illegal_transition"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := goodContext(tc.state)
			if tc.edit != nil {
				tc.edit(c)
			}
			_, err := Decide(c, testAuthz, as(tc.role), tc.action)
			if ErrorCode(err) != tc.code {
				t.Fatalf("code = %q, want %q (%v)", ErrorCode(err), tc.code, err)
			}
			ps := ErrorProblems(err)
			if tc.reason != "" && (len(ps) == 0 || ps[0].Code != tc.reason) {
				t.Fatalf("problems = %v, want first %q", ps, tc.reason)
			}
			for _, p := range ps {
				if p.Message.Ja == "" || p.Message.En == "" {
					t.Errorf("reason %q lacks ja or en", p.Code)
				}
			}
		})
	}
}

func TestDecideEffects(t *testing.T) {
	c := goodContext(Draft)
	n, err := Decide(c, testAuthz, as(RoleApplicant), Submit)
	if err != nil {
		t.Fatal(err)
	}
	if n.Snapshot == nil || n.Snapshot.Name != "株式会社テスト" || n.SubmittedAt == nil || !n.SubmittedAt.Equal(inWindow) {
		t.Fatalf("submit effects: %+v", n)
	}
	c = goodContext(Screening)
	if n, _ = Decide(c, testAuthz, as(RoleSecretariat), Recognise); n.Tier != "pioneer" {
		t.Fatalf("recognise tier = %q", n.Tier)
	}
	c = goodContext(Recognised)
	if n, _ = Decide(c, testAuthz, as(RoleSecretariat), Advance); n.Stage != "top100" {
		t.Fatalf("advance stage = %q", n.Stage)
	}
	c = goodContext(InReview)
	if n, _ = Decide(c, testAuthz, as(RoleSecretariat), Select); n.Tier != "top100" {
		t.Fatalf("select tier = %q", n.Tier)
	}
	c = goodContext(Selected)
	if n, _ = Decide(c, testAuthz, as(RoleSecretariat), Advance); n.Stage != "minister" {
		t.Fatalf("advance from top100 = %q", n.Stage)
	}
}

func TestAvailableActions(t *testing.T) {
	c := goodContext(Draft)
	c.Now = c.Programme.Call.Closes.Add(time.Hour)
	opts := AvailableActions(c, testAuthz, as(RoleApplicant))
	if len(opts) != 2 || opts[0].Action != Submit || opts[0].Allowed || opts[0].Reasons[0].Code != "call_closed" ||
		opts[1].Action != Withdraw || !opts[1].Allowed {
		t.Fatalf("applicant options on a late draft: %+v", opts)
	}
	opts = AvailableActions(goodContext(InReview), testAuthz, as(RoleSecretariat))
	var names []Action
	for _, o := range opts {
		names = append(names, o.Action)
	}
	if !slices.Equal(names, []Action{Select, NotSelect, Award}) {
		t.Fatalf("staff options in review: %v", names)
	}
	if opts[1].Needs[0] != "reason" || opts[2].Allowed { // award at a tier stage is refused
		t.Fatalf("options: %+v", opts)
	}
	if opts := AvailableActions(goodContext(Submitted), testAuthz, as(RoleJudge)); len(opts) != 0 {
		t.Fatalf("judge options: %+v", opts)
	}
}

func TestStateDiagramGolden(t *testing.T) {
	const path = "../docs/state-diagram.md"
	got := StateDiagram()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./workflow -run TestStateDiagramGolden -update)", err)
	}
	if string(want) != got {
		t.Fatalf("%s is out of date with the transition table; run go test ./workflow -run TestStateDiagramGolden -update", path)
	}
}

// TestLabelsInPlainWords: every state, action and role has Japanese words of
// its own, so refusals never show a code to a Japanese reader.
func TestLabelsInPlainWords(t *testing.T) {
	var cases []struct{ code, ja string }
	for _, s := range append(slices.Clone(States), UnderReview) {
		cases = append(cases, struct{ code, ja string }{string(s), s.Label().Ja})
	}
	for _, a := range Actions {
		cases = append(cases, struct{ code, ja string }{string(a), a.Label().Ja})
	}
	for _, r := range Roles {
		cases = append(cases, struct{ code, ja string }{string(r), r.Label().Ja})
	}
	for _, c := range cases {
		if c.ja == "" || c.ja == c.code {
			t.Errorf("%s has no Japanese label (%q)", c.code, c.ja)
		}
	}
	c := goodContext(Screening)
	_, err := Decide(c, testAuthz, as(RoleJudge), Recognise)
	if e, ok := err.(*Error); !ok || e.Ja != "審査員は「認定」を行えません" {
		t.Errorf("judge recognising: %v", err)
	}
}
