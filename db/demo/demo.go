// Package demo loads a live demo year into an empty database: the example
// cycle moved around a given day, fictional organisations with entries in
// every state, demo accounts and judging in progress. `serve --demo` and
// the web UI's tests use it; everything goes through the service.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/docs"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/cyclefile"
)

// demoOrg is a fictional applicant and how far its nomination has got.
type demoOrg struct {
	org       workflow.Organisation
	programme string
	steps     []demoStep // after submission; none for a draft left unsubmitted
	draft     bool
}

type demoStep struct {
	action workflow.Action
	in     workflow.Input
}

func yen(n int64) *int64 { return &n }

var (
	screen    = demoStep{action: workflow.StartScreening}
	recognise = demoStep{action: workflow.Recognise}
	advance   = demoStep{action: workflow.Advance}
)

// demoOrgs are the demo year's applicants: entries in every state. steps
// run after submission, at screening; the Top 100 decision and what
// follows it are made by the demo's judging (demoJudging).
func demoOrgs() []demoOrg {
	org := func(name, kana, form, pref, city, ind string, sector workflow.SMESector, total, regular int, capital *int64, corp string) workflow.Organisation {
		return workflow.Organisation{Name: name, NameKana: kana, LegalForm: workflow.LegalForm(form), CorporateNumber: corp,
			Prefecture: pref, Municipality: city, Industry: ind, SMESector: sector,
			TotalHeadcount: total, RegularHeadcount: regular, Capital: capital}
	}
	toTop100 := []demoStep{screen, recognise, advance}
	return []demoOrg{
		// MIC: at Top 100 review (decided by demoJudging: the best four selected, three go on to the Minister's Award review).
		{org: org("株式会社さくらクラウド研究所", "サクラクラウドケンキュウジョ", "kabushiki_kaisha", "13", "千代田区", "G", workflow.SectorServices, 320, 290, yen(80_000_000), "4011001098993"),
			programme: "mic-pioneer", steps: toTop100},
		{org: org("浪速精密工業株式会社", "ナニワセイミツコウギョウ", "kabushiki_kaisha", "27", "東大阪市", "E", "", 180, 170, yen(90_000_000), "7000012050002"),
			programme: "mic-pioneer", steps: toTop100},
		{org: org("合同会社博多デザインラボ", "ハカタデザインラボ", "godo_kaisha", "40", "福岡市", "L", "", 24, 22, yen(3_000_000), ""),
			programme: "mic-pioneer", steps: toTop100},
		{org: org("株式会社みちのくソフト", "ミチノクソフト", "kabushiki_kaisha", "03", "盛岡市", "G", workflow.SectorServices, 75, 70, yen(30_000_000), ""),
			programme: "mic-pioneer", steps: toTop100},
		{org: org("北海土木建設株式会社", "ホッカイドボクケンセツ", "kabushiki_kaisha", "01", "札幌市", "D", "", 450, 430, yen(400_000_000), "2120901007402"),
			programme: "mic-pioneer", steps: toTop100},
		// MIC: recognised as a Pioneer only; under screening; submitted; ineligible; the applicant's draft.
		{org: org("金沢漆器商事株式会社", "カナザワシッキショウジ", "kabushiki_kaisha", "17", "金沢市", "I", workflow.SectorWholesale, 40, 36, yen(10_000_000), ""),
			programme: "mic-pioneer", steps: []demoStep{screen, recognise}},
		{org: org("社会福祉法人きょうと未来会", "キョウトミライカイ", "social_welfare_corporation", "26", "京都市", "P", "", 210, 160, nil, ""),
			programme: "mic-pioneer", steps: []demoStep{screen}},
		{org: org("株式会社四国みかん農園", "シコクミカンノウエン", "kabushiki_kaisha", "38", "松山市", "A", "", 30, 25, yen(5_000_000), ""),
			programme: "mic-pioneer"},
		{org: org("瀬戸内食品株式会社", "セトウチショクヒン", "kabushiki_kaisha", "34", "広島市", "E", "", 95, 90, yen(20_000_000), ""),
			programme: "mic-pioneer", steps: []demoStep{screen, {action: workflow.DeclareIneligible, in: workflow.Input{Reason: "就業規則にテレワークの定めがない"}}}},
		{org: org("信州市町村共同事務センター", "シンシュウシチョウソンキョウドウジムセンター", "local_government", "20", "長野市", "S", "", 60, 55, nil, ""),
			programme: "mic-pioneer", draft: true},
		// MHLW: at review (the last one not yet assigned); returned for correction; withdrawn.
		{org: org("尾張信用金庫", "オワリシンヨウキンコ", "cooperative", "23", "名古屋市", "J", "", 1200, 1100, nil, "7123456789012"),
			programme: "mhlw-kagayaku", steps: []demoStep{screen, recognise, advance}},
		{org: org("特定非営利活動法人ちゅらリモート", "チュラリモート", "npo", "47", "那覇市", "R", "", 12, 10, nil, ""),
			programme: "mhlw-kagayaku", steps: []demoStep{screen, recognise, advance}},
		{org: org("有限会社越後米菓", "エチゴベイカ", "yugen_kaisha", "15", "新潟市", "E", "", 55, 50, yen(3_000_000), ""),
			programme: "mhlw-kagayaku", steps: []demoStep{screen, recognise, advance}},
		{org: org("株式会社杜の都ホテルズ", "モリノミヤコホテルズ", "kabushiki_kaisha", "04", "仙台市", "M", workflow.SectorServices, 140, 120, yen(50_000_000), ""),
			programme: "mhlw-kagayaku", steps: []demoStep{{action: workflow.Return, in: workflow.Input{Reason: "時間外労働の記録が添付されていません"}}}},
		{org: org("株式会社ひろしま物流", "ヒロシマブツリュウ", "kabushiki_kaisha", "34", "広島市", "H", "", 260, 240, yen(60_000_000), ""),
			programme: "mhlw-kagayaku", steps: []demoStep{{action: workflow.Withdraw}}},
	}
}

func demoAnswers(programme string, i int) map[string]any {
	if programme == "mhlw-kagayaku" {
		return map[string]any{
			"initiative_summary": "全職員を対象に在宅勤務とサテライト勤務を組み合わせ、育児・介護と仕事の両立を支援。",
			"telework_forms":     []any{"home", "satellite"}, "teleworkers": 40 + 10*i, "telework_rate": "62.5",
			"max_monthly_overtime": "21.5", "leave_uptake": "78", "wlb_outcomes": "離職率が3年間で半減した。",
			"contact_name": "佐藤花子", "contact_email": fmt.Sprintf("hr%d@example.jp", i),
		}
	}
	return map[string]any{
		"initiative_title":   "どこでもオフィス",
		"initiative_summary": "就業規則に在宅・モバイル・サテライト勤務を定め、全部署で月平均6日以上のテレワークを実施。",
		"rules_basis":        "work-rules", "telework_forms": []any{"home", "mobile", "satellite"}, "practised": true,
		"introduced_on": "2020-04-01", "eligible_staff": 150 + i, "teleworkers": 120 + i, "avg_telework_days": "6.5",
		"long_hours_measures": "PCの稼働ログで勤務時間を把握し、深夜のアクセスを制限。", "ict_security": "ゼロトラスト構成と多要素認証。",
		"outcomes": "通勤時間が平均45分短縮。", "serious_violation": false, "antisocial_ties": false,
		"contact_name": "山田太郎", "contact_email": fmt.Sprintf("soumu%d@example.jp", i),
	}
}

// Key is the demo year's cycle key; the example file's own key
// (fy2026-telework) is left for a real load of the file.
const Key = "demo-telework"

// demoClock is the demo's clock: set to a moment of the demo year's
// history, it ticks a second per reading, so history reads in order.
type demoClock struct{ t time.Time }

func (c *demoClock) at(t time.Time) { c.t = t }
func (c *demoClock) now() time.Time { c.t = c.t.Add(time.Second); return c.t }

// demoTimes are the demo year's windows and the moments its history
// happened, all relative to now.
type demoTimes struct {
	fiscalYear                int
	micCall, mhlwCall         workflow.Window
	top100, minister, review  workflow.Window
	submit, screen, scoreTop  time.Time
	decide, assign, preScores time.Time
	returnDue                 time.Time
}

func demoSchedule(now time.Time) demoTimes {
	now = now.In(workflow.Tokyo).Truncate(time.Minute) // windows read as whole minutes
	day := 24 * time.Hour
	fy := now.Year()
	if now.Month() < time.April {
		fy--
	}
	start := time.Date(fy, time.April, 1, 0, 0, 0, 0, workflow.Tokyo)
	end := start.AddDate(1, 0, 0)
	var t demoTimes
	t.fiscalYear = fy
	// MHLW's call closed two weeks ago (not before the fiscal year began),
	// so its secretariat may release results; MIC's is open for a month
	// more, but closes within the fiscal year.
	mhlwClose := now.Add(-14 * day)
	if first := start.Add(time.Minute); mhlwClose.Before(first) {
		mhlwClose = first // 1 April 00:00 would be the previous year's last day
	}
	t.mhlwCall = workflow.Window{Opens: mhlwClose.Add(-60 * day), Closes: mhlwClose}
	t.submit = mhlwClose.Add(-30 * day)
	// MIC's call closes at the end of the day 30 days from now, the way
	// calls are announced (…まで).
	in30 := now.Add(30 * day)
	micClose := time.Date(in30.Year(), in30.Month(), in30.Day()+1, 0, 0, 0, 0, workflow.Tokyo)
	if !micClose.Before(end) {
		micClose = end.Add(-time.Minute)
	}
	t.micCall = workflow.Window{Opens: t.submit.Add(-20 * day), Closes: micClose}
	t.screen = t.submit.Add(day)
	// MIC's Top 100 review was judged after screening and decided two
	// weeks ago; its Minister's Award review and MHLW's review are open.
	t.top100 = workflow.Window{Opens: t.submit.Add(3 * day), Closes: now.Add(-21 * day)}
	t.scoreTop = t.submit.Add(5 * day)
	t.decide = now.Add(-14 * day)
	t.minister = workflow.Window{Opens: now.Add(-7 * day), Closes: now.Add(21 * day)}
	t.review = workflow.Window{Opens: now.Add(-10 * day), Closes: now.Add(21 * day)}
	t.assign = now.Add(-6 * day)
	t.preScores = now.Add(-2 * day)
	t.returnDue = now.Add(14 * day).Truncate(time.Hour)
	return t
}

// demoCycle is the example cycle moved to the demo year: the same
// programmes, forms, rules and stages, with windows placed around now.
// The example file itself stays the FY2026 cycle it describes.
func demoCycle(t demoTimes) (workflow.Cycle, error) {
	c, err := cyclefile.Parse(docs.ExampleCycle)
	if err != nil {
		return c, err
	}
	retitle := func(x workflow.Text) workflow.Text {
		r := strings.NewReplacer("令和8年度", fmt.Sprintf("令和%d年度", t.fiscalYear-2018), "FY2026", fmt.Sprintf("FY%d", t.fiscalYear),
			"2026", fmt.Sprint(t.fiscalYear))
		return workflow.Text{Ja: "【デモ】" + r.Replace(x.Ja), En: "[Demo] " + r.Replace(x.En)}
	}
	c.Key, c.FiscalYear, c.Title = Key, t.fiscalYear, retitle(c.Title)
	judging := map[string]workflow.Window{"mic-pioneer/top100": t.top100, "mic-pioneer/minister": t.minister, "mhlw-kagayaku/review": t.review}
	for i := range c.Programmes {
		p := &c.Programmes[i]
		p.Title = retitle(p.Title)
		p.Call = map[string]workflow.Window{"mic-pioneer": t.micCall, "mhlw-kagayaku": t.mhlwCall}[p.Key]
		for j := range p.Stages {
			if w, ok := judging[p.Key+"/"+p.Stages[j].Key]; ok && p.Stages[j].Judging != nil {
				jd := *p.Stages[j].Judging
				jd.Window = w
				p.Stages[j].Judging = &jd
			}
		}
	}
	return c, nil
}

// Load loads a live demo year into an empty database: the example
// cycle moved around now (demo-telework), organisations with entries in
// every state, judges enough for every panel, a decided stage and open
// ones with assignments. A database with any cycle is left alone. All of
// it goes through the service, as the API would.
func Load(ctx context.Context, d *db.DB, now time.Time, admin workflow.Actor, stdout io.Writer) ([]Account, error) {
	t := demoSchedule(now)
	clk := &demoClock{t: t.submit.Add(-time.Hour)}
	store := db.NewStore(d)
	svc := workflow.NewService(store, clk.now, workflow.WithAuthorizer(policy.MustNew()))
	keys, err := svc.CycleKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		fmt.Fprintf(stdout, "demo: the database already holds cycle %s; demo data not loaded\n", keys[0])
		accounts, _, err := demoAccounts(ctx, svc, admin, stdout, false, 0)
		return accounts, err
	}
	c, err := demoCycle(t)
	if err != nil {
		return nil, err
	}
	admin.Name = "デモ事務局"
	if _, err := svc.LoadCycle(ctx, admin, c, false); err != nil {
		return nil, err
	}
	past := demoSchedule(now.AddDate(-1, 0, 0))
	var orgs []workflow.Organisation // registered a year before, for last year's call
	for i, do := range demoOrgs() {
		clk.at(past.submit.Add(time.Duration(i-60) * time.Minute))
		o, err := svc.CreateOrganisation(ctx, admin, do.org)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", do.org.Name, err)
		}
		orgs = append(orgs, o)
	}
	if err := demoPastYear(ctx, svc, clk, past, admin, orgs); err != nil {
		return nil, fmt.Errorf("demo past year: %w", err)
	}
	var draftOrg int64
	entries := map[string][]int64{} // programme → nominations sent to judging, in order
	for i, do := range demoOrgs() {
		clk.at(t.submit.Add(time.Duration(i) * time.Minute))
		o := orgs[i]
		applicant := demoApplicant(o)
		n, err := svc.CreateNomination(ctx, applicant, o.ID, c.Key, do.programme)
		if err != nil {
			return nil, err
		}
		if n, err = svc.UpdateAnswers(ctx, applicant, n.ID, n.Version, demoAnswers(do.programme, i)); err != nil {
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		if do.draft {
			draftOrg = o.ID
			continue
		}
		if n, err = svc.Transition(ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{}); err != nil {
			return nil, fmt.Errorf("%s: submit: %w", o.Name, err)
		}
		clk.at(t.screen.Add(time.Duration(i) * time.Minute))
		for _, s := range do.steps {
			in, who := s.in, admin
			switch s.action {
			case workflow.Return:
				in.Due = &t.returnDue
			case workflow.Withdraw:
				who, in.Reason = applicant, "社内体制の見直しのため辞退します"
			}
			if n, err = svc.Transition(ctx, who, n.ID, n.Version, s.action, in); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", o.Name, s.action, err)
			}
		}
		if n.State == workflow.InReview {
			entries[do.programme] = append(entries[do.programme], n.ID)
		}
	}
	fmt.Fprintf(stdout, "demo: loaded cycle %s (FY%d, windows around today) with %d organisations and their nominations\n",
		c.Key, t.fiscalYear, len(demoOrgs()))
	accounts, users, err := demoAccounts(ctx, svc, admin, stdout, true, draftOrg)
	if err != nil {
		return nil, err
	}
	if err := demoJudging(ctx, svc, clk, t, admin, users, entries); err != nil {
		return nil, fmt.Errorf("demo judging: %w", err)
	}
	if _, err := store.SealAudit(ctx); err != nil { // the demo's audit entries chained at once, not a second later
		return nil, fmt.Errorf("demo audit: %w", err)
	}
	fmt.Fprintln(stdout, demoGuide)
	return accounts, nil
}

// PastKey is the demo's previous year: the same programmes a year
// earlier, MIC's Pioneers recognised, released and published, so that the
// public pages have an award list to show.
const PastKey = Key + "-prev"

// pastPioneers is how many of the demo's MIC applicants were recognised as
// Pioneers in the previous year.
const pastPioneers = 6

// demoPastYear loads the previous year and has the first MIC applicants
// submit, be recognised as Pioneers, released and published (at 10:00 a
// week after release), all at last year's times.
func demoPastYear(ctx context.Context, svc *workflow.Service, clk *demoClock, t demoTimes, admin workflow.Actor, orgs []workflow.Organisation) error {
	c, err := demoCycle(t)
	if err != nil {
		return err
	}
	c.Key = PastKey
	clk.at(t.submit.Add(-2 * time.Hour))
	if _, err := svc.LoadCycle(ctx, admin, c, false); err != nil {
		return err
	}
	var done int
	for i, do := range demoOrgs() {
		if do.programme != "mic-pioneer" || done == pastPioneers {
			continue
		}
		done++
		o, applicant := orgs[i], demoApplicant(orgs[i])
		clk.at(t.submit.Add(time.Duration(i) * time.Minute))
		n, err := svc.CreateNomination(ctx, applicant, o.ID, c.Key, do.programme)
		if err != nil {
			return err
		}
		if n, err = svc.UpdateAnswers(ctx, applicant, n.ID, n.Version, demoAnswers(do.programme, i)); err != nil {
			return fmt.Errorf("%s: %w", o.Name, err)
		}
		if n, err = svc.Transition(ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{}); err != nil {
			return fmt.Errorf("%s: submit: %w", o.Name, err)
		}
		clk.at(t.screen.Add(time.Duration(i) * time.Minute))
		for _, a := range []workflow.Action{workflow.StartScreening, workflow.Recognise} {
			if n, err = svc.Transition(ctx, admin, n.ID, n.Version, a, workflow.Input{}); err != nil {
				return fmt.Errorf("%s: %s: %w", o.Name, a, err)
			}
		}
	}
	released := t.micCall.Closes.Add(24 * time.Hour)
	clk.at(released)
	if _, err := svc.Release(ctx, admin, c.Key, "mic-pioneer", workflow.ReleaseRequest{}); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	r := released.In(workflow.Tokyo)
	embargo := time.Date(r.Year(), r.Month(), r.Day()+7, 10, 0, 0, 0, workflow.Tokyo) // a week later, 10:00 JST
	if _, err := svc.Publish(ctx, admin, c.Key, "mic-pioneer", embargo, ""); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// demoApplicant is how the demo acts for an organisation's applicant.
func demoApplicant(o workflow.Organisation) workflow.Actor {
	return workflow.Actor{ID: fmt.Sprintf("demo-applicant-%d", o.ID), Name: o.Name,
		Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}, OrganisationID: o.ID}
}

const demoGuide = `demo year: MIC's call is open (the applicant can submit its draft); MHLW's call has closed.
  MIC Top 100 review: decided. MIC Minister's Award review and MHLW review: open, judges assigned.
  Try: applicant submits; judges score; chairs read the ranking; secretariats assign, decide,
  change windows (PUT .../windows/call, .../stages/S/window); MHLW releases and publishes.`

// demoUser is a demo account; printed ones get a password shown at start.
type demoUser struct {
	workflow.NewUser
	key     string // how demoJudging refers to it
	printed bool
}

func demoUsers(draftOrg int64) []demoUser {
	u := func(key, email, name string, role workflow.Role, domain string, printed bool) demoUser {
		return demoUser{NewUser: workflow.NewUser{Email: email + "@demo.awardflow.example", Name: name, Role: role, Domain: domain}, key: key, printed: printed}
	}
	out := []demoUser{
		u("admin", "admin", "デモ管理者", workflow.RoleAdmin, workflow.AnyDomain, true),
		u("mic-secretariat", "mic-secretariat", "総務省事務局（デモ）", workflow.RoleSecretariat, "mic", true),
		u("mhlw-secretariat", "mhlw-secretariat", "厚労省事務局（デモ）", workflow.RoleSecretariat, "mhlw", true),
		u("mic-chair", "mic-chair", "審査委員長（デモ・総務省）", workflow.RoleChair, "mic", true),
		u("mhlw-chair", "mhlw-chair", "審査委員長（デモ・厚労省）", workflow.RoleChair, "mhlw", true),
		u("mic-judge-1", "mic-judge", "審査員（デモ・総務省）", workflow.RoleJudge, "mic", true),
		u("mhlw-judge-1", "mhlw-judge", "審査員（デモ・厚労省）", workflow.RoleJudge, "mhlw", true),
	}
	app := u("applicant", "applicant", "応募担当（デモ）", workflow.RoleApplicant, workflow.AnyDomain, true)
	app.OrganisationID = draftOrg
	out = append(out, app)
	for i := 2; i <= demoJudges["mic"]; i++ {
		out = append(out, u(fmt.Sprintf("mic-judge-%d", i), fmt.Sprintf("mic-judge-%d", i), fmt.Sprintf("審査員%d（デモ・総務省）", i), workflow.RoleJudge, "mic", false))
	}
	for i := 2; i <= demoJudges["mhlw"]; i++ {
		out = append(out, u(fmt.Sprintf("mhlw-judge-%d", i), fmt.Sprintf("mhlw-judge-%d", i), fmt.Sprintf("審査員%d（デモ・厚労省）", i), workflow.RoleJudge, "mhlw", false))
	}
	return out
}

// demoJudges is how many judges each ministry's demo panels have: more
// than the largest judges_per_entry of its stages (MIC's Minister's Award: 5).
var demoJudges = map[string]int{"mic": 7, "mhlw": 5}

// demoAccounts creates the demo accounts (the applicant acts for the
// organisation with the draft), or resets the printed ones' passwords if
// they exist, and prints those. Passwords are new at every start, so a
// demo left running somewhere is not open to a password published in a
// README; the judges who are not printed get a random one nobody sees.
// Accounts are created only in a database the demo itself loaded
// (create), so --demo on a real database never adds an administrator.
func demoAccounts(ctx context.Context, svc *workflow.Service, admin workflow.Actor, stdout io.Writer, create bool, draftOrg int64) ([]Account, map[string]workflow.User, error) {
	accounts := demoUsers(draftOrg)
	if !create {
		if err := svc.ResetPassword(ctx, admin, accounts[0].Email, demoPassword()); workflow.ErrorCode(err) == workflow.NotFound {
			fmt.Fprintln(stdout, "demo: this database was not loaded by --demo; no demo accounts")
			return nil, nil, nil
		} else if err != nil {
			return nil, nil, err
		}
	}
	fmt.Fprintln(stdout, "demo accounts (passwords are new at every start with --demo):")
	users := map[string]workflow.User{}
	var printed []Account
	for _, a := range accounts {
		if !create && !a.printed {
			continue
		}
		a.Password = demoPassword()
		if create {
			u, err := svc.CreateUser(ctx, admin, a.NewUser)
			if err != nil {
				return nil, nil, fmt.Errorf("demo account %s: %w", a.Email, err)
			}
			users[a.key] = u
		} else if err := svc.ResetPassword(ctx, admin, a.Email, a.Password); err != nil {
			return nil, nil, fmt.Errorf("demo account %s: %w", a.Email, err)
		}
		if a.printed {
			printed = append(printed, Account{Key: a.key, Role: a.Role, Domain: a.Domain, Email: a.Email, Password: a.Password})
			fmt.Fprintf(stdout, "  %-12s %-6s %-40s %s\n", a.Role, a.Domain, a.Email, a.Password)
		}
	}
	return printed, users, nil
}

// demoJudging fills the panels, judges and decides MIC's Top 100 review
// (the best four selected, three of them on to the Minister's Award
// review, the fifth not selected), and assigns the open stages, where the
// judges who are not printed have already scored: the printed judges and
// chairs have their own scoring left to do, and MHLW's last entry is left
// unassigned for its secretariat to assign.
func demoJudging(ctx context.Context, svc *workflow.Service, clk *demoClock, t demoTimes, admin workflow.Actor,
	users map[string]workflow.User, entries map[string][]int64) error {
	ref := func(p, s string) workflow.StageRef { return workflow.StageRef{Cycle: Key, Programme: p, Stage: s} }
	top100, minister, review := ref("mic-pioneer", "top100"), ref("mic-pioneer", "minister"), ref("mhlw-kagayaku", "review")
	ministry := map[workflow.StageRef]string{top100: "mic", minister: "mic", review: "mhlw"}
	judge := func(m string, i int) workflow.User { return users[fmt.Sprintf("%s-judge-%d", m, i)] }
	judgeActor := func(id int64, m string) workflow.Actor {
		u := workflow.User{ID: id}
		return workflow.Actor{ID: u.ActorID(), UserID: id, Name: "審査員", Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: m}}}
	}
	clk.at(t.screen.Add(time.Hour))
	for _, r := range []workflow.StageRef{top100, minister, review} {
		m := ministry[r]
		if _, err := svc.SetPanelMember(ctx, admin, r, workflow.PanelMember{UserID: users[m+"-chair"].ID, Role: workflow.RoleChair}); err != nil {
			return err
		}
		for i := 1; i <= demoJudges[m]; i++ {
			if _, err := svc.SetPanelMember(ctx, admin, r, workflow.PanelMember{UserID: judge(m, i).ID, Role: workflow.RoleJudge}); err != nil {
				return err
			}
		}
	}
	// assign gives entry k the judges first, first+1, … (wrapping round the
	// panel, judge 1 skipped unless withFirst), and has those scored who are
	// not printed: value(k) is the entry's score on every criterion.
	assign := func(r workflow.StageRef, ids []int64, withFirst bool, value func(k int) map[string]any) error {
		m := ministry[r]
		per := 3
		if r == minister {
			per = 5
		}
		for k, id := range ids {
			var panel []int
			if withFirst {
				panel = append(panel, 1)
			}
			for j := 0; len(panel) < per; j++ {
				panel = append(panel, 2+(k+j)%(demoJudges[m]-1))
			}
			for _, i := range panel {
				if _, err := svc.Assign(ctx, admin, r, id, judge(m, i).ID); err != nil {
					return err
				}
			}
			if value == nil {
				continue
			}
			for _, i := range panel {
				if i == 1 && r != top100 {
					continue // the printed judge's own work
				}
				if _, err := svc.SaveScore(ctx, judgeActor(judge(m, i).ID, m), r, id, 0, workflow.ScoreInput{Values: value(k), Submit: true,
					Comment: "取組の具体性が高い。"}); err != nil {
					return fmt.Errorf("score %d by %s: %w", id, judge(m, i).Email, err)
				}
			}
		}
		return nil
	}
	// Top 100: scored inside its window, distinct totals (no ties), decided two weeks ago.
	clk.at(t.scoreTop)
	if err := assign(top100, entries["mic-pioneer"], true, func(k int) map[string]any {
		v := 5 - k
		return map[string]any{"adoption": v, "management": v, "security": v, "outcomes": v}
	}); err != nil {
		return err
	}
	clk.at(t.decide)
	spec := workflow.DecisionSpec{TopN: 4, Reason: "百選の水準に達しなかったため"}
	pv, err := svc.PreviewDecision(ctx, admin, top100, spec)
	if err != nil {
		return err
	}
	if _, err := svc.ApplyDecision(ctx, admin, top100, spec, pv.Fingerprint); err != nil {
		return err
	}
	var onward []int64
	for _, o := range pv.Outcomes {
		if o.Action == workflow.Select && len(onward) < 3 {
			n, err := svc.Transition(ctx, admin, o.NominationID, 0, workflow.Advance, workflow.Input{})
			if err != nil {
				return err
			}
			onward = append(onward, n.ID)
		}
	}
	// The open stages: assigned, and scored by all but the printed judges.
	clk.at(t.assign)
	if err := assign(minister, onward, true, nil); err != nil {
		return err
	}
	mhlw := entries["mhlw-kagayaku"]
	if len(mhlw) > 0 {
		mhlw = mhlw[:len(mhlw)-1] // the last is the MHLW secretariat's to assign
	}
	if err := assign(review, mhlw, true, nil); err != nil {
		return err
	}
	clk.at(t.preScores)
	for _, s := range []struct {
		r     workflow.StageRef
		ids   []int64
		value func(k int) map[string]any
	}{
		{minister, onward, func(k int) map[string]any { return map[string]any{"leadership": 9 - k, "impact": 8 - k} }},
		{review, mhlw, func(k int) map[string]any {
			return map[string]any{"wlb": 5 - k, "productivity": 4, "originality": 4 - k}
		}},
	} {
		as, err := svc.Assignments(ctx, admin, s.r)
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.UserID == judge(ministry[s.r], 1).ID || !a.Active() {
				continue
			}
			k := slices.Index(s.ids, a.NominationID)
			if _, err := svc.SaveScore(ctx, judgeActor(a.UserID, ministry[s.r]),
				s.r, a.NominationID, 0, workflow.ScoreInput{Values: s.value(k), Submit: true, Comment: "模範的な取組。"}); err != nil {
				return fmt.Errorf("score %d by judge %d: %w", a.NominationID, a.UserID, err)
			}
		}
	}
	return nil
}

func demoPassword() string {
	b := make([]byte, 15)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Account is a demo account whose password Load printed.
type Account struct {
	Key      string // admin, mic-secretariat, mhlw-secretariat, mic-chair, mhlw-chair, mic-judge-1, mhlw-judge-1, applicant
	Role     workflow.Role
	Domain   string
	Email    string
	Password string
}

// FiscalYear is the fiscal year of the demo loaded on day now.
func FiscalYear(now time.Time) int { return demoSchedule(now).fiscalYear }

// Answers are the demo answers of the i-th demo organisation's nomination
// to programme.
func Answers(programme string, i int) map[string]any { return demoAnswers(programme, i) }
