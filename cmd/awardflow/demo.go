package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/docs"
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

func demoOrgs() []demoOrg {
	org := func(name, kana, form, pref, city, ind string, sector workflow.SMESector, total, regular int, capital *int64, corp string) workflow.Organisation {
		return workflow.Organisation{Name: name, NameKana: kana, LegalForm: workflow.LegalForm(form), CorporateNumber: corp,
			Prefecture: pref, Municipality: city, Industry: ind, SMESector: sector,
			TotalHeadcount: total, RegularHeadcount: regular, Capital: capital}
	}
	return []demoOrg{
		{org: org("株式会社さくらクラウド研究所", "サクラクラウドケンキュウジョ", "kabushiki_kaisha", "13", "千代田区", "G", workflow.SectorServices, 320, 290, yen(80_000_000), "4011001098993"),
			programme: "mic-pioneer", steps: []demoStep{screen, recognise, advance,
				{action: workflow.Select, in: workflow.Input{Reason: "全社員の8割が週3日以上実施"}}, advance,
				{action: workflow.Award, in: workflow.Input{Award: "minister", Reason: "地方在住者の採用拡大"}}}},
		{org: org("浪速精密工業株式会社", "ナニワセイミツコウギョウ", "kabushiki_kaisha", "27", "東大阪市", "E", "", 180, 170, yen(90_000_000), "7000012050002"),
			programme: "mic-pioneer", steps: []demoStep{screen, recognise, advance, {action: workflow.Select, in: workflow.Input{Reason: "製造現場でのテレワーク工夫"}}}},
		{org: org("合同会社博多デザインラボ", "ハカタデザインラボ", "godo_kaisha", "40", "福岡市", "L", "", 24, 22, yen(3_000_000), ""),
			programme: "mic-pioneer", steps: []demoStep{screen, recognise, advance}},
		{org: org("北海土木建設株式会社", "ホッカイドボクケンセツ", "kabushiki_kaisha", "01", "札幌市", "D", "", 450, 430, yen(400_000_000), "2120901007402"),
			programme: "mic-pioneer", steps: []demoStep{screen, recognise}},
		{org: org("社会福祉法人きょうと未来会", "キョウトミライカイ", "social_welfare_corporation", "26", "京都市", "P", "", 210, 160, nil, ""),
			programme: "mic-pioneer"},
		{org: org("瀬戸内食品株式会社", "セトウチショクヒン", "kabushiki_kaisha", "34", "広島市", "E", "", 95, 90, yen(20_000_000), ""),
			programme: "mic-pioneer", steps: []demoStep{screen, {action: workflow.DeclareIneligible, in: workflow.Input{Reason: "就業規則にテレワークの定めがない"}}}},
		{org: org("信州市町村共同事務センター", "シンシュウシチョウソンキョウドウジムセンター", "local_government", "20", "長野市", "S", "", 60, 55, nil, ""),
			programme: "mic-pioneer", draft: true},
		{org: org("尾張信用金庫", "オワリシンヨウキンコ", "cooperative", "23", "名古屋市", "J", "", 1200, 1100, nil, "7123456789012"),
			programme: "mhlw-kagayaku", steps: []demoStep{screen, recognise, advance}},
		{org: org("株式会社杜の都ホテルズ", "モリノミヤコホテルズ", "kabushiki_kaisha", "04", "仙台市", "M", workflow.SectorServices, 140, 120, yen(50_000_000), ""),
			programme: "mhlw-kagayaku", steps: []demoStep{{action: workflow.Return, in: workflow.Input{Reason: "時間外労働の記録が添付されていません"}}}},
		{org: org("特定非営利活動法人ちゅらリモート", "チュラリモート", "npo", "47", "那覇市", "R", "", 12, 10, nil, ""),
			programme: "mhlw-kagayaku", steps: []demoStep{screen}},
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

// loadDemo loads the example cycle and demo organisations and nominations
// into an empty database; a database with any cycle is left alone. The demo
// runs on a clock inside the FY2026 call, so its history reads like a year.
func loadDemo(ctx context.Context, d *db.DB, getenv func(string) string, stdout io.Writer) error {
	t := time.Date(2026, 7, 1, 10, 0, 0, 0, workflow.Tokyo)
	clock := func() time.Time { t = t.Add(7 * time.Minute); return t }
	svc := workflow.NewService(db.NewStore(d), clock)
	keys, err := svc.CycleKeys(ctx)
	if err != nil {
		return err
	}
	admin := cliActor(getenv)
	if len(keys) > 0 {
		fmt.Fprintf(stdout, "demo: the database already holds cycle %s; demo data not loaded\n", keys[0])
		return demoAccounts(ctx, svc, admin, stdout, false)
	}
	c, err := cyclefile.Parse(docs.ExampleCycle)
	if err != nil {
		return err
	}
	admin.Name = "デモ事務局"
	if _, err := svc.LoadCycle(ctx, admin, c, false); err != nil {
		return err
	}
	for i, do := range demoOrgs() {
		o, err := svc.CreateOrganisation(ctx, admin, do.org)
		if err != nil {
			return fmt.Errorf("%s: %w", do.org.Name, err)
		}
		applicant := workflow.Actor{ID: fmt.Sprintf("demo-applicant-%d", o.ID), Name: o.Name,
			Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}, OrganisationID: o.ID}
		n, err := svc.CreateNomination(ctx, applicant, o.ID, c.Key, do.programme)
		if err != nil {
			return err
		}
		if n, err = svc.UpdateAnswers(ctx, applicant, n.ID, n.Version, demoAnswers(do.programme, i)); err != nil {
			return fmt.Errorf("%s: %w", o.Name, err)
		}
		if do.draft {
			continue
		}
		if n, err = svc.Transition(ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{}); err != nil {
			return fmt.Errorf("%s: submit: %w", o.Name, err)
		}
		for _, s := range do.steps {
			in := s.in
			if s.action == workflow.Return {
				due := time.Date(2026, 12, 25, 17, 0, 0, 0, workflow.Tokyo)
				in.Due = &due
			}
			if n, err = svc.Transition(ctx, admin, n.ID, n.Version, s.action, in); err != nil {
				return fmt.Errorf("%s: %s: %w", o.Name, s.action, err)
			}
		}
	}
	fmt.Fprintf(stdout, "demo: loaded cycle %s with %d organisations and their nominations\n", c.Key, len(demoOrgs()))
	return demoAccounts(ctx, svc, admin, stdout, true)
}

// demoAccounts creates one account per role (the applicant acts for the
// first demo organisation), or resets their passwords if they exist, and
// prints them. Passwords are new at every start, so a demo left running
// somewhere is not open to a password published in a README. Accounts are
// created only in a database the demo itself loaded (create), so --demo
// on a real database never adds an administrator.
func demoAccounts(ctx context.Context, svc *workflow.Service, admin workflow.Actor, stdout io.Writer, create bool) error {
	accounts := []workflow.NewUser{
		{Email: "admin@demo.awardflow.example", Name: "デモ管理者", Role: workflow.RoleAdmin, Domain: workflow.AnyDomain},
		{Email: "mic-secretariat@demo.awardflow.example", Name: "総務省事務局（デモ）", Role: workflow.RoleSecretariat, Domain: "mic"},
		{Email: "mhlw-secretariat@demo.awardflow.example", Name: "厚労省事務局（デモ）", Role: workflow.RoleSecretariat, Domain: "mhlw"},
		{Email: "mic-chair@demo.awardflow.example", Name: "審査委員長（デモ）", Role: workflow.RoleChair, Domain: "mic"},
		{Email: "mic-judge@demo.awardflow.example", Name: "審査員（デモ・総務省）", Role: workflow.RoleJudge, Domain: "mic"},
		{Email: "mhlw-judge@demo.awardflow.example", Name: "審査員（デモ・厚労省）", Role: workflow.RoleJudge, Domain: "mhlw"},
		{Email: "applicant@demo.awardflow.example", Name: "応募担当（デモ）", Role: workflow.RoleApplicant, Domain: workflow.AnyDomain, OrganisationID: 1},
	}
	if !create {
		if err := svc.ResetPassword(ctx, admin, accounts[0].Email, demoPassword()); workflow.ErrorCode(err) == workflow.NotFound {
			fmt.Fprintln(stdout, "demo: this database was not loaded by --demo; no demo accounts")
			return nil
		} else if err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, "demo accounts (passwords are new at every start with --demo):")
	created := map[workflow.Role]int64{}
	for _, a := range accounts {
		a.Password = demoPassword()
		if err := svc.ResetPassword(ctx, admin, a.Email, a.Password); workflow.ErrorCode(err) == workflow.NotFound && create {
			u, err := svc.CreateUser(ctx, admin, a)
			if err != nil {
				return fmt.Errorf("demo account %s: %w", a.Email, err)
			}
			if a.Domain == "mic" {
				created[a.Role] = u.ID
			}
		} else if err != nil {
			return fmt.Errorf("demo account %s: %w", a.Email, err)
		}
		fmt.Fprintf(stdout, "  %-12s %-6s %-40s %s\n", a.Role, a.Domain, a.Email, a.Password)
	}
	if create {
		return demoPanel(ctx, svc, admin, created)
	}
	return nil
}

// demoPanel puts the demo MIC judge and chair on the Top 100 panel and
// assigns the judge the entry under review there.
func demoPanel(ctx context.Context, svc *workflow.Service, admin workflow.Actor, users map[workflow.Role]int64) error {
	ref := workflow.StageRef{Cycle: "fy2026-telework", Programme: "mic-pioneer", Stage: "top100"}
	for _, role := range []workflow.Role{workflow.RoleJudge, workflow.RoleChair} {
		if _, err := svc.SetPanelMember(ctx, admin, ref, workflow.PanelMember{UserID: users[role], Role: role}); err != nil {
			return fmt.Errorf("demo panel: %w", err)
		}
	}
	items, _, err := svc.Nominations(ctx, admin, workflow.NominationFilter{Programme: ref.Programme, State: workflow.InReview})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Nomination.Stage == ref.Stage {
			if _, err := svc.Assign(ctx, admin, ref, it.Nomination.ID, users[workflow.RoleJudge]); err != nil {
				return fmt.Errorf("demo assignment: %w", err)
			}
		}
	}
	return nil
}

func demoPassword() string {
	b := make([]byte, 10)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
