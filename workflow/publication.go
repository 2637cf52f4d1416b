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
	Programme        string            `json:"programme"`
	ProgrammeTitle   Text              `json:"programme_title"`
	Award            string            `json:"award"` // the award, or the highest tier reached
	AwardTitle       Text              `json:"award_title"`
	OrganisationName string            `json:"organisation_name"`
	Prefecture       string            `json:"prefecture"`
	PrefectureName   Text              `json:"prefecture_name"`
	Municipality     string            `json:"municipality"`
	Industry         string            `json:"industry"`
	IndustryName     Text              `json:"industry_name"`
	Headcount        int               `json:"headcount"` // at application
	Public           map[string]string `json:"public"`
	FiscalYear       int               `json:"fiscal_year"`
}

// PublicField names a public form field, for column headers.
type PublicField struct {
	Key   string `json:"key"`
	Label Text   `json:"label"`
}

// Publication is one version of a programme's published award list.
type Publication struct {
	ID        int64         `json:"id"`
	Cycle     string        `json:"cycle"`
	Programme string        `json:"programme"`
	Version   int           `json:"version"`
	EmbargoAt time.Time     `json:"embargo_at"`
	Reason    string        `json:"reason,omitempty"`
	Fields    []PublicField `json:"fields"`
	Rows      []AwardRow    `json:"rows"`
	CreatedBy string        `json:"-"`
	CreatedAt time.Time     `json:"created_at"`
}

// PublicationTx stores publications.
type PublicationTx interface {
	InsertPublication(ctx context.Context, p *Publication) error                      // Conflict if the version exists
	Publications(ctx context.Context, cycle, programme string) ([]Publication, error) // oldest first
	// CycleNominations lists every nomination of a programme in a cycle.
	CycleNominations(ctx context.Context, cycle, programme string) ([]Nomination, error)
}

// Publish publishes a programme's award list as a new version, visible to
// the public from embargo (Japan time). The results must have been released;
// a correction (any version after the first) needs a reason.
// Errors: NotFound; IllegalTransition (results not released); Invalid.
func (s *Service) Publish(ctx context.Context, actor Actor, cycle, programme string, embargo time.Time, reason string) (Publication, error) {
	var pub Publication
	reason = strings.TrimSpace(reason)
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		cv, err := tx.LatestCycle(ctx, cycle)
		if err != nil {
			return err
		}
		p, ok := cv.Cycle.Programme(programme)
		if !ok || !staffOf(actor, p) {
			return Errorf(NotFound, "no programme %q in %s", programme, cycle)
		}
		rel, err := tx.ReleasedAt(ctx, cycle, programme)
		if err != nil {
			return err
		}
		if rel == nil {
			return &Error{Code: IllegalTransition, Message: "results not released", Problems: []Problem{problem("", "not_released",
				"結果を公開（リリース）してから公表してください", "release the programme's results before publishing them")}}
		}
		prev, err := tx.Publications(ctx, cycle, programme)
		if err != nil {
			return err
		}
		switch {
		case embargo.IsZero():
			return &Error{Code: Invalid, Message: "embargo required", Problems: []Problem{problem("embargo_at", "required", "解禁日時を指定してください", "an embargo time is required")}}
		case len(prev) > 0 && reason == "":
			return &Error{Code: Invalid, Message: "a correction needs a reason", Problems: []Problem{problem("reason", "required", "訂正の理由を入力してください", "a correction needs a reason")}}
		case utf8.RuneCountInString(reason) > maxReason || badControl(reason, true):
			return &Error{Code: Invalid, Message: "bad reason", Problems: []Problem{problem("reason", "invalid", "理由が不正です", "is too long or has control characters")}}
		}
		ns, err := tx.CycleNominations(ctx, cycle, programme)
		if err != nil {
			return err
		}
		pub = Publication{Cycle: cycle, Programme: programme, Version: len(prev) + 1, EmbargoAt: embargo.UTC(), Reason: reason,
			CreatedBy: actor.ID, CreatedAt: now}
		for _, f := range p.Form.Fields {
			if f.Public {
				pub.Fields = append(pub.Fields, PublicField{Key: f.Key, Label: f.Label})
			}
		}
		for _, n := range ns {
			row, ok, err := s.awardRow(ctx, tx, cv.Cycle.FiscalYear, n)
			if err != nil {
				return err
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
		return tx.InsertPublication(ctx, &pub)
	})
	return pub, withOp("workflow.Publish", err)
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
func (s *Service) awardRow(ctx context.Context, tx Tx, fy int, n Nomination) (AwardRow, bool, error) {
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
	o := n.Snapshot
	pref, _ := PrefectureByCode(o.Prefecture)
	ind, _ := IndustryByCode(o.Industry)
	row := AwardRow{Programme: p.Key, ProgrammeTitle: p.Title, Award: key, AwardTitle: title, OrganisationName: o.Name,
		Prefecture: o.Prefecture, PrefectureName: pref.Name, Municipality: o.Municipality, Industry: o.Industry, IndustryName: ind.Name,
		Headcount: o.TotalHeadcount, Public: map[string]string{}, FiscalYear: fy}
	for _, f := range p.Form.Fields {
		if !f.Public {
			continue
		}
		if v, ok := n.Answers[f.Key]; ok {
			row.Public[f.Key] = answerText(v)
		}
	}
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
// or not; staff of the programme only.
func (s *Service) Publications(ctx context.Context, actor Actor, cycle, programme string) ([]Publication, error) {
	var out []Publication
	err := s.store.InTx(ctx, func(tx Tx) error {
		cv, err := tx.LatestCycle(ctx, cycle)
		if err != nil {
			return err
		}
		p, ok := cv.Cycle.Programme(programme)
		if !ok || !staffOf(actor, p) {
			return Errorf(NotFound, "no programme %q in %s", programme, cycle)
		}
		out, err = tx.Publications(ctx, cycle, programme)
		return err
	})
	return out, withOp("workflow.Publications", err)
}

// PublicAwards is the public award list of a cycle: for every programme,
// its newest version whose embargo has passed, optionally cut to one
// prefecture. Nothing embargoed, and no field not marked public, is ever
// in it. Needs no actor: it is public.
func (s *Service) PublicAwards(ctx context.Context, cycle, prefecture string) ([]Publication, error) {
	var out []Publication
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
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
				if !all[i].EmbargoAt.After(now) {
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
	err := s.store.InTx(ctx, func(tx Tx) error {
		all, err := tx.Publications(ctx, cycle, programme)
		if err != nil {
			return err
		}
		for _, p := range all {
			if p.Version == version && !p.EmbargoAt.After(s.now()) {
				pub = p
				return nil
			}
		}
		return Errorf(NotFound, "no published version %d of %s", version, programme)
	})
	return pub, withOp("workflow.PublicPublication", err)
}
