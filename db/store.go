package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/awardflow/awardflow/workflow"
)

// Store implements workflow.Store over the database.
type Store struct {
	db      *DB
	noAudit bool // benchmarks only: measures the cost of the audit log
}

// NewStore returns a store over d.
func NewStore(d *DB) *Store { return &Store{db: d} }

// InTx runs fn in a transaction. Isolation is the database's default
// (read committed on PostgreSQL; SQLite transactions are serialised by
// BEGIN IMMEDIATE); races are settled by version checks in every update.
func (s *Store) InTx(ctx context.Context, fn func(workflow.Tx) error) error {
	run := func(prepared bool) func(context.Context, bun.Tx) error {
		return func(ctx context.Context, btx bun.Tx) error {
			t := &tx{db: btx, prepared: prepared}
			if !s.noAudit {
				t.audit = &auditQueue{}
			}
			if err := fn(t); err != nil {
				return err
			}
			return t.flushAudit(ctx) // the audit entries of the writes, unsealed: the last statement before COMMIT
		}
	}
	if s.db.Dialect != Postgres {
		return s.db.Bun.RunInTx(ctx, nil, run(false))
	}
	c, prepared, err := s.conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.RunInTx(ctx, nil, run(prepared))
}

// Read runs fn outside a transaction: on SQLite on the connection pool, on
// PostgreSQL on one connection with the prepared statements.
func (s *Store) Read(ctx context.Context, fn func(workflow.Tx) error) error {
	if s.db.Dialect != Postgres {
		return fn(&tx{db: s.db.Bun})
	}
	c, prepared, err := s.conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return fn(&tx{db: &c, prepared: prepared})
}

// tx implements workflow.Tx over any bun.IDB; audit queues the audit
// entries of its writes (nil outside InTx).
type tx struct {
	db    bun.IDB
	audit *auditQueue
	// eventID is the id JudgeScoreReads took (PostgreSQL) for the score
	// event SaveScore writes next, so that SaveScore can write the event's
	// audit entry, which hashes that id, in the same statement; 0 if none.
	eventID int64
	// prepared: the connection has preparedStatements (PostgreSQL).
	prepared bool
}

// ---- rows and converters

type cycleVersionRow struct {
	bun.BaseModel `bun:"table:cycle_versions"`
	CycleKey      string    `bun:"cycle_key,pk"`
	Version       int       `bun:"version,pk"`
	Hash          string    `bun:"hash"`
	Definition    string    `bun:"definition"`
	LoadedAt      time.Time `bun:"loaded_at"`
	LoadedBy      string    `bun:"loaded_by"`
}

func toCycleVersion(r cycleVersionRow) (workflow.CycleVersion, error) {
	v := workflow.CycleVersion{Key: r.CycleKey, Version: r.Version, Hash: r.Hash, LoadedAt: r.LoadedAt.UTC(), LoadedBy: r.LoadedBy}
	var d cycleDoc
	if err := json.Unmarshal([]byte(r.Definition), &d); err != nil {
		return v, fmt.Errorf("decode cycle %s@%d: %w", r.CycleKey, r.Version, err)
	}
	v.Cycle = d.cycle()
	if ps := v.Cycle.Check(); len(ps) > 0 { // compiles the rules; a stored cycle was valid when stored
		return v, fmt.Errorf("stored cycle %s@%d no longer checks: %s", r.CycleKey, r.Version, ps[0])
	}
	return v, nil
}

type releaseRow struct {
	bun.BaseModel `bun:"table:releases"`
	CycleKey      string    `bun:"cycle_key,pk"`
	ProgrammeKey  string    `bun:"programme_key,pk"`
	ReleasedAt    time.Time `bun:"released_at"`
	ReleasedBy    string    `bun:"released_by"`
	// ConfirmedUndecided is the JSON of the undecided counts by state that
	// the release confirmed ("" when there were none).
	ConfirmedUndecided string `bun:"confirmed_undecided"`
	ConfirmReason      string `bun:"confirm_reason"`
}

type organisationRow struct {
	bun.BaseModel    `bun:"table:organisations"`
	ID               int64     `bun:"id,pk,autoincrement"`
	Name             string    `bun:"name"`
	NameKana         string    `bun:"name_kana"`
	LegalForm        string    `bun:"legal_form"`
	CorporateNumber  string    `bun:"corporate_number,nullzero"`
	Prefecture       string    `bun:"prefecture"`
	Municipality     string    `bun:"municipality"`
	Industry         string    `bun:"industry"`
	SMESector        string    `bun:"sme_sector,nullzero"`
	TotalHeadcount   int       `bun:"total_headcount"`
	RegularHeadcount int       `bun:"regular_headcount"`
	Capital          *int64    `bun:"capital"`
	Version          int       `bun:"version"`
	CreatedAt        time.Time `bun:"created_at"`
	UpdatedAt        time.Time `bun:"updated_at"`
}

func fromOrganisation(o workflow.Organisation) organisationRow {
	return organisationRow{
		ID: o.ID, Name: o.Name, NameKana: o.NameKana, LegalForm: string(o.LegalForm), CorporateNumber: o.CorporateNumber,
		Prefecture: o.Prefecture, Municipality: o.Municipality, Industry: o.Industry, SMESector: string(o.SMESector),
		TotalHeadcount: o.TotalHeadcount, RegularHeadcount: o.RegularHeadcount, Capital: o.Capital,
		Version: o.Version, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(),
	}
}

func toOrganisation(r organisationRow) workflow.Organisation {
	return workflow.Organisation{
		ID: r.ID, Name: r.Name, NameKana: r.NameKana, LegalForm: workflow.LegalForm(r.LegalForm), CorporateNumber: r.CorporateNumber,
		Prefecture: r.Prefecture, Municipality: r.Municipality, Industry: r.Industry, SMESector: workflow.SMESector(r.SMESector),
		TotalHeadcount: r.TotalHeadcount, RegularHeadcount: r.RegularHeadcount, Capital: r.Capital,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

type nominationRow struct {
	bun.BaseModel  `bun:"table:nominations"`
	ID             int64      `bun:"id,pk,autoincrement"`
	CycleKey       string     `bun:"cycle_key"`
	CycleVersion   int        `bun:"cycle_version"`
	ProgrammeKey   string     `bun:"programme_key"`
	Ministry       string     `bun:"ministry"`
	OrganisationID int64      `bun:"organisation_id"`
	State          string     `bun:"state"`
	Stage          string     `bun:"stage"`
	Tier           string     `bun:"tier"`
	Award          string     `bun:"award"`
	Answers        string     `bun:"answers"`
	Snapshot       *string    `bun:"snapshot"`
	Eligibility    string     `bun:"eligibility"`
	ReturnReason   string     `bun:"return_reason"`
	ReturnDue      *time.Time `bun:"return_due"`
	SubmittedAt    *time.Time `bun:"submitted_at"`
	Version        int        `bun:"version"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
	// ApplicantVersion and ApplicantUpdatedAt move only with the steps the
	// applicant can see.
	ApplicantVersion   int        `bun:"applicant_version"`
	ApplicantUpdatedAt *time.Time `bun:"applicant_updated_at"`
}

func fromNomination(n workflow.Nomination) (nominationRow, error) {
	answers, err := json.Marshal(n.Answers)
	if err != nil {
		return nominationRow{}, fmt.Errorf("encode answers: %w", err)
	}
	r := nominationRow{
		ID: n.ID, CycleKey: n.CycleKey, CycleVersion: n.CycleVersion, ProgrammeKey: n.ProgrammeKey, Ministry: n.Ministry, OrganisationID: n.OrganisationID,
		State: string(n.State), Stage: n.Stage, Tier: n.Tier, Award: n.Award, Answers: string(answers), Eligibility: string(n.Eligibility),
		ReturnReason: n.ReturnReason, ReturnDue: utcPtr(n.ReturnDue), SubmittedAt: utcPtr(n.SubmittedAt),
		Version: n.Version, CreatedAt: n.CreatedAt.UTC(), UpdatedAt: n.UpdatedAt.UTC(),
		ApplicantVersion: n.ApplicantVersion,
	}
	if !n.ApplicantUpdatedAt.IsZero() {
		at := n.ApplicantUpdatedAt.UTC()
		r.ApplicantUpdatedAt = &at
	}
	if n.Snapshot != nil {
		snap, err := json.Marshal(toOrganisationDoc(n.Snapshot))
		if err != nil {
			return nominationRow{}, fmt.Errorf("encode snapshot: %w", err)
		}
		s := string(snap)
		r.Snapshot = &s
	}
	return r, nil
}

func toNomination(r nominationRow) (workflow.Nomination, error) {
	answers, err := workflow.DecodeAnswers([]byte(r.Answers))
	if err != nil {
		return workflow.Nomination{}, fmt.Errorf("nomination %d: %w", r.ID, err)
	}
	n := workflow.Nomination{
		ID: r.ID, CycleKey: r.CycleKey, CycleVersion: r.CycleVersion, ProgrammeKey: r.ProgrammeKey, Ministry: r.Ministry, OrganisationID: r.OrganisationID,
		State: workflow.State(r.State), Stage: r.Stage, Tier: r.Tier, Award: r.Award, Answers: answers, Eligibility: workflow.Outcome(r.Eligibility),
		ReturnReason: r.ReturnReason, ReturnDue: utcPtr(r.ReturnDue), SubmittedAt: utcPtr(r.SubmittedAt),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		ApplicantVersion: r.ApplicantVersion,
	}
	if r.ApplicantUpdatedAt != nil {
		n.ApplicantUpdatedAt = r.ApplicantUpdatedAt.UTC()
	}
	if r.Snapshot != nil {
		var d organisationDoc
		if err := json.Unmarshal([]byte(*r.Snapshot), &d); err != nil {
			return n, fmt.Errorf("nomination %d: decode snapshot: %w", r.ID, err)
		}
		o := d.domain()
		n.Snapshot = &o
	}
	return n, nil
}

func toNominations(rows []nominationRow) ([]workflow.Nomination, error) {
	out := make([]workflow.Nomination, len(rows))
	for i, r := range rows {
		n, err := toNomination(r)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

type historyRow struct {
	bun.BaseModel `bun:"table:nomination_history"`
	ID            int64      `bun:"id,pk,autoincrement"`
	NominationID  int64      `bun:"nomination_id"`
	Version       int        `bun:"version"`
	ApplicantVer  int        `bun:"applicant_version"`
	ActorID       string     `bun:"actor_id"`
	ActorName     string     `bun:"actor_name"`
	Role          string     `bun:"role"`
	Action        string     `bun:"action"`
	FromState     string     `bun:"from_state"`
	ToState       string     `bun:"to_state"`
	Stage         string     `bun:"stage"`
	Tier          string     `bun:"tier"`
	Award         string     `bun:"award"`
	Reason        string     `bun:"reason"`
	Due           *time.Time `bun:"due"`
	At            time.Time  `bun:"at"`
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// ---- workflow.Tx

func (t *tx) CycleKeys(ctx context.Context) ([]string, error) {
	var keys []string
	err := t.db.NewSelect().Model((*cycleVersionRow)(nil)).Distinct().Column("cycle_key").Order("cycle_key").Scan(ctx, &keys)
	return keys, translate(err, "cycles")
}

func (t *tx) LatestCycle(ctx context.Context, key string) (workflow.CycleVersion, error) {
	var r cycleVersionRow
	err := t.db.NewSelect().Model(&r).Where("cycle_key = ?", key).Order("version DESC").Limit(1).Scan(ctx)
	if err != nil {
		return workflow.CycleVersion{}, translate(err, "cycle "+key)
	}
	return toCycleVersion(r)
}

func (t *tx) CycleVersion(ctx context.Context, key string, version int) (workflow.CycleVersion, error) {
	var r cycleVersionRow
	err := t.db.NewSelect().Model(&r).Where("cycle_key = ? AND version = ?", key, version).Scan(ctx)
	if err != nil {
		return workflow.CycleVersion{}, translate(err, fmt.Sprintf("cycle %s@%d", key, version))
	}
	return toCycleVersion(r)
}

func (t *tx) InsertCycleVersion(ctx context.Context, v *workflow.CycleVersion) error {
	def, err := json.Marshal(fromCycle(&v.Cycle))
	if err != nil {
		return fmt.Errorf("encode cycle: %w", err)
	}
	r := cycleVersionRow{CycleKey: v.Key, Version: v.Version, Hash: v.Hash, Definition: string(def), LoadedAt: v.LoadedAt.UTC(), LoadedBy: v.LoadedBy}
	_, err = t.db.NewInsert().Model(&r).Exec(ctx)
	return translate(err, fmt.Sprintf("cycle %s@%d", v.Key, v.Version))
}

func (t *tx) ReleasedAt(ctx context.Context, cycleKey, programmeKey string) (*time.Time, error) {
	var r releaseRow
	err := t.db.NewSelect().Model(&r).Where("cycle_key = ? AND programme_key = ?", cycleKey, programmeKey).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "release")
	}
	at := r.ReleasedAt.UTC()
	return &at, nil
}

func (t *tx) Release(ctx context.Context, cycleKey, programmeKey string) (*workflow.Release, error) {
	var r releaseRow
	err := t.db.NewSelect().Model(&r).Where("cycle_key = ? AND programme_key = ?", cycleKey, programmeKey).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "release")
	}
	rel := &workflow.Release{CycleKey: r.CycleKey, ProgrammeKey: r.ProgrammeKey, ReleasedAt: r.ReleasedAt.UTC(), ReleasedBy: r.ReleasedBy,
		ConfirmReason: r.ConfirmReason}
	if r.ConfirmedUndecided != "" {
		if err := json.Unmarshal([]byte(r.ConfirmedUndecided), &rel.ConfirmedUndecided); err != nil {
			return nil, fmt.Errorf("release of %s: decode confirmed counts: %w", programmeKey, err)
		}
	}
	return rel, nil
}

func (t *tx) InsertRelease(ctx context.Context, rel workflow.Release) error {
	r := releaseRow{CycleKey: rel.CycleKey, ProgrammeKey: rel.ProgrammeKey, ReleasedAt: rel.ReleasedAt.UTC(), ReleasedBy: rel.ReleasedBy,
		ConfirmReason: rel.ConfirmReason}
	if len(rel.ConfirmedUndecided) > 0 {
		b, err := json.Marshal(rel.ConfirmedUndecided)
		if err != nil {
			return fmt.Errorf("encode confirmed counts: %w", err)
		}
		r.ConfirmedUndecided = string(b)
	}
	_, err := t.db.NewInsert().Model(&r).Exec(ctx)
	return translate(err, "results of "+rel.ProgrammeKey)
}

func (t *tx) CountNominationsByState(ctx context.Context, cycleKey, programmeKey string) (map[workflow.State]int, error) {
	var rows []struct {
		State string `bun:"state"`
		N     int    `bun:"n"`
	}
	err := t.db.NewSelect().TableExpr("nominations").ColumnExpr("state, COUNT(*) AS n").
		Where("cycle_key = ? AND programme_key = ?", cycleKey, programmeKey).GroupExpr("state").Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err, "nominations")
	}
	out := make(map[workflow.State]int, len(rows))
	for _, r := range rows {
		out[workflow.State(r.State)] = r.N
	}
	return out, nil
}

func (t *tx) InsertOrganisation(ctx context.Context, o *workflow.Organisation) error {
	r := fromOrganisation(*o)
	r.ID = 0
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return corporateNumberTaken(translate(err, "organisation"), o.CorporateNumber)
	}
	o.ID = r.ID
	return nil
}

// corporateNumberTaken turns the unique violation of organisations'
// corporate number (the only unique column there) into the service's refusal.
func corporateNumberTaken(err error, number string) error {
	if number != "" && workflow.ErrorCode(err) == workflow.Conflict {
		e := workflow.CorporateNumberTaken(number)
		e.Err = err
		return e
	}
	return err
}

func (t *tx) OrganisationWithCorporateNumber(ctx context.Context, number string) (int64, error) {
	var ids []int64
	err := t.db.NewSelect().Table("organisations").Column("id").Where("corporate_number = ?", number).
		Order("id").Limit(1).Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return 0, translate(err, "organisation")
	}
	return ids[0], nil
}

func (t *tx) Organisation(ctx context.Context, id int64) (workflow.Organisation, error) {
	var r organisationRow
	if err := t.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return workflow.Organisation{}, translate(err, fmt.Sprintf("organisation %d", id))
	}
	return toOrganisation(r), nil
}

func (t *tx) OrganisationsByID(ctx context.Context, ids []int64) ([]workflow.Organisation, error) {
	var rows []organisationRow
	if err := t.db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, translate(err, "organisations")
	}
	out := make([]workflow.Organisation, len(rows))
	for i, r := range rows {
		out[i] = toOrganisation(r)
	}
	return out, nil
}

func (t *tx) UpdateOrganisation(ctx context.Context, o *workflow.Organisation, expected int) error {
	r := fromOrganisation(*o)
	res, err := t.db.NewUpdate().Model(&r).ExcludeColumn("id", "created_at").
		Where("id = ? AND version = ?", o.ID, expected).Exec(ctx)
	if err != nil {
		return corporateNumberTaken(translate(err, "organisation"), o.CorporateNumber)
	}
	return checkUpdated(res, err, fmt.Sprintf("organisation %d", o.ID))
}

func (t *tx) InsertNomination(ctx context.Context, n *workflow.Nomination) error {
	r, err := fromNomination(*n)
	if err != nil {
		return err
	}
	r.ID = 0
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "nomination for this organisation and programme")
	}
	n.ID = r.ID
	t.noteProgramme(n.ID, n.CycleKey, n.ProgrammeKey)
	return nil
}

func (t *tx) Nomination(ctx context.Context, id int64) (workflow.Nomination, error) {
	var r nominationRow
	if err := t.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return workflow.Nomination{}, translate(err, fmt.Sprintf("nomination %d", id))
	}
	return toNomination(r)
}

func (t *tx) Nominations(ctx context.Context, ids []int64) ([]workflow.Nomination, error) {
	var rows []nominationRow
	if err := t.db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, translate(err, "nominations")
	}
	byID := make(map[int64]*nominationRow, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	out := make([]workflow.Nomination, len(ids))
	for i, id := range ids {
		r, ok := byID[id]
		if !ok {
			return nil, workflow.Refuse(workflow.NotFound, "応募 %d は見つかりません", "no such nomination %d", id)
		}
		n, err := toNomination(*r)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// nominationUpdateColumns are the columns a nomination's changes touch;
// its identity (id, cycle, programme, organisation, created_at) never changes.
var nominationUpdateColumns = []string{"cycle_version", "state", "stage", "tier", "award", "answers", "snapshot", "eligibility",
	"return_reason", "return_due", "submitted_at", "version", "updated_at", "applicant_version", "applicant_updated_at"}

// UpdateNominations writes every nomination in one set-based statement
// (UPDATE … FROM VALUES), so that a bulk transition of 1,000 nominations is
// one round trip, not 1,000. A row whose stored version is not Version−1
// is not updated, and any such row makes the whole call a Conflict.
func (t *tx) UpdateNominations(ctx context.Context, ns []workflow.Nomination) error {
	if len(ns) == 0 {
		return nil
	}
	rows := make([]nominationRow, len(ns))
	for i, n := range ns {
		r, err := fromNomination(n)
		if err != nil {
			return err
		}
		rows[i] = r
		t.noteProgramme(n.ID, n.CycleKey, n.ProgrammeKey)
	}
	res, err := t.db.NewUpdate().Model(&rows).Column(nominationUpdateColumns...).Bulk().
		Where("?TableAlias.version = _data.version - 1").Exec(ctx)
	if err != nil {
		return translate(err, "nominations")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("nominations: rows affected: %w", err)
	}
	if int(n) != len(ns) {
		what := fmt.Sprintf("nomination %d", ns[0].ID)
		if len(ns) > 1 {
			what = fmt.Sprintf("%d of %d nominations", len(ns)-int(n), len(ns))
		}
		return changedMeanwhile(what)
	}
	return nil
}

func (t *tx) SetEligibility(ctx context.Context, ns []workflow.Nomination) error {
	if len(ns) == 0 {
		return nil
	}
	rows := make([]nominationRow, len(ns))
	for i, n := range ns {
		rows[i] = nominationRow{ID: n.ID, Eligibility: string(n.Eligibility)}
	}
	_, err := t.db.NewUpdate().Model(&rows).Column("eligibility").Bulk().Exec(ctx)
	return translate(err, "nominations")
}

func (t *tx) UnevaluatedNominations(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := t.db.NewSelect().Table("nominations").Column("id").Where("eligibility = ''").
		Order("id").Limit(int64(limit)).Scan(ctx, &ids)
	return ids, translate(err, "nominations")
}

func (t *tx) AppendHistory(ctx context.Context, es []workflow.HistoryEntry) error {
	if len(es) == 0 {
		return nil
	}
	rows := make([]historyRow, len(es))
	for i, e := range es {
		rows[i] = historyRow{
			NominationID: e.NominationID, Version: e.Version, ApplicantVer: e.ApplicantVersion, ActorID: e.ActorID, ActorName: e.ActorName, Role: string(e.Role),
			Action: string(e.Action), FromState: string(e.From), ToState: string(e.To), Stage: e.Stage, Tier: e.Tier,
			Award: e.Award, Reason: e.Reason, Due: utcPtr(e.Due), At: e.At.UTC(),
		}
	}
	if _, err := t.db.NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
		return translate(err, "history entry")
	}
	for _, r := range rows {
		t.queueAudit(historyAudit(r))
	}
	return nil
}

func (t *tx) History(ctx context.Context, nominationID int64) ([]workflow.HistoryEntry, error) {
	var rows []historyRow
	if err := t.db.NewSelect().Model(&rows).Where("nomination_id = ?", nominationID).Order("version", "id").Scan(ctx); err != nil {
		return nil, translate(err, "history")
	}
	out := make([]workflow.HistoryEntry, len(rows))
	for i, r := range rows {
		out[i] = toHistoryEntry(r)
	}
	return out, nil
}

// ---- errors

// checkUpdated turns "no row matched id and version" into Conflict, or
// NotFound when the row does not exist at all (the caller read it in this
// transaction, so that means it was deleted concurrently).
func checkUpdated(res sql.Result, err error, what string) error {
	if err != nil {
		return translate(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: rows affected: %w", what, err)
	}
	if n == 0 {
		return changedMeanwhile(what)
	}
	return nil
}

// changedMeanwhile is the Conflict of a write that lost to another one.
func changedMeanwhile(what string) error {
	return workflow.Refuse(workflow.Conflict, "%[1]s は他の操作で更新されました。再読み込みしてからやり直してください",
		"%[2]s was changed by someone else; reload and try again", objectJa(what), what)
}

// phrasesJa and nounsJa give the Japanese of the objects storage errors
// name. what is the English given to translate and checkUpdated ("nomination
// 14", "cycle fy2026-telework@2"): a phrase that matches it whole, or else
// its leading noun, is put in Japanese (「応募 14」), so a caller reading
// Japanese learns as much as one reading English.
var phrasesJa = []struct {
	en *regexp.Regexp
	ja string
}{
	{regexp.MustCompile(`^user (\d+)'s organisation$`), "利用者 $1 の所属団体"},
	{regexp.MustCompile(`^results of (.+)$`), "$1 の結果公開"},
	{regexp.MustCompile(`^(\d+) of (\d+) nominations$`), "応募 $2 件中 $1 件"},
	{regexp.MustCompile(`^nomination for this organisation and programme$`), "この団体のこのプログラムへの応募"},
	{regexp.MustCompile(`^account with this email$`), "このメールアドレスのアカウント"},
	{regexp.MustCompile(`^publication version (\d+)$`), "公表 第${1}版"},
	{regexp.MustCompile(`^cycle (\S+)@(\d+)$`), "募集回 $1 の第${2}版"},
}

var activeGrant = regexp.MustCompile(`^active grant of (\S+) in (\S+)$`)

var nounsJa = map[string]string{
	"nomination": "応募", "organisation": "団体", "user": "利用者", "grant": "権限付与", "cycle": "募集回", "proposal": "割当て案",
	"session": "セッション", "invitation": "招待", "panel member": "審査員", "assignment": "割当て", "score event": "採点の記録",
	"score": "採点", "stage version": "審査段階の版", "grants version": "権限の版", "history entry": "履歴", "history": "履歴",
	"affiliation": "所属", "conflict": "利害関係", "decision": "決定", "release": "結果公開", "panel": "審査員名簿", "entries": "審査対象",
	"publications": "公表", "cycles": "募集回", "users": "利用者", "grants": "権限付与", "organisations": "団体", "nominations": "応募",
	"affiliations": "所属", "conflicts": "利害関係", "assignments": "割当て", "scores": "採点", "proposal pairs": "割当て案",
}

// objectJa returns the Japanese of an object named in English; what itself
// when neither a phrase nor a noun knows it.
func objectJa(what string) string {
	if m := activeGrant.FindStringSubmatch(what); m != nil {
		ministry := m[2]
		if t, ok := workflow.Ministries[ministry]; ok {
			ministry = t.Ja
		}
		return fmt.Sprintf("%sでの「%s」の権限", ministry, workflow.Role(m[1]).Label().Ja)
	}
	for _, p := range phrasesJa {
		if p.en.MatchString(what) {
			return p.en.ReplaceAllString(what, p.ja)
		}
	}
	noun, rest := what, ""
	if i := strings.LastIndexByte(what, ' '); i > 0 {
		if _, ok := nounsJa[what]; !ok {
			noun, rest = what[:i], what[i:]
		}
	}
	if ja, ok := nounsJa[noun]; ok {
		return ja + rest
	}
	return what
}

// translate maps driver errors onto workflow's codes: no rows → NotFound,
// unique violation → Conflict. Anything else is Internal (wrapped for logs).
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return workflow.Refuse(workflow.NotFound, "%[1]s は見つかりません", "no such %[2]s", objectJa(what), what)
	}
	exists := func() error {
		e := workflow.Refuse(workflow.Conflict, "%[1]s はすでに存在します", "%[2]s already exists", objectJa(what), what)
		e.Err = err
		return e
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return exists()
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() {
		case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return exists()
		}
	}
	var we *workflow.Error
	if errors.As(err, &we) {
		return err
	}
	return &workflow.Error{Code: workflow.Internal, Message: "database error", Err: err}
}
