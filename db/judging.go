package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/schema"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/assign"
)

// stageCols are the columns naming a stage, in every judging table.
type stageCols struct {
	CycleKey     string `bun:"cycle_key,pk"`
	ProgrammeKey string `bun:"programme_key,pk"`
	StageKey     string `bun:"stage_key,pk"`
}

func colsOf(s workflow.StageRef) stageCols { return stageCols{s.Cycle, s.Programme, s.Stage} }

func whereStage(q *bun.SelectQuery, s workflow.StageRef) *bun.SelectQuery {
	return q.Where("cycle_key = ? AND programme_key = ? AND stage_key = ?", s.Cycle, s.Programme, s.Stage)
}

type panelRow struct {
	bun.BaseModel `bun:"table:panel_members"`
	stageCols
	UserID      int64     `bun:"user_id,pk"`
	Role        string    `bun:"role"`
	Industries  string    `bun:"industries"`
	Prefectures string    `bun:"prefectures"`
	AddedBy     string    `bun:"added_by"`
	AddedAt     time.Time `bun:"added_at"`
	Version     int       `bun:"version"`
	Name        string    `bun:"name,scanonly"`
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (t *tx) PanelMembers(ctx context.Context, s workflow.StageRef) ([]workflow.PanelMember, error) {
	var rows []panelRow
	err := t.db.NewSelect().Model(&rows).ColumnExpr("panel_row.*, u.name AS name").
		Join("JOIN users AS u ON u.id = panel_row.user_id").
		Where("panel_row.cycle_key = ? AND panel_row.programme_key = ? AND panel_row.stage_key = ?", s.Cycle, s.Programme, s.Stage).
		Order("panel_row.user_id").Scan(ctx)
	if err != nil {
		return nil, translate(err, "panel")
	}
	out := make([]workflow.PanelMember, len(rows))
	for i, r := range rows {
		out[i] = toPanelMember(s, r)
	}
	return out, nil
}

// PanelMember is one member of a stage's panel, by primary key.
func (t *tx) PanelMember(ctx context.Context, s workflow.StageRef, userID int64) (workflow.PanelMember, bool, error) {
	var rows []panelRow
	err := t.db.NewSelect().Model(&rows).ColumnExpr("panel_row.*, u.name AS name").
		Join("JOIN users AS u ON u.id = panel_row.user_id").
		Where("panel_row.cycle_key = ? AND panel_row.programme_key = ? AND panel_row.stage_key = ? AND panel_row.user_id = ?",
			s.Cycle, s.Programme, s.Stage, userID).
		Limit(1).Scan(ctx)
	if err != nil {
		return workflow.PanelMember{}, false, translate(err, "panel")
	}
	if len(rows) == 0 {
		return workflow.PanelMember{}, false, nil
	}
	return toPanelMember(s, rows[0]), true, nil
}

func toPanelMember(s workflow.StageRef, r panelRow) workflow.PanelMember {
	return workflow.PanelMember{Stage: s, UserID: r.UserID, Name: r.Name, Role: workflow.Role(r.Role),
		Industries: splitList(r.Industries), Prefectures: splitList(r.Prefectures), AddedBy: r.AddedBy, AddedAt: r.AddedAt.UTC(), Version: r.Version}
}

func (t *tx) UpsertPanelMember(ctx context.Context, m workflow.PanelMember) error {
	r := panelRow{stageCols: colsOf(m.Stage), UserID: m.UserID, Role: string(m.Role), Industries: strings.Join(m.Industries, ","),
		Prefectures: strings.Join(m.Prefectures, ","), AddedBy: m.AddedBy, AddedAt: m.AddedAt.UTC(), Version: m.Version}
	if m.Version <= 1 {
		r.Version = 1
		_, err := t.db.NewInsert().Model(&r).Exec(ctx)
		return translate(err, "panel member")
	}
	res, err := t.db.NewUpdate().Model(&r).Column("role", "industries", "prefectures", "version").
		WherePK().Where("version = ?", m.Version-1).Exec(ctx)
	return checkUpdated(res, err, "panel member")
}

func (t *tx) DeletePanelMember(ctx context.Context, s workflow.StageRef, userID int64) error {
	res, err := t.db.NewDelete().Table("panel_members").
		Where("cycle_key = ? AND programme_key = ? AND stage_key = ? AND user_id = ?", s.Cycle, s.Programme, s.Stage, userID).Exec(ctx)
	if err := checkUpdated(res, err, "panel member"); err != nil {
		return workflow.Refuse(workflow.NotFound, "利用者 %d はこの審査段階の審査員ではありません", "user %d is not on the panel", userID)
	}
	return nil
}

type affiliationRow struct {
	bun.BaseModel   `bun:"table:affiliations"`
	ID              int64     `bun:"id,pk,autoincrement"`
	UserID          int64     `bun:"user_id"`
	OrganisationID  int64     `bun:"organisation_id,nullzero"`
	CorporateNumber string    `bun:"corporate_number"`
	Name            string    `bun:"name"`
	NameKey         string    `bun:"name_key"`
	DeclaredAt      time.Time `bun:"declared_at"`
}

func (t *tx) InsertAffiliation(ctx context.Context, a *workflow.Affiliation) error {
	r := affiliationRow{UserID: a.UserID, OrganisationID: a.OrganisationID, CorporateNumber: a.CorporateNumber, Name: a.Name,
		NameKey: workflow.NameKey(a.Name), DeclaredAt: a.DeclaredAt.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "affiliation")
	}
	a.ID = r.ID
	return nil
}

func (t *tx) Affiliations(ctx context.Context, userIDs []int64) ([]workflow.Affiliation, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	var rows []affiliationRow
	if err := t.db.NewSelect().Model(&rows).Where("user_id IN (?)", bun.List(userIDs)).Order("id").Scan(ctx); err != nil {
		return nil, translate(err, "affiliations")
	}
	out := make([]workflow.Affiliation, len(rows))
	for i, r := range rows {
		out[i] = workflow.Affiliation{ID: r.ID, UserID: r.UserID, OrganisationID: r.OrganisationID, CorporateNumber: r.CorporateNumber,
			Name: r.Name, DeclaredAt: r.DeclaredAt.UTC()}
	}
	return out, nil
}

type conflictRow struct {
	bun.BaseModel  `bun:"table:declared_conflicts"`
	ID             int64     `bun:"id,pk,autoincrement"`
	UserID         int64     `bun:"user_id"`
	OrganisationID int64     `bun:"organisation_id"`
	Source         string    `bun:"source"`
	Reason         string    `bun:"reason"`
	CreatedBy      string    `bun:"created_by"`
	CreatedAt      time.Time `bun:"created_at"`
}

func (t *tx) InsertConflict(ctx context.Context, c *workflow.DeclaredConflict) error {
	r := conflictRow{UserID: c.UserID, OrganisationID: c.OrganisationID, Source: c.Source, Reason: c.Reason, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "conflict")
	}
	c.ID = r.ID
	return nil
}

func (t *tx) DeclaredConflicts(ctx context.Context, userIDs []int64) ([]workflow.DeclaredConflict, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	var rows []conflictRow
	if err := t.db.NewSelect().Model(&rows).Where("user_id IN (?)", bun.List(userIDs)).Order("id").Scan(ctx); err != nil {
		return nil, translate(err, "conflicts")
	}
	out := make([]workflow.DeclaredConflict, len(rows))
	for i, r := range rows {
		out[i] = workflow.DeclaredConflict{ID: r.ID, UserID: r.UserID, OrganisationID: r.OrganisationID, Source: r.Source, Reason: r.Reason,
			CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// judgedStates are the states of an entry at the stage it is at.
var judgedStates = []string{string(workflow.InReview), string(workflow.Selected), string(workflow.NotSelected), string(workflow.Awarded)}

// StageEntries: the nominations at the stage now, and those judged there
// before moving on (they keep their assignments).
func (t *tx) StageEntries(ctx context.Context, s workflow.StageRef) ([]workflow.Nomination, error) {
	var rows []nominationRow
	err := t.db.NewSelect().Model(&rows).
		Where("cycle_key = ? AND programme_key = ?", s.Cycle, s.Programme).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("stage = ? AND state IN (?)", s.Stage, bun.List(judgedStates)).
				WhereOr("id IN (SELECT nomination_id FROM assignments WHERE cycle_key = ? AND programme_key = ? AND stage_key = ?)", s.Cycle, s.Programme, s.Stage)
		}).Order("id").Scan(ctx)
	if err != nil {
		return nil, translate(err, "entries")
	}
	return toNominations(rows)
}

// StageEntry is one nomination if StageEntries would list it: by primary
// key, and the assignment test by the assignments' primary key prefix.
func (t *tx) StageEntry(ctx context.Context, s workflow.StageRef, nominationID int64) (workflow.Nomination, bool, error) {
	var rows []nominationRow
	err := t.db.NewSelect().Model(&rows).
		Where("id = ? AND cycle_key = ? AND programme_key = ?", nominationID, s.Cycle, s.Programme).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("stage = ? AND state IN (?)", s.Stage, bun.List(judgedStates)).
				WhereOr("EXISTS (SELECT 1 FROM assignments WHERE cycle_key = ? AND programme_key = ? AND stage_key = ? AND nomination_id = ?)",
					s.Cycle, s.Programme, s.Stage, nominationID)
		}).Limit(1).Scan(ctx)
	if err != nil {
		return workflow.Nomination{}, false, translate(err, "entries")
	}
	if len(rows) == 0 {
		return workflow.Nomination{}, false, nil
	}
	n, err := toNomination(rows[0])
	return n, err == nil, err
}

// JudgeEntries: the nominations a judge is actively assigned to at the
// stage (by the assignments_judge index), by id.
func (t *tx) JudgeEntries(ctx context.Context, s workflow.StageRef, userID int64) ([]workflow.Nomination, error) {
	return t.judgeEntries(ctx, s, userID, 0)
}

// JudgeEntry is one entry the judge is actively assigned to (so at the
// stage), in one statement by the assignments' and nominations' keys.
func (t *tx) JudgeEntry(ctx context.Context, s workflow.StageRef, nominationID, userID int64) (workflow.Nomination, bool, error) {
	ns, err := t.judgeEntries(ctx, s, userID, nominationID)
	if err != nil || len(ns) == 0 {
		return workflow.Nomination{}, false, err
	}
	return ns[0], true, nil
}

// judgeEntries: a judge's active assignments joined with their entries;
// one entry's when nominationID is not 0.
func (t *tx) judgeEntries(ctx context.Context, s workflow.StageRef, userID, nominationID int64) ([]workflow.Nomination, error) {
	var rows []nominationRow
	q := t.db.NewSelect().Model(&rows).
		Join("JOIN assignments AS a ON a.nomination_id = nomination_row.id").
		Where("a.cycle_key = ? AND a.programme_key = ? AND a.stage_key = ? AND a.user_id = ? AND a.recused_at IS NULL",
			s.Cycle, s.Programme, s.Stage, userID).
		Where("nomination_row.cycle_key = ? AND nomination_row.programme_key = ?", s.Cycle, s.Programme)
	if nominationID != 0 {
		q = q.Where("a.nomination_id = ? AND nomination_row.id = ?", nominationID, nominationID)
	}
	if err := q.Order("nomination_row.id").Scan(ctx); err != nil {
		return nil, translate(err, "entries")
	}
	return toNominations(rows)
}

// tieRow is an affiliation or a declared conflict, read together.
type tieRow struct {
	Kind            string    `bun:"kind"`
	ID              int64     `bun:"id"`
	OrganisationID  int64     `bun:"organisation_id"`
	CorporateNumber string    `bun:"corporate_number"`
	Name            string    `bun:"name"`
	Source          string    `bun:"source"`
	Reason          string    `bun:"reason"`
	CreatedBy       string    `bun:"created_by"`
	At              time.Time `bun:"at"`
}

// JudgeTies reads one judge's affiliations and declared conflicts in one
// statement (by the user_id indexes), each in id order as Affiliations and
// DeclaredConflicts list them.
func (t *tx) JudgeTies(ctx context.Context, userID int64) ([]workflow.Affiliation, []workflow.DeclaredConflict, error) {
	var rows []tieRow
	err := t.db.NewRaw(`SELECT 'a' AS kind, id, COALESCE(organisation_id, 0) AS organisation_id, corporate_number, name,
			'' AS source, '' AS reason, '' AS created_by, declared_at AS at
		FROM affiliations WHERE user_id = ?
		UNION ALL
		SELECT 'd' AS kind, id, organisation_id, '' AS corporate_number, '' AS name, source, reason, created_by, created_at AS at
		FROM declared_conflicts WHERE user_id = ?
		ORDER BY kind, id`, userID, userID).Scan(ctx, &rows)
	if err != nil {
		return nil, nil, translate(err, "conflicts")
	}
	var (
		affs []workflow.Affiliation
		dcs  []workflow.DeclaredConflict
	)
	for _, r := range rows {
		if r.Kind == "a" {
			affs = append(affs, workflow.Affiliation{ID: r.ID, UserID: userID, OrganisationID: r.OrganisationID, CorporateNumber: r.CorporateNumber,
				Name: r.Name, DeclaredAt: r.At.UTC()})
			continue
		}
		dcs = append(dcs, workflow.DeclaredConflict{ID: r.ID, UserID: userID, OrganisationID: r.OrganisationID, Source: r.Source, Reason: r.Reason,
			CreatedBy: r.CreatedBy, CreatedAt: r.At.UTC()})
	}
	return affs, dcs, nil
}

type assignmentRow struct {
	bun.BaseModel `bun:"table:assignments"`
	stageCols
	NominationID  int64      `bun:"nomination_id,pk"`
	UserID        int64      `bun:"user_id,pk"`
	Source        string     `bun:"source"`
	CreatedBy     string     `bun:"created_by"`
	CreatedAt     time.Time  `bun:"created_at"`
	RecusedAt     *time.Time `bun:"recused_at"`
	RecusalReason string     `bun:"recusal_reason"`
}

func (t *tx) Assignments(ctx context.Context, s workflow.StageRef) ([]workflow.Assignment, error) {
	var rows []assignmentRow
	if err := whereStage(t.db.NewSelect().Model(&rows), s).Order("nomination_id", "user_id").Scan(ctx); err != nil {
		return nil, translate(err, "assignments")
	}
	out := make([]workflow.Assignment, len(rows))
	for i, r := range rows {
		out[i] = toAssignment(s, r)
	}
	return out, nil
}

func toAssignment(s workflow.StageRef, r assignmentRow) workflow.Assignment {
	return workflow.Assignment{Stage: s, NominationID: r.NominationID, UserID: r.UserID, Source: r.Source, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), RecusedAt: utcPtr(r.RecusedAt), RecusalReason: r.RecusalReason}
}

func (t *tx) InsertAssignments(ctx context.Context, as []workflow.Assignment) error {
	if len(as) == 0 {
		return nil
	}
	rows := make([]assignmentRow, len(as))
	for i, a := range as {
		rows[i] = assignmentRow{stageCols: colsOf(a.Stage), NominationID: a.NominationID, UserID: a.UserID, Source: a.Source,
			CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt.UTC()}
	}
	_, err := t.db.NewInsert().Model(&rows).Exec(ctx)
	return translate(err, "assignment")
}

func (t *tx) DeleteAssignment(ctx context.Context, s workflow.StageRef, nominationID, userID int64) error {
	res, err := t.db.NewDelete().Table("assignments").
		Where("cycle_key = ? AND programme_key = ? AND stage_key = ? AND nomination_id = ? AND user_id = ?", s.Cycle, s.Programme, s.Stage, nominationID, userID).Exec(ctx)
	if err := checkUpdated(res, err, "assignment"); err != nil {
		return workflow.Refuse(workflow.NotFound, "この割当ては見つかりません", "no such assignment")
	}
	return nil
}

func (t *tx) RecuseAssignment(ctx context.Context, s workflow.StageRef, nominationID, userID int64, reason string, at time.Time) error {
	res, err := t.db.NewUpdate().Table("assignments").Set("recused_at = ?, recusal_reason = ?", at.UTC(), reason).
		Where("cycle_key = ? AND programme_key = ? AND stage_key = ? AND nomination_id = ? AND user_id = ? AND recused_at IS NULL",
			s.Cycle, s.Programme, s.Stage, nominationID, userID).Exec(ctx)
	return checkUpdated(res, err, "assignment")
}

func (t *tx) StageVersion(ctx context.Context, s workflow.StageRef) (int64, error) {
	var v []int64
	err := t.db.NewSelect().Table("stage_versions").Column("version").
		Where("cycle_key = ? AND programme_key = ? AND stage_key = ?", s.Cycle, s.Programme, s.Stage).Scan(ctx, &v)
	if err != nil {
		return 0, translate(err, "stage version")
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}

func (t *tx) BumpStageVersion(ctx context.Context, s workflow.StageRef) error {
	_, err := t.db.NewRaw(`INSERT INTO stage_versions (cycle_key, programme_key, stage_key, version) VALUES (?, ?, ?, 1)
		ON CONFLICT (cycle_key, programme_key, stage_key) DO UPDATE SET version = stage_versions.version + 1`, s.Cycle, s.Programme, s.Stage).Exec(ctx)
	return translate(err, "stage version")
}

type proposalRow struct {
	bun.BaseModel  `bun:"table:assignment_proposals"`
	ID             int64 `bun:"id,pk,autoincrement"`
	CycleKey       string
	ProgrammeKey   string
	StageKey       string
	Seed           int64
	UsePreferences bool
	BaseVersion    int64
	Pairs          string
	Report         string
	Status         string
	CreatedBy      string
	CreatedAt      time.Time
	DecidedBy      string
	DecidedAt      *time.Time
}

func (t *tx) InsertProposal(ctx context.Context, p *workflow.Proposal) error {
	pairs, err := json.Marshal(fromPairs(p.Pairs))
	if err != nil {
		return err
	}
	report, err := json.Marshal(fromReport(p.Report))
	if err != nil {
		return err
	}
	r := proposalRow{CycleKey: p.Stage.Cycle, ProgrammeKey: p.Stage.Programme, StageKey: p.Stage.Stage, Seed: int64(p.Seed),
		UsePreferences: p.UsePreferences, BaseVersion: p.BaseVersion, Pairs: string(pairs), Report: string(report), Status: p.Status,
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "proposal")
	}
	p.ID = r.ID
	return nil
}

func (t *tx) Proposal(ctx context.Context, id int64) (workflow.Proposal, error) {
	var r proposalRow
	if err := t.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return workflow.Proposal{}, translate(err, fmt.Sprintf("proposal %d", id))
	}
	p := workflow.Proposal{ID: r.ID, Stage: workflow.StageRef{Cycle: r.CycleKey, Programme: r.ProgrammeKey, Stage: r.StageKey},
		Seed: uint64(r.Seed), UsePreferences: r.UsePreferences, BaseVersion: r.BaseVersion, Status: r.Status, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), DecidedBy: r.DecidedBy, DecidedAt: utcPtr(r.DecidedAt)}
	var pairs []pairDoc
	if err := json.Unmarshal([]byte(r.Pairs), &pairs); err != nil {
		return p, fmt.Errorf("proposal %d pairs: %w", id, err)
	}
	var report reportDoc
	if err := json.Unmarshal([]byte(r.Report), &report); err != nil {
		return p, fmt.Errorf("proposal %d report: %w", id, err)
	}
	p.Pairs, p.Report = toPairs(pairs), report.report()
	if p.Pairs == nil {
		p.Pairs = []assign.Pair{}
	}
	return p, nil
}

func (t *tx) DecideProposal(ctx context.Context, id int64, status, by string, at time.Time) error {
	res, err := t.db.NewUpdate().Table("assignment_proposals").Set("status = ?, decided_by = ?, decided_at = ?", status, by, at.UTC()).
		Where("id = ? AND status = ?", id, workflow.ProposalPending).Exec(ctx)
	if err := checkUpdated(res, err, "proposal"); err != nil {
		return workflow.Refuse(workflow.Conflict, "割当て案 %d はすでに適用または破棄されています", "proposal %d has already been applied or discarded", id)
	}
	return nil
}

type scoreRow struct {
	bun.BaseModel `bun:"table:scores"`
	stageCols
	NominationID int64      `bun:"nomination_id,pk"`
	UserID       int64      `bun:"user_id,pk"`
	Vals         string     `bun:"vals"`
	Comment      string     `bun:"comment"`
	Status       string     `bun:"status"`
	Version      int        `bun:"version"`
	SubmittedAt  *time.Time `bun:"submitted_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
	ReopenedAt   *time.Time `bun:"reopened_at"`
	ReopenedBy   string     `bun:"reopened_by"`
	ReopenReason string     `bun:"reopen_reason"`
}

func (t *tx) Scores(ctx context.Context, s workflow.StageRef) ([]workflow.Score, error) {
	return t.scoresWhere(ctx, s, "")
}

// EntryScores: the scores of one entry (the primary key's prefix).
func (t *tx) EntryScores(ctx context.Context, s workflow.StageRef, nominationID int64) ([]workflow.Score, error) {
	return t.scoresWhere(ctx, s, "nomination_id = ?", nominationID)
}

// JudgeScores: one judge's scores (the scores_judge index).
func (t *tx) JudgeScores(ctx context.Context, s workflow.StageRef, userID int64) ([]workflow.Score, error) {
	return t.scoresWhere(ctx, s, "user_id = ?", userID)
}

// Score is one score by primary key, nil if there is none.
func (t *tx) Score(ctx context.Context, s workflow.StageRef, nominationID, userID int64) (*workflow.Score, error) {
	out, err := t.scoresWhere(ctx, s, "nomination_id = ? AND user_id = ?", nominationID, userID)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return &out[0], nil
}

func (t *tx) scoresWhere(ctx context.Context, s workflow.StageRef, where string, args ...any) ([]workflow.Score, error) {
	var rows []scoreRow
	q := whereStage(t.db.NewSelect().Model(&rows), s)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Order("nomination_id", "user_id").Scan(ctx); err != nil {
		return nil, translate(err, "scores")
	}
	out := make([]workflow.Score, len(rows))
	for i, r := range rows {
		sc, err := toScore(s, r)
		if err != nil {
			return nil, err
		}
		out[i] = sc
	}
	return out, nil
}

func toScore(s workflow.StageRef, r scoreRow) (workflow.Score, error) {
	sc := workflow.Score{Stage: s, NominationID: r.NominationID, UserID: r.UserID, Comment: r.Comment, Status: r.Status,
		Version: r.Version, SubmittedAt: utcPtr(r.SubmittedAt), UpdatedAt: r.UpdatedAt.UTC(),
		ReopenedAt: utcPtr(r.ReopenedAt), ReopenedBy: r.ReopenedBy, ReopenReason: r.ReopenReason}
	if err := json.Unmarshal([]byte(r.Vals), &sc.Values); err != nil {
		return sc, fmt.Errorf("score values: %w", err)
	}
	return sc, nil
}

// SaveScore writes the score, its event and the event's audit entry. On
// PostgreSQL that is one statement (data-modifying WITH queries), the audit
// entry included when JudgeScoreReads took the event's id; otherwise the
// entry is queued for InTx to append. SQLite, in process, takes a
// statement for each row.
func (t *tx) SaveScore(ctx context.Context, sc *workflow.Score, expected int, e workflow.ScoreEvent) error {
	vals, err := json.Marshal(sc.Values)
	if err != nil {
		return err
	}
	r := scoreRow{stageCols: colsOf(sc.Stage), NominationID: sc.NominationID, UserID: sc.UserID, Vals: string(vals), Comment: sc.Comment,
		Status: sc.Status, Version: sc.Version, SubmittedAt: utcPtr(sc.SubmittedAt), UpdatedAt: sc.UpdatedAt.UTC(),
		ReopenedAt: utcPtr(sc.ReopenedAt), ReopenedBy: sc.ReopenedBy, ReopenReason: sc.ReopenReason}
	ev, err := toScoreEventRow(e)
	if err != nil {
		return err
	}
	if t.db.Dialect().Name() == dialect.PG {
		err = t.saveScorePG(ctx, t.scoreWrite(&r, expected, "1"), &ev)
	} else {
		err = t.saveScoreEach(ctx, t.scoreWrite(&r, expected, ""), &ev)
	}
	switch {
	case err == nil:
	case workflow.ErrorCode(err) != workflow.Conflict:
		return err
	case expected == 0:
		return workflow.Refuse(workflow.Conflict, "この採点は他の操作で保存されました。再読み込みしてください", "a score was saved meanwhile; reload it")
	default:
		return changedMeanwhile("score")
	}
	if ev.ID == 0 { // the entry is already written
		return nil
	}
	a, err := scoreEventAudit(ev) // audited with the transaction (db/audit.go)
	if err != nil {
		return err
	}
	t.queueAudit(a)
	return nil
}

// scoreWrite is the insert or the update of a score.
type scoreWrite interface {
	schema.QueryAppender
	Exec(ctx context.Context, dest ...any) (sql.Result, error)
}

// scoreWrite inserts the score (expected 0) or updates it from version
// expected, returning what returning says ("": bun's default).
func (t *tx) scoreWrite(r *scoreRow, expected int, returning string) scoreWrite {
	if expected == 0 {
		q := t.db.NewInsert().Model(r)
		if returning != "" {
			q = q.Returning(returning)
		}
		return q
	}
	q := t.db.NewUpdate().Model(r).Column("vals", "comment", "status", "version", "submitted_at", "updated_at",
		"reopened_at", "reopened_by", "reopen_reason").
		WherePK().Where("version = ?", expected)
	if returning != "" {
		q = q.Returning(returning)
	}
	return q
}

// saveScoreEach writes the score, then the event; Conflict if the score
// changed meanwhile. ev.ID is set.
func (t *tx) saveScoreEach(ctx context.Context, write scoreWrite, ev *scoreEventRow) error {
	res, err := write.Exec(ctx)
	if err := checkUpdated(res, err, "score"); err != nil {
		return err
	}
	_, err = t.db.NewInsert().Model(ev).Returning("id").Exec(ctx)
	return translate(err, "score event")
}

// saveScorePG writes the score (write), the event and, with the event id
// JudgeScoreReads took, the audit entry in one statement (ev.ID 0 after:
// nothing left to queue); without it, ev.ID is the event's new id. The
// event and the entry are written even if the score is not (a Conflict):
// the transaction that gets the Conflict rolls back.
func (t *tx) saveScorePG(ctx context.Context, write scoreWrite, ev *scoreEventRow) error {
	var out []struct {
		Saved   int
		EventID int64
	}
	var err error
	ev.ID, t.eventID = t.eventID, 0
	if ev.ID != 0 && t.audit != nil {
		var a workflow.AuditEntry
		if a, err = scoreEventAudit(*ev); err != nil {
			return err
		}
		p := pendingOf(a)
		err = t.db.NewRaw(`WITH s AS (?), e AS (?), a AS (?) SELECT (SELECT count(*) FROM s) AS saved, 0 AS event_id`,
			write, t.db.NewInsert().Model(ev), t.db.NewInsert().Model(&p)).Scan(ctx, &out)
		ev.ID = 0
	} else {
		err = t.db.NewRaw(`WITH s AS (?), e AS (?) SELECT (SELECT count(*) FROM s) AS saved, (SELECT id FROM e) AS event_id`,
			write, t.db.NewInsert().Model(ev)).Scan(ctx, &out)
	}
	if err != nil {
		return translate(err, "score")
	}
	if len(out) != 1 || out[0].Saved == 0 {
		return changedMeanwhile("score")
	}
	if out[0].EventID != 0 {
		ev.ID = out[0].EventID
	}
	return nil
}

type scoreEventRow struct {
	bun.BaseModel `bun:"table:score_events"`
	ID            int64 `bun:"id,pk,autoincrement"`
	CycleKey      string
	ProgrammeKey  string
	StageKey      string
	NominationID  int64
	UserID        int64
	ActorID       string
	Kind          string
	Reason        string
	Status        string
	Vals          string
	Comment       string
	Version       int
	At            time.Time
	BeforeStatus  string
	BeforeVals    string
	BeforeComment string
}

func toScoreEventRow(e workflow.ScoreEvent) (scoreEventRow, error) {
	vals, err := json.Marshal(e.Values)
	if err != nil {
		return scoreEventRow{}, err
	}
	r := scoreEventRow{CycleKey: e.Stage.Cycle, ProgrammeKey: e.Stage.Programme, StageKey: e.Stage.Stage, NominationID: e.NominationID,
		UserID: e.UserID, ActorID: e.ActorID, Kind: e.Kind, Reason: e.Reason, Status: e.Status, Vals: string(vals), Comment: e.Comment,
		Version: e.Version, At: e.At.UTC()}
	if r.Kind == "" {
		r.Kind = workflow.EventSave
	}
	if b := e.Before; b != nil {
		before, err := json.Marshal(b.Values)
		if err != nil {
			return r, err
		}
		r.BeforeStatus, r.BeforeVals, r.BeforeComment = b.Status, string(before), b.Comment
	}
	return r, nil
}

func (t *tx) ScoreEvents(ctx context.Context, s workflow.StageRef, nominationID int64) ([]workflow.ScoreEvent, error) {
	var rows []scoreEventRow
	if err := whereStage(t.db.NewSelect().Model(&rows), s).Where("nomination_id = ?", nominationID).Order("id").Scan(ctx); err != nil {
		return nil, translate(err, "score events")
	}
	out := make([]workflow.ScoreEvent, len(rows))
	for i, r := range rows {
		e := workflow.ScoreEvent{Stage: s, NominationID: r.NominationID, UserID: r.UserID, ActorID: r.ActorID, Kind: r.Kind, Reason: r.Reason,
			Status: r.Status, Comment: r.Comment, Version: r.Version, At: r.At.UTC()}
		if err := json.Unmarshal([]byte(r.Vals), &e.Values); err != nil {
			return nil, fmt.Errorf("score event values: %w", err)
		}
		if r.BeforeStatus != "" {
			e.Before = &workflow.ScoreState{Status: r.BeforeStatus, Comment: r.BeforeComment}
			if err := json.Unmarshal([]byte(r.BeforeVals), &e.Before.Values); err != nil {
				return nil, fmt.Errorf("score event values before: %w", err)
			}
		}
		out[i] = e
	}
	return out, nil
}

type decisionRow struct {
	bun.BaseModel `bun:"table:decisions"`
	ID            int64 `bun:"id,pk,autoincrement"`
	CycleKey      string
	ProgrammeKey  string
	StageKey      string
	Spec          string
	Outcomes      string
	AppliedBy     string
	AppliedAt     time.Time
}

func (t *tx) InsertDecision(ctx context.Context, d *workflow.Decision) error {
	spec, err := json.Marshal(fromDecisionSpec(d.Spec))
	if err != nil {
		return err
	}
	outcomes, err := json.Marshal(fromOutcomes(d.Outcomes))
	if err != nil {
		return err
	}
	r := decisionRow{CycleKey: d.Stage.Cycle, ProgrammeKey: d.Stage.Programme, StageKey: d.Stage.Stage, Spec: string(spec),
		Outcomes: string(outcomes), AppliedBy: d.AppliedBy, AppliedAt: d.AppliedAt.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "decision")
	}
	d.ID = r.ID
	return nil
}

// LatestCycleVersion is the newest version number of a cycle, without
// reading or decoding its definition (the primary key's last entry).
func (t *tx) LatestCycleVersion(ctx context.Context, key string) (int, error) {
	var v []int
	err := t.db.NewSelect().Table("cycle_versions").Column("version").Where("cycle_key = ?", key).
		Order("version DESC").Limit(1).Scan(ctx, &v)
	if err != nil {
		return 0, translate(err, "cycle "+key)
	}
	if len(v) == 0 {
		return 0, translate(sql.ErrNoRows, "cycle "+key)
	}
	return v[0], nil
}

// judgeScoreRow is JudgeScoreReads' one row: the n_ columns are the entry
// (NULL unless assigned), the s_ columns the score (NULL if none).
type judgeScoreRow struct {
	CycleVersion *int          `bun:"cycle_version"`
	HasTies      int           `bun:"has_ties"`
	HasWindows   int           `bun:"has_windows"`
	Assigned     int           `bun:"assigned"`
	HasScore     int           `bun:"has_score"`
	EventID      int64         `bun:"event_id"`
	N            nominationRow `bun:"embed:n_"`
	S            scoreRow      `bun:"embed:s_"`
}

// prefixed lists a table's columns as alias.col AS prefix_col.
func (t *tx) prefixed(model any, alias, prefix string) string {
	tbl := t.db.Dialect().Tables().Get(reflect.TypeOf(model))
	cols := make([]string, len(tbl.Fields))
	for i, f := range tbl.Fields {
		cols[i] = alias + "." + f.Name + " AS " + prefix + f.Name
	}
	return strings.Join(cols, ", ")
}

// judgeScoreReadsStmt is JudgeScoreReads' statement.
var judgeScoreReadsStmt = preparedStatement{"read_judge_score", func(t *tx) string {
	eventID := "0"
	if t.db.Dialect().Name() == dialect.PG {
		eventID = "nextval('score_events_id_seq')"
	}
	return `SELECT (SELECT MAX(version) FROM cycle_versions WHERE cycle_key = ?) AS cycle_version, ` + eventID + ` AS event_id,
			CASE WHEN EXISTS (SELECT 1 FROM affiliations WHERE user_id = ?) OR EXISTS (SELECT 1 FROM declared_conflicts WHERE user_id = ?)
				THEN 1 ELSE 0 END AS has_ties,
			CASE WHEN EXISTS (SELECT 1 FROM window_changes WHERE cycle_key = ? AND programme_key = ?) THEN 1 ELSE 0 END AS has_windows,
			CASE WHEN n.id IS NULL THEN 0 ELSE 1 END AS assigned,
			CASE WHEN sc.nomination_id IS NULL THEN 0 ELSE 1 END AS has_score,
			` + t.prefixed(nominationRow{}, "n", "n_") + `, ` + t.prefixed(scoreRow{}, "sc", "s_") + `
		FROM (SELECT 1 AS one) AS one
		LEFT JOIN assignments AS a ON a.cycle_key = ? AND a.programme_key = ? AND a.stage_key = ? AND a.nomination_id = ? AND a.user_id = ?
			AND a.recused_at IS NULL
		LEFT JOIN nominations AS n ON n.id = a.nomination_id AND n.id = ? AND n.cycle_key = ? AND n.programme_key = ?
		LEFT JOIN scores AS sc ON sc.cycle_key = ? AND sc.programme_key = ? AND sc.stage_key = ? AND sc.nomination_id = ? AND sc.user_id = ?`
}}

// JudgeScoreReads reads what saving a judge's score needs in one statement,
// each part by primary key or index: the cycle's newest version, the entry
// the judge is actively assigned to (as JudgeEntry), whether the judge has
// any affiliation or declared conflict, whether the programme's windows
// were ever changed, and its current score (as Score). On PostgreSQL it
// also takes the id of the score event a save writes next (t.eventID), so
// that SaveScore writes the score, the event and its audit entry in one
// statement; a request refused after the read leaves a gap in the ids,
// as a rolled-back one does.
func (t *tx) JudgeScoreReads(ctx context.Context, s workflow.StageRef, nominationID, userID int64) (workflow.JudgeScoreRead, error) {
	var rows []judgeScoreRow
	err := t.raw(judgeScoreReadsStmt, s.Cycle, userID, userID, s.Cycle, s.Programme,
		s.Cycle, s.Programme, s.Stage, nominationID, userID,
		nominationID, s.Cycle, s.Programme,
		s.Cycle, s.Programme, s.Stage, nominationID, userID).Scan(ctx, &rows)
	if err != nil {
		return workflow.JudgeScoreRead{}, translate(err, "entries")
	}
	if len(rows) != 1 || rows[0].CycleVersion == nil {
		return workflow.JudgeScoreRead{}, translate(sql.ErrNoRows, "cycle "+s.Cycle)
	}
	r := rows[0]
	t.eventID = r.EventID
	out := workflow.JudgeScoreRead{CycleVersion: *r.CycleVersion, HasTies: r.HasTies != 0, HasWindowChanges: r.HasWindows != 0}
	if r.Assigned != 0 {
		n, err := toNomination(r.N)
		if err != nil {
			return out, err
		}
		out.Entry, out.Assigned = &n, true
	}
	if r.HasScore != 0 {
		sc, err := toScore(s, r.S)
		if err != nil {
			return out, err
		}
		out.Score = &sc
	}
	return out, nil
}
