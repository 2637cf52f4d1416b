package workflow

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AwardRow is one line of a published award list (the press release's
// annex). Public holds only the form fields marked public.
type AwardRow struct {
	Programme        string
	ProgrammeTitle   Text
	Award            string // the award, or the highest tier reached
	AwardTitle       Text
	OrganisationName string
	Prefecture       string
	PrefectureName   Text
	Municipality     string
	Industry         string
	IndustryName     Text
	Headcount        int // at application
	Public           map[string]string
	FiscalYear       int
}

// PublicField names a public form field, for column headers.
type PublicField struct {
	Key   string
	Label Text
}

// Publication is one version of a programme's published award list.
type Publication struct {
	ID        int64
	Cycle     string
	Programme string
	Version   int
	EmbargoAt time.Time
	Reason    string
	Fields    []PublicField
	Rows      []AwardRow
	CreatedBy string
	CreatedAt time.Time
	// State is computed when staff list the versions: scheduled, public,
	// superseded or withdrawn.
	State          string
	WithdrawnAt    *time.Time
	WithdrawnBy    string
	WithdrawReason string
}

// PublicationTx stores publications.
type PublicationTx interface {
	InsertPublication(ctx context.Context, p *Publication) error                      // Conflict if the version exists
	Publications(ctx context.Context, cycle, programme string) ([]Publication, error) // oldest first
	// CycleNominations lists every nomination of a programme in a cycle.
	CycleNominations(ctx context.Context, cycle, programme string) ([]Nomination, error)
	PublicCorrectionTx
}

// Publish publishes a programme's award list as a new version, visible to
// the public from embargo (Japan time), with the secretariat's corrections of
// public fields overlaid. The results must have been released; a correction
// (any version after one not withdrawn) needs a reason.
// Errors: NotFound; IllegalTransition (results not released); Invalid.
func (s *Service) Publish(ctx context.Context, actor Actor, cycle, programme string, embargo time.Time, reason string) (Publication, error) {
	var pub Publication
	reason = strings.TrimSpace(reason)
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		var prev []Publication
		var err error
		if pub, prev, err = s.nextPublication(ctx, tx, actor, cycle, programme); err != nil {
			return err
		}
		live := slices.ContainsFunc(prev, func(p Publication) bool { return p.WithdrawnAt == nil })
		switch {
		case embargo.IsZero():
			return &Error{Code: Invalid, Message: "embargo required", Problems: []Problem{problem("embargo_at", "required", "解禁日時を指定してください", "an embargo time is required")}}
		case live && reason == "":
			return &Error{Code: Invalid, Message: "a correction needs a reason", Problems: []Problem{problem("reason", "required", "訂正の理由を入力してください", "a correction needs a reason")}}
		case utf8.RuneCountInString(reason) > maxReason || badControl(reason, true):
			return &Error{Code: Invalid, Message: "bad reason", Problems: []Problem{problem("reason", "invalid", "理由が不正です", "is too long or has control characters")}}
		}
		pub.EmbargoAt, pub.Reason, pub.CreatedBy, pub.CreatedAt = embargo.UTC(), reason, actor.ID, now
		return tx.InsertPublication(ctx, &pub)
	})
	return pub, withOp("workflow.Publish", err)
}

// PreviewPublication is the version Publish would store now, without
// storing it: its number, public fields and rows (corrections overlaid),
// with no embargo or reason yet. Staff of the programme only.
// Errors: NotFound; IllegalTransition (results not released).
func (s *Service) PreviewPublication(ctx context.Context, actor Actor, cycle, programme string) (Publication, error) {
	var pub Publication
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		var err error
		pub, _, err = s.nextPublication(ctx, tx, actor, cycle, programme)
		return err
	})
	return pub, withOp("workflow.PreviewPublication", err)
}

// nextPublication builds the next version of a programme's award list and
// returns it with the versions before it (oldest first).
func (s *Service) nextPublication(ctx context.Context, tx Tx, actor Actor, cycle, programme string) (Publication, []Publication, error) {
	cv, p, err := staffProgramme(ctx, tx, s.authz, actor, cycle, programme)
	if err != nil {
		return Publication{}, nil, err
	}
	rel, err := tx.ReleasedAt(ctx, cycle, programme)
	if err != nil {
		return Publication{}, nil, err
	}
	if rel == nil {
		return Publication{}, nil, &Error{Code: IllegalTransition, Message: "results not released", Problems: []Problem{problem("", "not_released",
			"結果を公開（リリース）してから公表してください", "release the programme's results before publishing them")}}
	}
	prev, err := tx.Publications(ctx, cycle, programme)
	if err != nil {
		return Publication{}, nil, err
	}
	ns, err := tx.CycleNominations(ctx, cycle, programme)
	if err != nil {
		return Publication{}, nil, err
	}
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	corrections, err := tx.PublicCorrections(ctx, ids)
	if err != nil {
		return Publication{}, nil, err
	}
	pub := Publication{Cycle: cycle, Programme: programme, Version: len(prev) + 1}
	for _, f := range p.Form.Fields {
		if f.Public {
			pub.Fields = append(pub.Fields, PublicField{Key: f.Key, Label: f.Label})
		}
	}
	for _, n := range ns {
		row, ok, err := s.awardRow(ctx, tx, cv.Cycle.FiscalYear, n, corrections[n.ID])
		if err != nil {
			return Publication{}, nil, err
		}
		if ok {
			pub.Rows = append(pub.Rows, row)
		}
	}
	slices.SortStableFunc(pub.Rows, func(a, b AwardRow) int {
		if c := strings.Compare(rankOf(p, b.Award), rankOf(p, a.Award)); c != 0 {
			return c
		}
		if a.Prefecture != b.Prefecture {
			return strings.Compare(a.Prefecture, b.Prefecture)
		}
		return strings.Compare(a.OrganisationName, b.OrganisationName)
	})
	return pub, prev, nil
}

// rankOf orders awards above tiers, and higher tiers above lower ones.
func rankOf(p *Programme, key string) string {
	if i := slices.IndexFunc(p.Awards, func(t Tier) bool { return t.Key == key }); i >= 0 {
		return "2" + strconv.Itoa(9-i)
	}
	if i := slices.IndexFunc(p.Tiers, func(t Tier) bool { return t.Key == key }); i >= 0 {
		return "1" + strconv.Itoa(i)
	}
	return "0"
}

// awardRow is a nomination's line in the award list, if it has an award or
// a tier to publish: withdrawn and ineligible ones never appear.
func (s *Service) awardRow(ctx context.Context, tx Tx, fy int, n Nomination, corr PublicCorrection) (AwardRow, bool, error) {
	switch n.State {
	case Recognised, InReview, Selected, NotSelected, Awarded:
	default:
		return AwardRow{}, false, nil
	}
	key := n.Award
	if key == "" {
		key = n.Tier
	}
	if key == "" || n.Snapshot == nil {
		return AwardRow{}, false, nil
	}
	cv, err := s.cycleVersion(ctx, tx, n.CycleKey, n.CycleVersion)
	if err != nil {
		return AwardRow{}, false, err
	}
	p, err := programmeOf(cv, &n)
	if err != nil {
		return AwardRow{}, false, err
	}
	title := Text{}
	for _, t := range append(slices.Clone(p.Tiers), p.Awards...) {
		if t.Key == key {
			title = t.Title
		}
	}
	v, _ := corr.overlay(submittedValues(p, &n))
	pref, _ := PrefectureByCode(v.Prefecture)
	ind, _ := IndustryByCode(v.Industry)
	row := AwardRow{Programme: p.Key, ProgrammeTitle: p.Title, Award: key, AwardTitle: title, OrganisationName: v.OrganisationName,
		Prefecture: v.Prefecture, PrefectureName: pref.Name, Municipality: v.Municipality, Industry: v.Industry, IndustryName: ind.Name,
		Headcount: v.Headcount, Public: v.Answers, FiscalYear: fy}
	return row, true, nil
}

func answerText(v any) string {
	switch x := v.(type) {
	case []string:
		return strings.Join(x, ", ")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// Publications lists every version of a programme's award list, embargoed
// or not, each with its state; staff of the programme only.
func (s *Service) Publications(ctx context.Context, actor Actor, cycle, programme string) ([]Publication, error) {
	var out []Publication
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		_, _, err := staffProgramme(ctx, tx, s.authz, actor, cycle, programme)
		if err != nil {
			return err
		}
		if out, err = tx.Publications(ctx, cycle, programme); err != nil {
			return err
		}
		publicationStates(out, now)
		return nil
	})
	return out, withOp("workflow.Publications", err)
}

// PublicAwards is the public award list of a cycle: for every programme,
// its newest version whose embargo has passed, optionally cut to one
// prefecture. Nothing embargoed, and no field not marked public, is ever
// in it. Needs no actor: it is public.
func (s *Service) PublicAwards(ctx context.Context, cycle, prefecture string) ([]Publication, error) {
	var out []Publication
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		cv, err := tx.LatestCycle(ctx, cycle)
		if err != nil {
			return err
		}
		for _, p := range cv.Cycle.Programmes {
			all, err := tx.Publications(ctx, cycle, p.Key)
			if err != nil {
				return err
			}
			for i := len(all) - 1; i >= 0; i-- {
				if all[i].WithdrawnAt == nil && !all[i].EmbargoAt.After(now) {
					pub := all[i]
					if prefecture != "" {
						pub.Rows = slices.DeleteFunc(slices.Clone(pub.Rows), func(r AwardRow) bool { return r.Prefecture != prefecture })
					}
					out = append(out, pub)
					break
				}
			}
		}
		return nil
	})
	return out, withOp("workflow.PublicAwards", err)
}

// PublicPublication returns one version of a programme's award list once
// its embargo has passed, so that corrections can be compared with the
// original. Errors: NotFound (also while embargoed).
func (s *Service) PublicPublication(ctx context.Context, cycle, programme string, version int) (Publication, error) {
	var pub Publication
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		all, err := tx.Publications(ctx, cycle, programme)
		if err != nil {
			return err
		}
		for _, p := range all {
			if p.Version == version && p.WithdrawnAt == nil && !p.EmbargoAt.After(now) {
				pub = p
				return nil
			}
		}
		return Refuse(NotFound, "部門「%[2]s」に公表済みの版 %[1]d はありません", "no published version %[1]d of %[2]s", version, programme)
	})
	return pub, withOp("workflow.PublicPublication", err)
}

// Publication states, as the staff list shows them.
const (
	PublicationScheduled  = "scheduled"  // embargo not reached
	PublicationPublic     = "public"     // the version the public sees now
	PublicationSuperseded = "superseded" // public once, replaced by a newer version
	PublicationWithdrawn  = "withdrawn"  // withdrawn before its embargo: never public
)

// PublicCorrection is the secretariat's correction of a nomination's public
// fields (a misspelt company name, a wrong municipality, a public answer).
// It is overlaid on the submitted snapshot and answers in every later
// publication; the submission itself is never changed. Nil means "as
// submitted".
type PublicCorrection struct {
	NominationID     int64
	OrganisationName *string
	Prefecture       *string
	Municipality     *string
	Industry         *string
	Headcount        *int
	Answers          map[string]string // public form fields, as published
	UpdatedBy        string
	UpdatedAt        time.Time
}

// PublicValues are a nomination's public fields.
type PublicValues struct {
	OrganisationName string
	Prefecture       string
	Municipality     string
	Industry         string
	Headcount        int
	Answers          map[string]string
}

// PublicRecord is what the secretariat sees of a nomination's public fields:
// as submitted, as they will be published, and which were corrected.
type PublicRecord struct {
	NominationID int64
	Version      int // the nomination's version: send it in If-Match to correct
	Submitted    PublicValues
	Public       PublicValues
	Corrected    []string
}

// PublicPatch changes public fields: a nil field is left as it is; a value
// equal to the submitted one drops the correction. In Answers, a nil value
// drops the correction of that field.
type PublicPatch struct {
	OrganisationName *string        `json:"organisation_name"`
	Prefecture       *string        `json:"prefecture"`
	Municipality     *string        `json:"municipality"`
	Industry         *string        `json:"industry"`
	Headcount        *int           `json:"headcount"`
	Answers          map[string]any `json:"answers"`
	Reason           string         `json:"reason"`
}

// CorrectPublic is the history action of a correction of public fields.
const CorrectPublic Action = "correct_public"

// PublicCorrectionTx stores corrections and withdrawals.
type PublicCorrectionTx interface {
	// PublicCorrections returns the corrections of the given nominations, by id.
	PublicCorrections(ctx context.Context, ids []int64) (map[int64]PublicCorrection, error)
	// SavePublicCorrection inserts or replaces a nomination's correction.
	SavePublicCorrection(ctx context.Context, c PublicCorrection) error
	// WithdrawPublication marks a version withdrawn; Conflict if it already is.
	WithdrawPublication(ctx context.Context, id int64, at time.Time, by, reason string) error
}

func submittedValues(p *Programme, n *Nomination) PublicValues {
	o := n.Snapshot
	v := PublicValues{OrganisationName: o.Name, Prefecture: o.Prefecture, Municipality: o.Municipality, Industry: o.Industry,
		Headcount: o.TotalHeadcount, Answers: map[string]string{}}
	for _, f := range p.Form.Fields {
		if a, ok := n.Answers[f.Key]; ok && f.Public {
			v.Answers[f.Key] = answerText(a)
		}
	}
	return v
}

// overlay returns v with the correction applied, and the corrected keys.
func (c PublicCorrection) overlay(v PublicValues) (PublicValues, []string) {
	var keys []string
	set := func(key string, dst *string, src *string) {
		if src != nil {
			*dst = *src
			keys = append(keys, key)
		}
	}
	set("organisation_name", &v.OrganisationName, c.OrganisationName)
	set("prefecture", &v.Prefecture, c.Prefecture)
	set("municipality", &v.Municipality, c.Municipality)
	set("industry", &v.Industry, c.Industry)
	if c.Headcount != nil {
		v.Headcount = *c.Headcount
		keys = append(keys, "headcount")
	}
	answers := make(map[string]string, len(v.Answers))
	for k, a := range v.Answers {
		answers[k] = a
	}
	ak := make([]string, 0, len(c.Answers))
	for k, a := range c.Answers {
		answers[k] = a
		ak = append(ak, "answers."+k)
	}
	slices.Sort(ak)
	v.Answers = answers
	return v, append(keys, ak...)
}

// publicNomination loads a submitted nomination for a correction of its
// public fields: staff of its programme only (others do not learn of it).
func (s *Service) publicNomination(ctx context.Context, tx Tx, actor Actor, id int64, now time.Time) (*Context, error) {
	c, _, err := s.visible(ctx, tx, actor, id, now)
	if err != nil {
		return nil, err
	}
	if !staffOf(s.authz, actor, c.Programme) {
		return nil, Refuse(Forbidden, "公表項目の訂正は事務局が行います", "only the secretariat corrects public fields")
	}
	if c.Nomination.Snapshot == nil {
		return nil, &Error{Code: IllegalTransition, Message: "not submitted", Ja: "提出されていない応募です",
			Problems: []Problem{problem("", "not_submitted", "提出された応募だけ公表項目を訂正できます", "only a submitted nomination's public fields can be corrected")}}
	}
	return c, nil
}

func (s *Service) publicRecord(ctx context.Context, tx Tx, c *Context) (PublicRecord, PublicCorrection, error) {
	n := c.Nomination
	cs, err := tx.PublicCorrections(ctx, []int64{n.ID})
	if err != nil {
		return PublicRecord{}, PublicCorrection{}, err
	}
	corr := cs[n.ID]
	corr.NominationID = n.ID
	r := PublicRecord{NominationID: n.ID, Version: n.Version, Submitted: submittedValues(c.Programme, n)}
	r.Public, r.Corrected = corr.overlay(r.Submitted)
	if r.Corrected == nil {
		r.Corrected = []string{}
	}
	return r, corr, nil
}

// PublicRecord returns a nomination's public fields as submitted and as
// they will be published. Staff of its programme.
func (s *Service) PublicRecord(ctx context.Context, actor Actor, id int64) (PublicRecord, error) {
	var r PublicRecord
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		c, err := s.publicNomination(ctx, tx, actor, id, now)
		if err != nil {
			return err
		}
		r, _, err = s.publicRecord(ctx, tx, c)
		return err
	})
	return r, withOp("workflow.PublicRecord", err)
}

// CorrectPublic corrects a nomination's public fields with a reason, kept
// in its history (correct_public); the next publication version publishes
// the corrected values. expected is the nomination's version.
// Errors: NotFound, Forbidden, Conflict (stale version), Invalid.
func (s *Service) CorrectPublic(ctx context.Context, actor Actor, id int64, expected int, patch PublicPatch) (PublicRecord, error) {
	var r PublicRecord
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		c, err := s.publicNomination(ctx, tx, actor, id, now)
		if err != nil {
			return err
		}
		n := *c.Nomination
		if n.Version != expected {
			return Refuse(Conflict, "応募 %d は版 %d です（指定は %d）。読み込み直してください", "nomination %d is at version %d, not %d; reload it",
				id, n.Version, expected)
		}
		rec, corr, err := s.publicRecord(ctx, tx, c)
		if err != nil {
			return err
		}
		var ps []Problem
		add := func(p *Problem) {
			if p != nil {
				ps = append(ps, *p)
			}
		}
		add(reasonProblem("reason", patch.Reason, true))
		text := func(path string, v *string, max int, submitted string, dst **string) {
			if v == nil {
				return
			}
			x := normalise(*v)
			switch {
			case x == "":
				ps = append(ps, problem(path, "required", "入力してください", "is required"))
			case utf8.RuneCountInString(x) > max:
				ps = append(ps, problem(path, "too_long", fmt.Sprintf("%d文字以内で入力してください", max), fmt.Sprintf("must be at most %d characters", max)))
			default:
				if p := textProblem(path, x, false); p != nil {
					ps = append(ps, *p)
					return
				}
				*dst = &x
				if x == submitted {
					*dst = nil
				}
			}
		}
		text("organisation_name", patch.OrganisationName, 200, rec.Submitted.OrganisationName, &corr.OrganisationName)
		text("municipality", patch.Municipality, 100, rec.Submitted.Municipality, &corr.Municipality)
		if patch.Prefecture != nil {
			if _, ok := PrefectureByCode(normalise(*patch.Prefecture)); !ok {
				ps = append(ps, problem("prefecture", "unknown", "都道府県コードが不正です（01〜47）", "must be a JIS prefecture code 01–47"))
			} else {
				text("prefecture", patch.Prefecture, 2, rec.Submitted.Prefecture, &corr.Prefecture)
			}
		}
		if patch.Industry != nil {
			if _, ok := IndustryByCode(normalise(*patch.Industry)); !ok {
				ps = append(ps, problem("industry", "unknown", "産業分類が不正です（A〜T）", "must be a JSIC major division A–T"))
			} else {
				text("industry", patch.Industry, 1, rec.Submitted.Industry, &corr.Industry)
			}
		}
		if h := patch.Headcount; h != nil {
			switch {
			case *h < 1:
				ps = append(ps, problem("headcount", "out_of_range", "1以上で入力してください", "must be at least 1"))
			case *h == rec.Submitted.Headcount:
				corr.Headcount = nil
			default:
				corr.Headcount = h
			}
		}
		if len(patch.Answers) > 0 {
			// Checked like answers: only public fields, each normalised by its type.
			typed := map[string]any{}
			for k, v := range patch.Answers {
				fd, ok := c.Programme.Form.Field(k)
				switch {
				case !ok || !fd.Public:
					ps = append(ps, problem("answers."+k, "not_public", "公表項目ではありません", "is not a public field of this form"))
				case v == nil:
					delete(corr.Answers, k)
				default:
					typed[k] = v
				}
			}
			checked, aps := c.Programme.Form.Apply(Answers{}, typed)
			ps = append(ps, aps...)
			for k, v := range checked {
				fd, _ := c.Programme.Form.Field(k)
				t := answerText(v)
				if t == "" {
					ps = append(ps, problem("answers."+k, "required", "値を入力してください（訂正を取り消すには null）", "needs a value (null drops the correction)"))
					continue
				}
				if p := textProblem("answers."+k, t, fd.Type == FieldLongText); p != nil {
					ps = append(ps, *p)
					continue
				}
				if corr.Answers == nil {
					corr.Answers = map[string]string{}
				}
				corr.Answers[k] = t
				if sub, ok := rec.Submitted.Answers[k]; ok && sub == t {
					delete(corr.Answers, k)
				}
			}
		}
		if err := invalid("invalid correction", ps); err != nil {
			return err
		}
		_, keys := corr.overlay(rec.Submitted)
		corr.UpdatedBy, corr.UpdatedAt = actor.ID, now
		if err := tx.SavePublicCorrection(ctx, corr); err != nil {
			return err
		}
		n.Version, n.UpdatedAt = n.Version+1, now
		if err := tx.UpdateNominations(ctx, []Nomination{n}); err != nil {
			return err
		}
		what := strings.Join(keys, ", ")
		if what == "" {
			what = "as submitted"
		}
		if err := tx.AppendHistory(ctx, []HistoryEntry{{NominationID: n.ID, Version: n.Version, ActorID: actor.ID, ActorName: actor.Name,
			Role: actor.RoleIn(c.Programme.Ministry), Action: CorrectPublic, From: n.State, To: n.State, Stage: n.Stage, Tier: n.Tier, Award: n.Award,
			Reason: strings.TrimSpace(patch.Reason) + " [" + what + "]", At: now}}); err != nil {
			return err
		}
		c.Nomination = &n
		r, _, err = s.publicRecord(ctx, tx, c)
		return err
	})
	return r, withOp("workflow.CorrectPublic", err)
}

// WithdrawPublication withdraws a version of a programme's award list
// before its embargo ends: it never becomes public. After the embargo the
// public has seen it; publish a corrected version instead.
// Errors: NotFound; IllegalTransition (embargo passed, already withdrawn); Invalid (reason).
func (s *Service) WithdrawPublication(ctx context.Context, actor Actor, cycle, programme string, version int, reason string) (Publication, error) {
	var pub Publication
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		_, _, err := staffProgramme(ctx, tx, s.authz, actor, cycle, programme)
		if err != nil {
			return err
		}
		if err := invalid("invalid withdrawal", problems(reasonProblem("reason", reason, true))); err != nil {
			return err
		}
		all, err := tx.Publications(ctx, cycle, programme)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(p Publication) bool { return p.Version == version })
		if i < 0 {
			return Refuse(NotFound, "公表の版 %d はありません", "no publication version %d", version)
		}
		pub = all[i]
		switch {
		case pub.WithdrawnAt != nil:
			return Refuse(IllegalTransition, "版 %d は取り下げ済みです", "version %d is already withdrawn", version)
		case !pub.EmbargoAt.After(now):
			return Refuse(IllegalTransition, "版 %d は解禁済みで公開されています。取り下げず、訂正版を公表してください",
				"version %d is past its embargo and public: publish a corrected version instead", version)
		}
		pub.WithdrawnAt, pub.WithdrawnBy, pub.WithdrawReason = &now, actor.ID, strings.TrimSpace(reason)
		pub.State = PublicationWithdrawn
		return tx.WithdrawPublication(ctx, pub.ID, now, actor.ID, pub.WithdrawReason)
	})
	return pub, withOp("workflow.WithdrawPublication", err)
}

func problems(p *Problem) []Problem {
	if p == nil {
		return nil
	}
	return []Problem{*p}
}

// publicationStates sets each version's state at now (versions oldest first).
func publicationStates(all []Publication, now time.Time) {
	current := -1
	for i := range all {
		if all[i].WithdrawnAt == nil && !all[i].EmbargoAt.After(now) {
			current = i
		}
	}
	for i := range all {
		switch {
		case all[i].WithdrawnAt != nil:
			all[i].State = PublicationWithdrawn
		case all[i].EmbargoAt.After(now):
			all[i].State = PublicationScheduled
		case i == current:
			all[i].State = PublicationPublic
		default:
			all[i].State = PublicationSuperseded
		}
	}
}
