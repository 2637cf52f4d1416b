package workflow

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SheetFormat is the version of the offline scoring sheet's layout.
const SheetFormat = 1

// SheetProvenance says what a scoring sheet was issued for. It travels in
// the sheet, signed with the server's key, so that an import can trust
// nothing else about the file.
type SheetProvenance struct {
	Format     int             `json:"format"`
	Cycle      string          `json:"cycle"`
	Programme  string          `json:"programme"`
	Stage      string          `json:"stage"`
	JudgeID    int64           `json:"judge_id"`
	RubricHash string          `json:"rubric_hash"`
	Criteria   []string        `json:"criteria"` // column order
	Entries    []SheetEntryKey `json:"entries"`
	IssuedAt   time.Time       `json:"issued_at"`
}

// SheetEntryKey is a row's key and the judge's score version when issued.
type SheetEntryKey struct {
	Key          string `json:"key"`
	NominationID int64  `json:"nomination_id"`
	ScoreVersion int    `json:"score_version"`
}

// ScoringSheet is everything an offline scoring sheet shows.
type ScoringSheet struct {
	Provenance     SheetProvenance
	ProvenanceJSON []byte
	Signature      string
	Lang           string // the judge's language
	CycleTitle     Text
	ProgrammeTitle Text
	StageTitle     Text
	JudgeName      string
	Judging        Judging
	Entries        []SheetEntry
}

// SheetEntry is one row of a scoring sheet.
type SheetEntry struct {
	Key              string
	Code             string
	OrganisationName string
	Score            *Score
}

// SheetCell is a cell read back from an uploaded sheet.
type SheetCell struct {
	Ref     string // "D5"
	Text    string
	Formula bool
}

// SheetRow is a row read back from an uploaded sheet.
type SheetRow struct {
	Row     int
	Key     SheetCell
	Values  map[string]SheetCell
	Comment SheetCell
}

// SheetUpload is an uploaded scoring sheet as read, before any checks.
type SheetUpload struct {
	ProvenanceJSON []byte
	Signature      string
	Rows           []SheetRow
	Problems       []Problem // found while reading (missing sheets, formulas, …)
}

// ImportResult is what an import changed.
type ImportResult struct {
	Changed   int
	Unchanged int
	Blank     int
}

// ScoresSheetName is the name of the sheet holding the scores.
const ScoresSheetName = "Scores"

// WithSheetKey sets the key that signs offline scoring sheets.
func WithSheetKey(key []byte) ServiceOption {
	return func(s *Service) { s.sheetKey = slices.Clone(key) }
}

func (s *Service) sign(data []byte) (string, error) {
	if len(s.sheetKey) < 32 {
		return "", Errorf(Internal, "no scoring-sheet signing key is configured")
	}
	m := hmac.New(sha256.New, s.sheetKey)
	m.Write(data)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// RubricHash identifies a rubric's content; a sheet issued for another
// rubric cannot be imported.
func RubricHash(j *Judging) string {
	sum := sha256.Sum256(canonicalRubric(j.Rubric))
	return hex.EncodeToString(sum[:8])
}

// EntryCode is the short code an entry shows in sheets.
func EntryCode(id int64) string { return fmt.Sprintf("E%05d", id) }

// ScoringSheet issues a judge's scoring sheet for a stage: its assigned
// entries (never conflicted or recused ones) with current scores, signed.
// A judge gets its own; the secretariat any panel judge's.
// Errors: NotFound; Forbidden.
func (s *Service) ScoringSheet(ctx context.Context, actor Actor, ref StageRef, judgeID int64) (ScoringSheet, error) {
	var sh ScoringSheet
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		in, err := s.sheetInputs(ctx, tx, ref, now)
		if err != nil {
			return err
		}
		sh, err = s.sheetFor(ctx, tx, d, in, actor, ref, judgeID)
		return err
	})
	return sh, withOp("workflow.ScoringSheet", err)
}

// ScoringSheets issues every panel judge's sheet; the secretariat only.
func (s *Service) ScoringSheets(ctx context.Context, actor Actor, ref StageRef) ([]ScoringSheet, error) {
	var out []ScoringSheet
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermExportSheets)
		if err != nil {
			return err
		}
		in, err := s.sheetInputs(ctx, tx, ref, now)
		if err != nil {
			return err
		}
		for _, m := range d.panel {
			sh, err := s.sheetFor(ctx, tx, d, in, actor, ref, m.UserID)
			if err != nil {
				return err
			}
			out = append(out, sh)
		}
		return nil
	})
	return out, withOp("workflow.ScoringSheets", err)
}

// sheetInputs is what every sheet of a stage reads: read once for a zip of many.
type sheetInputs struct {
	cycle    Cycle
	scores   map[[2]int64]*Score // (nomination, judge)
	issuedAt time.Time           // the transaction's clock reading, to the second
}

func (s *Service) sheetInputs(ctx context.Context, tx Tx, ref StageRef, now time.Time) (sheetInputs, error) {
	cv, err := tx.LatestCycle(ctx, ref.Cycle)
	if err != nil {
		return sheetInputs{}, err
	}
	scores, err := tx.Scores(ctx, ref)
	if err != nil {
		return sheetInputs{}, err
	}
	in := sheetInputs{cycle: cv.Cycle, scores: make(map[[2]int64]*Score, len(scores)), issuedAt: now.Truncate(time.Second)}
	for i := range scores {
		in.scores[[2]int64{scores[i].NominationID, scores[i].UserID}] = &scores[i]
	}
	return in, nil
}

func (s *Service) sheetFor(ctx context.Context, tx Tx, d *stageData, in sheetInputs, actor Actor, ref StageRef, judgeID int64) (ScoringSheet, error) {
	switch {
	case d.may(PermAnyJudgeSheet, 0):
	case judgeID == actor.UserID && d.may(PermWriteScores, anyFacts):
	case d.may(PermWriteScores, anyFacts):
		return ScoringSheet{}, Refuse(NotFound, "審査員 %d の採点シートはありません", "no scoring sheet for judge %d", judgeID)
	default:
		return ScoringSheet{}, Refuse(Forbidden, "採点シートは審査会の構成員と事務局だけが使えます", "scoring sheets are for panel members and the secretariat")
	}
	m, ok := d.member(judgeID)
	if !ok {
		return ScoringSheet{}, Refuse(NotFound, "審査員 %d はこの審査会の構成員ではありません", "judge %d is not on the panel", judgeID)
	}
	u, err := tx.User(ctx, judgeID)
	if err != nil {
		return ScoringSheet{}, err
	}
	j := d.stage.Judging
	sh := ScoringSheet{Lang: u.Locale, CycleTitle: in.cycle.Title, ProgrammeTitle: d.programme.Title, StageTitle: d.stage.Title,
		JudgeName: m.Name, Judging: *j}
	prov := SheetProvenance{Format: SheetFormat, Cycle: ref.Cycle, Programme: ref.Programme, Stage: ref.Stage, JudgeID: judgeID,
		RubricHash: RubricHash(j), IssuedAt: in.issuedAt}
	for _, c := range j.Rubric {
		prov.Criteria = append(prov.Criteria, c.Key)
	}
	for _, n := range d.entries {
		if d.mayJudge(n.ID, judgeID) != nil {
			continue
		}
		e := SheetEntry{Key: strconv.FormatInt(n.ID, 10), Code: EntryCode(n.ID)}
		if n.Snapshot != nil {
			e.OrganisationName = n.Snapshot.Name
		}
		version := 0
		if sc := in.scores[[2]int64{n.ID, judgeID}]; sc != nil {
			e.Score, version = sc, sc.Version
		}
		sh.Entries = append(sh.Entries, e)
		prov.Entries = append(prov.Entries, SheetEntryKey{Key: e.Key, NominationID: n.ID, ScoreVersion: version})
	}
	data, err := json.Marshal(prov)
	if err != nil {
		return sh, err
	}
	sig, err := s.sign(data)
	if err != nil {
		return sh, err
	}
	sh.Provenance, sh.ProvenanceJSON, sh.Signature = prov, data, sig
	return sh, nil
}

func sheetProblem(ref, code, ja, en string) Problem {
	return Problem{Path: ScoresSheetName + "!" + ref, Code: code, Message: Text{Ja: ja, En: en}}
}

// ImportScoringSheet imports a filled scoring sheet for judgeID, as drafts
// or submitted, all or nothing. The signature, the judge, the stage, the
// rubric and the judging window are checked; rows are matched by their
// hidden key, never by position; every cell is validated again (no
// formulas, NFKC numbers, range and step, comment). A score changed
// through the API since the sheet was issued is never overwritten: that
// row is refused. Importing the same file again changes nothing.
//
// Errors: Invalid listing every problem by sheet and cell, with nothing
// written; NotFound; Forbidden.
func (s *Service) ImportScoringSheet(ctx context.Context, actor Actor, ref StageRef, judgeID int64, up SheetUpload, submit bool) (ImportResult, error) {
	var res ImportResult
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !d.may(PermAnyJudgeSheet, 0) && judgeID != actor.UserID {
			return Refuse(NotFound, "審査員 %d の採点シートはありません", "no scoring sheet for judge %d", judgeID)
		}
		if _, ok := d.member(judgeID); !ok {
			return Refuse(NotFound, "審査員 %d はこの審査会の構成員ではありません", "judge %d is not on the panel", judgeID)
		}
		ps := slices.Clone(up.Problems)
		fail := func() error {
			return &Error{Code: Invalid, Message: "the sheet cannot be imported; nothing was changed", Problems: ps}
		}
		if len(ps) > 0 && len(up.ProvenanceJSON) == 0 {
			return fail() // not a readable scoring sheet at all
		}
		want, err := s.sign(up.ProvenanceJSON)
		if err != nil {
			return err
		}
		if len(up.ProvenanceJSON) == 0 || !hmac.Equal([]byte(want), []byte(up.Signature)) {
			ps = append(ps, Problem{Path: "_provenance!A1", Code: "bad_signature", Message: Text{
				Ja: "このファイルはawardflowが発行した採点表ではないか、改変されています", En: "this is not a scoring sheet issued by awardflow, or it was altered"}})
			return fail()
		}
		var prov SheetProvenance
		if err := json.Unmarshal(up.ProvenanceJSON, &prov); err != nil || prov.Format != SheetFormat {
			ps = append(ps, Problem{Path: "_provenance!A1", Code: "unknown_format", Message: Text{Ja: "採点表の形式が不明です", En: "unknown sheet format"}})
			return fail()
		}
		j := d.stage.Judging
		switch {
		case prov.Cycle != ref.Cycle || prov.Programme != ref.Programme || prov.Stage != ref.Stage:
			ps = append(ps, Problem{Path: "_provenance!A1", Code: "wrong_stage", Message: Text{Ja: "別の審査段階の採点表です", En: "this sheet is for another stage"}})
		case prov.JudgeID != judgeID:
			ps = append(ps, Problem{Path: "_provenance!A1", Code: "wrong_judge", Message: Text{Ja: "別の審査員の採点表です", En: "this sheet belongs to another judge"}})
		case prov.RubricHash != RubricHash(j):
			ps = append(ps, Problem{Path: "_provenance!A1", Code: "rubric_changed", Message: Text{
				Ja: "評価基準が変更されました。新しい採点表をダウンロードしてください", En: "the rubric has changed since this sheet was issued; download a new one"}})
		}
		if !j.Window.Contains(now) {
			ps = append(ps, Problem{Path: "_provenance!A1", Code: "window_closed", Message: Text{Ja: "審査期間外です", En: "the judging window is not open"}})
		}
		if len(ps) > 0 {
			return fail()
		}
		issued := map[string]SheetEntryKey{}
		for _, e := range prov.Entries {
			issued[e.Key] = e
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		current := map[int64]*Score{}
		for i := range scores {
			if scores[i].UserID == judgeID {
				current[scores[i].NominationID] = &scores[i]
			}
		}
		type change struct {
			entry    SheetEntryKey
			values   map[string]string
			comment  string
			expected int
		}
		var changes []change
		seen := map[string]int{}
		for _, row := range up.Rows {
			key := strings.TrimSpace(row.Key.Text)
			e, ok := issued[key]
			switch {
			case !ok:
				ps = append(ps, sheetProblem(row.Key.Ref, "unknown_key", "この行のキーは発行した採点表にありません（行の改変）", "this row's key is not one issued in the sheet (edited key)"))
				continue
			case seen[key] > 0:
				ps = append(ps, sheetProblem(row.Key.Ref, "duplicate_row", fmt.Sprintf("%d行目と同じ応募の行です", seen[key]), fmt.Sprintf("duplicates row %d", seen[key])))
				continue
			}
			seen[key] = row.Row
			if d.mayJudge(e.NominationID, judgeID) != nil {
				ps = append(ps, sheetProblem(row.Key.Ref, "not_assigned", "この応募はもう担当ではありません", "this entry is no longer assigned to the judge"))
				continue
			}
			in := ScoreInput{Values: map[string]any{}, Comment: row.Comment.Text}
			bad := false
			for _, k := range prov.Criteria {
				c := row.Values[k]
				if c.Formula {
					ps = append(ps, sheetProblem(c.Ref, "formula", "数式は使用できません。値を入力してください", "formulas are not accepted; enter a value"))
					bad = true
					continue
				}
				if strings.TrimSpace(c.Text) != "" {
					in.Values[k] = c.Text
				}
			}
			if row.Comment.Formula {
				ps = append(ps, sheetProblem(row.Comment.Ref, "formula", "数式は使用できません", "formulas are not accepted"))
				bad = true
			}
			values, vps := checkScore(j, in)
			for _, p := range vps {
				ref := row.Comment.Ref
				if k, ok := strings.CutPrefix(p.Path, "values."); ok {
					ref = row.Values[k].Ref
				}
				ps = append(ps, sheetProblem(ref, p.Code, p.Message.Ja, p.Message.En))
				bad = true
			}
			if bad {
				continue
			}
			cur := current[e.NominationID]
			comment := strings.TrimSpace(in.Comment)
			if len(values) == 0 && comment == "" && cur == nil {
				res.Blank++
				continue
			}
			if cur != nil && maps.Equal(cur.Values, values) && cur.Comment == comment && (cur.Status == ScoreSubmitted || !submit) {
				res.Unchanged++ // the same file again, or nothing edited
				continue
			}
			curVersion := 0
			if cur != nil {
				curVersion = cur.Version
			}
			if curVersion != e.ScoreVersion {
				ps = append(ps, sheetProblem(row.Key.Ref, "changed_since_issued",
					"この採点は採点表の発行後に変更されています。新しい採点表をダウンロードしてください",
					"this score was changed after the sheet was issued; download a new sheet"))
				continue
			}
			if cur != nil && scoreLocked(d, *cur) {
				locked := errScoreLocked()
				ps = append(ps, sheetProblem(row.Key.Ref, "score_locked", locked.Ja, locked.Message))
				continue
			}
			if cur != nil && cur.Status == ScoreSubmitted && !submit {
				ps = append(ps, sheetProblem(row.Key.Ref, "already_submitted", "提出済みの採点は下書きとして取り込めません", "a submitted score cannot be imported as a draft"))
				continue
			}
			if submit {
				for _, p := range missingRequired(j, values) {
					k := strings.TrimPrefix(p.Path, "values.")
					ps = append(ps, sheetProblem(row.Values[k].Ref, p.Code, p.Message.Ja, p.Message.En))
					bad = true
				}
				if bad {
					continue
				}
			}
			changes = append(changes, change{entry: e, values: values, comment: comment, expected: curVersion})
		}
		for _, e := range prov.Entries {
			if seen[e.Key] == 0 {
				ps = append(ps, sheetProblem("A1", "missing_row", fmt.Sprintf("応募 %s の行がありません（行の削除）", EntryCode(e.NominationID)),
					fmt.Sprintf("the row of entry %s is missing (deleted row)", EntryCode(e.NominationID))))
			}
		}
		if len(ps) > 0 {
			return fail()
		}
		for _, c := range changes {
			sc := Score{Stage: ref, NominationID: c.entry.NominationID, UserID: judgeID, Values: c.values, Comment: c.comment,
				Status: ScoreDraft, Version: c.expected + 1, UpdatedAt: now}
			if cur := current[c.entry.NominationID]; cur != nil && cur.SubmittedAt != nil {
				sc.SubmittedAt = cur.SubmittedAt
			}
			if submit {
				sc.Status = ScoreSubmitted
				if sc.SubmittedAt == nil {
					sc.SubmittedAt = &now
				}
			}
			if err := tx.SaveScore(ctx, &sc, c.expected, scoreEvent(current[c.entry.NominationID], sc, actor.ID+" (sheet)", now)); err != nil {
				return err
			}
			res.Changed++
		}
		return nil
	})
	return res, withOp("workflow.ImportScoringSheet", err)
}
