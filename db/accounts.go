package db

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/awardflow/awardflow/workflow"
)

type userRow struct {
	bun.BaseModel  `bun:"table:users"`
	ID             int64     `bun:"id,pk,autoincrement"`
	Email          string    `bun:"email"`
	Name           string    `bun:"name"`
	Locale         string    `bun:"locale"`
	PasswordHash   string    `bun:"password_hash,nullzero"`
	OrganisationID int64     `bun:"organisation_id,nullzero"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func fromUser(u workflow.User) userRow {
	return userRow{ID: u.ID, Email: u.Email, Name: u.Name, Locale: u.Locale, PasswordHash: u.PasswordHash,
		OrganisationID: u.OrganisationID, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC()}
}

func toUser(r userRow) workflow.User {
	return workflow.User{ID: r.ID, Email: r.Email, Name: r.Name, Locale: r.Locale, PasswordHash: r.PasswordHash,
		OrganisationID: r.OrganisationID, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type sessionRow struct {
	bun.BaseModel `bun:"table:sessions"`
	ID            int64      `bun:"id,pk,autoincrement"`
	UserID        int64      `bun:"user_id"`
	TokenHash     string     `bun:"token_hash"`
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
}

type grantRow struct {
	bun.BaseModel `bun:"table:role_grants"`
	ID            int64      `bun:"id,pk,autoincrement"`
	UserID        int64      `bun:"user_id"`
	Role          string     `bun:"role"`
	Domain        string     `bun:"domain"`
	GrantedBy     string     `bun:"granted_by"`
	GrantedAt     time.Time  `bun:"granted_at"`
	RevokedBy     string     `bun:"revoked_by"`
	RevokedAt     *time.Time `bun:"revoked_at"`
}

func toGrant(r grantRow) workflow.RoleGrant {
	return workflow.RoleGrant{ID: r.ID, UserID: r.UserID, Role: workflow.Role(r.Role), Domain: r.Domain,
		GrantedBy: r.GrantedBy, GrantedAt: r.GrantedAt.UTC(), RevokedBy: r.RevokedBy, RevokedAt: utcPtr(r.RevokedAt)}
}

type invitationRow struct {
	bun.BaseModel  `bun:"table:invitations"`
	ID             int64      `bun:"id,pk,autoincrement"`
	Email          string     `bun:"email"`
	Name           string     `bun:"name"`
	Role           string     `bun:"role"`
	Domain         string     `bun:"domain"`
	OrganisationID int64      `bun:"organisation_id,nullzero"`
	TokenHash      string     `bun:"token_hash"`
	InvitedBy      string     `bun:"invited_by"`
	CreatedAt      time.Time  `bun:"created_at"`
	ExpiresAt      time.Time  `bun:"expires_at"`
	AcceptedAt     *time.Time `bun:"accepted_at"`
	UserID         int64      `bun:"user_id,nullzero"`
}

func (t *tx) InsertUser(ctx context.Context, u *workflow.User) error {
	r := fromUser(*u)
	r.ID = 0
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "account with this email")
	}
	u.ID = r.ID
	return nil
}

func (t *tx) User(ctx context.Context, id int64) (workflow.User, error) {
	var r userRow
	if err := t.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return workflow.User{}, translate(err, fmt.Sprintf("user %d", id))
	}
	return toUser(r), nil
}

func (t *tx) UserByEmail(ctx context.Context, email string) (workflow.User, error) {
	var r userRow
	if err := t.db.NewSelect().Model(&r).Where("email = ?", email).Scan(ctx); err != nil {
		return workflow.User{}, translate(err, "user")
	}
	return toUser(r), nil
}

// likePattern escapes LIKE's wildcards in a user's search text.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(q)) + "%"
}

func (t *tx) Users(ctx context.Context, f workflow.UserFilter, domains []string) ([]workflow.User, int, error) {
	where := func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Q != "" {
			p := likePattern(f.Q)
			q = q.Where(`(LOWER(email) LIKE ? ESCAPE '\' OR LOWER(name) LIKE ? ESCAPE '\')`, p, p)
		}
		if domains != nil {
			q = q.Where("id IN (SELECT user_id FROM role_grants WHERE domain IN (?))", bun.List(append(domains, "")))
		}
		if len(f.Roles) > 0 || f.Domain != "" {
			q = q.Where("id IN (?)", activeGrantsOf(t.db, f.Roles, f.Domain, domains))
		}
		return q
	}
	total, err := count(ctx, f.Total, where(t.db.NewSelect().Table("users")))
	if err != nil {
		return nil, 0, translate(err, "users")
	}
	var rows []userRow
	q := where(t.db.NewSelect().Model(&rows))
	if f.After != 0 {
		q = q.Where("id > ?", f.After)
	}
	if err := q.Order("id").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, 0, translate(err, "users")
	}
	out := make([]workflow.User, len(rows))
	for i, r := range rows {
		out[i] = toUser(r)
	}
	return out, total, nil
}

// activeGrantsOf selects the users holding an active grant of one of roles
// (if any) in domain (if set), counting for staff limited to domains only the
// grants in those ministries and global ones.
func activeGrantsOf(db bun.IDB, roles []workflow.Role, domain string, domains []string) *bun.SelectQuery {
	q := db.NewSelect().Table("role_grants").Column("user_id").Where("revoked_at IS NULL")
	if len(roles) > 0 {
		q = q.Where("role IN (?)", bun.List(roles))
	}
	if domain != "" {
		q = q.Where("domain = ?", domain)
	}
	if domains != nil {
		q = q.Where("domain IN (?)", bun.List(append(slices.Clone(domains), workflow.AnyDomain)))
	}
	return q
}

func (t *tx) UpdateUser(ctx context.Context, u *workflow.User) error {
	r := fromUser(*u)
	res, err := t.db.NewUpdate().Model(&r).Column("name", "locale", "password_hash", "updated_at").WherePK().Exec(ctx)
	return checkUpdated(res, err, fmt.Sprintf("user %d", u.ID))
}

func (t *tx) BindOrganisation(ctx context.Context, userID, orgID int64) error {
	res, err := t.db.NewUpdate().Table("users").Set("organisation_id = ?", orgID).
		Where("id = ? AND organisation_id IS NULL", userID).Exec(ctx)
	return checkUpdated(res, err, fmt.Sprintf("user %d's organisation", userID))
}

func (t *tx) InsertSession(ctx context.Context, s workflow.Session) error {
	r := sessionRow{UserID: s.UserID, TokenHash: s.TokenHash, CreatedAt: s.CreatedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC()}
	_, err := t.db.NewInsert().Model(&r).Exec(ctx)
	return translate(err, "session")
}

// sessionUserStmt is SessionUser's statement.
var sessionUserStmt = preparedStatement{"read_session_user", func(*tx) string {
	return `SELECT u.id, u.email, u.name, u.locale, u.password_hash, u.organisation_id, u.created_at, u.updated_at, gv.version AS grants_version
		FROM sessions AS s JOIN users AS u ON u.id = s.user_id CROSS JOIN grants_version AS gv
		WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`
}}

// SessionUser answers in one round trip (a prepared statement on
// PostgreSQL): the session, its user and the grants version, since it runs
// on every authenticated request.
func (t *tx) SessionUser(ctx context.Context, tokenHash string, now time.Time) (workflow.User, int64, error) {
	var r struct {
		userRow
		GrantsVersion int64 `bun:"grants_version"`
	}
	if err := t.raw(sessionUserStmt, tokenHash, now.UTC()).Scan(ctx, &r); err != nil {
		return workflow.User{}, 0, translate(err, "session")
	}
	return toUser(r.userRow), r.GrantsVersion, nil
}

func (t *tx) RevokeSession(ctx context.Context, tokenHash string, now time.Time) error {
	res, err := t.db.NewUpdate().Table("sessions").Set("revoked_at = ?", now.UTC()).
		Where("token_hash = ? AND revoked_at IS NULL", tokenHash).Exec(ctx)
	if err := checkUpdated(res, err, "session"); workflow.ErrorCode(err) == workflow.Conflict {
		return workflow.Refuse(workflow.NotFound, "セッションが見つかりません", "no such session")
	} else if err != nil {
		return err
	}
	return nil
}

func (t *tx) bumpGrants(ctx context.Context) error {
	_, err := t.db.NewUpdate().Table("grants_version").Set("version = version + 1").Where("id = 1").Exec(ctx)
	return translate(err, "grants version")
}

func (t *tx) InsertGrant(ctx context.Context, g *workflow.RoleGrant) error {
	r := grantRow{UserID: g.UserID, Role: string(g.Role), Domain: g.Domain, GrantedBy: g.GrantedBy, GrantedAt: g.GrantedAt.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, fmt.Sprintf("active grant of %s in %s", g.Role, g.Domain))
	}
	g.ID = r.ID
	return t.bumpGrants(ctx)
}

func (t *tx) RoleGrant(ctx context.Context, id int64) (workflow.RoleGrant, error) {
	var r grantRow
	if err := t.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return workflow.RoleGrant{}, translate(err, fmt.Sprintf("grant %d", id))
	}
	return toGrant(r), nil
}

func (t *tx) RevokeGrant(ctx context.Context, id int64, by string, at time.Time) error {
	res, err := t.db.NewUpdate().Table("role_grants").Set("revoked_at = ?, revoked_by = ?", at.UTC(), by).
		Where("id = ? AND revoked_at IS NULL", id).Exec(ctx)
	if err := checkUpdated(res, err, fmt.Sprintf("grant %d", id)); err != nil {
		return workflow.Refuse(workflow.Conflict, "権限付与 %d はすでに取り消されています", "grant %d is already revoked", id)
	}
	return t.bumpGrants(ctx)
}

func (t *tx) UserGrants(ctx context.Context, userID int64) ([]workflow.RoleGrant, error) {
	var rows []grantRow
	if err := t.db.NewSelect().Model(&rows).Where("user_id = ?", userID).Order("id").Scan(ctx); err != nil {
		return nil, translate(err, "grants")
	}
	out := make([]workflow.RoleGrant, len(rows))
	for i, r := range rows {
		out[i] = toGrant(r)
	}
	return out, nil
}

func (t *tx) ActiveGrants(ctx context.Context) ([]workflow.RoleGrant, int64, error) {
	var version int64
	if err := t.db.NewSelect().Table("grants_version").Column("version").Where("id = 1").Scan(ctx, &version); err != nil {
		return nil, 0, translate(err, "grants version")
	}
	var rows []grantRow
	if err := t.db.NewSelect().Model(&rows).Where("revoked_at IS NULL").Order("id").Scan(ctx); err != nil {
		return nil, 0, translate(err, "grants")
	}
	out := make([]workflow.RoleGrant, len(rows))
	for i, r := range rows {
		out[i] = toGrant(r)
	}
	return out, version, nil
}

func (t *tx) InsertInvitation(ctx context.Context, inv *workflow.Invitation) error {
	r := invitationRow{Email: inv.Email, Name: inv.Name, Role: string(inv.Role), Domain: inv.Domain, OrganisationID: inv.OrganisationID,
		TokenHash: inv.TokenHash, InvitedBy: inv.InvitedBy, CreatedAt: inv.CreatedAt.UTC(), ExpiresAt: inv.ExpiresAt.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "invitation")
	}
	inv.ID = r.ID
	return nil
}

func (t *tx) InvitationByToken(ctx context.Context, tokenHash string) (workflow.Invitation, error) {
	var r invitationRow
	if err := t.db.NewSelect().Model(&r).Where("token_hash = ?", tokenHash).Scan(ctx); err != nil {
		return workflow.Invitation{}, translate(err, "invitation")
	}
	return workflow.Invitation{ID: r.ID, Email: r.Email, Name: r.Name, Role: workflow.Role(r.Role), Domain: r.Domain,
		OrganisationID: r.OrganisationID, TokenHash: r.TokenHash, InvitedBy: r.InvitedBy, CreatedAt: r.CreatedAt.UTC(),
		ExpiresAt: r.ExpiresAt.UTC(), AcceptedAt: utcPtr(r.AcceptedAt), UserID: r.UserID}, nil
}

func (t *tx) AcceptInvitation(ctx context.Context, id, userID int64, at time.Time) error {
	res, err := t.db.NewUpdate().Table("invitations").Set("accepted_at = ?, user_id = ?", at.UTC(), userID).
		Where("id = ? AND accepted_at IS NULL", id).Exec(ctx)
	return checkUpdated(res, err, "invitation")
}

func (t *tx) SearchOrganisations(ctx context.Context, f workflow.OrganisationFilter) ([]workflow.Organisation, int, error) {
	where := func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Q != "" {
			p := likePattern(f.Q)
			q = q.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(name_kana) LIKE ? ESCAPE '\' OR corporate_number = ?)`, p, p, f.Q)
		}
		if f.Prefecture != "" {
			q = q.Where("prefecture = ?", f.Prefecture)
		}
		if f.Industry != "" {
			q = q.Where("industry = ?", f.Industry)
		}
		return q
	}
	total, err := count(ctx, f.Total, where(t.db.NewSelect().Table("organisations")))
	if err != nil {
		return nil, 0, translate(err, "organisations")
	}
	var rows []organisationRow
	q := where(t.db.NewSelect().Model(&rows))
	if f.After != 0 {
		q = q.Where("id > ?", f.After)
	}
	if err := q.Order("id").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, 0, translate(err, "organisations")
	}
	out := make([]workflow.Organisation, len(rows))
	for i, r := range rows {
		out[i] = toOrganisation(r)
	}
	return out, total, nil
}

// count runs q as a COUNT when asked to (a page's total is opt-in: it
// reads every match, which the page itself does not).
func count(ctx context.Context, asked bool, q *bun.SelectQuery) (int, error) {
	if !asked {
		return 0, nil
	}
	n, err := q.Count(ctx)
	return int(n), err
}

// nominationListRow is a nomination as a list shows it, joined with its
// organisation's name, prefecture and industry: without the answers and the
// snapshot, which a list neither shows nor should pay to read and decode.
type nominationListRow struct {
	ID                 int64      `bun:"id"`
	CycleKey           string     `bun:"cycle_key"`
	CycleVersion       int        `bun:"cycle_version"`
	ProgrammeKey       string     `bun:"programme_key"`
	Ministry           string     `bun:"ministry"`
	OrganisationID     int64      `bun:"organisation_id"`
	State              string     `bun:"state"`
	Stage              string     `bun:"stage"`
	Tier               string     `bun:"tier"`
	Award              string     `bun:"award"`
	ReturnDue          *time.Time `bun:"return_due"`
	SubmittedAt        *time.Time `bun:"submitted_at"`
	Eligibility        string     `bun:"eligibility"`
	Version            int        `bun:"version"`
	CreatedAt          time.Time  `bun:"created_at"`
	UpdatedAt          time.Time  `bun:"updated_at"`
	ApplicantVersion   int        `bun:"applicant_version"`
	ApplicantUpdatedAt *time.Time `bun:"applicant_updated_at"`
	OrgName            string     `bun:"org_name"`
	OrgPrefecture      string     `bun:"org_prefecture"`
	OrgIndustry        string     `bun:"org_industry"`
}

const nominationListColumns = "n.id, n.cycle_key, n.cycle_version, n.programme_key, n.ministry, n.organisation_id, n.state, n.stage, " +
	"n.tier, n.award, n.return_due, n.submitted_at, n.eligibility, n.version, n.created_at, n.updated_at, n.applicant_version, n.applicant_updated_at, " +
	"o.name AS org_name, o.prefecture AS org_prefecture, o.industry AS org_industry"

func (t *tx) SearchNominations(ctx context.Context, f workflow.NominationFilter) ([]workflow.NominationItem, int, error) {
	where := func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.TableExpr("nominations AS n").Join("JOIN organisations AS o ON o.id = n.organisation_id")
		switch {
		case f.Ministries == nil: // every ministry
		case len(f.Ministries) == 1:
			// An equality, not IN: with it the planner walks the
			// (ministry, state, id) or (ministry, id) index in list order.
			// With IN it walks the primary key and filters, which reads the
			// whole table when a small ministry's filter matches little.
			q = q.Where("n.ministry = ?", f.Ministries[0])
		default: // "" keeps IN () well-formed for a secretariat of no ministry
			q = q.Where("n.ministry IN (?)", bun.List(append(f.Ministries, "")))
		}
		if f.OrganisationID != 0 {
			q = q.Where("n.organisation_id = ?", f.OrganisationID)
		}
		for _, c := range []struct{ col, v string }{{"n.cycle_key", f.Cycle}, {"n.programme_key", f.Programme},
			{"n.state", string(f.State)}, {"n.eligibility", string(f.Verdict)}, {"o.prefecture", f.Prefecture}, {"o.industry", f.Industry}} {
			if c.v != "" {
				q = q.Where("? = ?", bun.Safe(c.col), c.v)
			}
		}
		if f.MinHeadcount > 0 {
			q = q.Where("o.regular_headcount >= ?", f.MinHeadcount)
		}
		if f.MaxHeadcount > 0 {
			q = q.Where("o.regular_headcount <= ?", f.MaxHeadcount)
		}
		if f.Q != "" {
			p := likePattern(f.Q)
			q = q.Where(`(LOWER(o.name) LIKE ? ESCAPE '\' OR LOWER(o.name_kana) LIKE ? ESCAPE '\')`, p, p)
		}
		return q
	}
	total, err := count(ctx, f.Total, where(t.db.NewSelect()))
	if err != nil {
		return nil, 0, translate(err, "nominations")
	}
	var rows []nominationListRow
	q := where(t.db.NewSelect()).ColumnExpr(nominationListColumns)
	if f.After != 0 {
		q = q.Where("n.id < ?", f.After)
	}
	if err := q.OrderExpr("n.id DESC").Limit(int64(f.Limit)).Scan(ctx, &rows); err != nil {
		return nil, 0, translate(err, "nominations")
	}
	out := make([]workflow.NominationItem, len(rows))
	for i, r := range rows {
		n := workflow.Nomination{
			ID: r.ID, CycleKey: r.CycleKey, CycleVersion: r.CycleVersion, ProgrammeKey: r.ProgrammeKey, Ministry: r.Ministry,
			OrganisationID: r.OrganisationID, State: workflow.State(r.State), Stage: r.Stage, Tier: r.Tier, Award: r.Award,
			ReturnDue: utcPtr(r.ReturnDue), SubmittedAt: utcPtr(r.SubmittedAt), Eligibility: workflow.Outcome(r.Eligibility), Version: r.Version,
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), ApplicantVersion: r.ApplicantVersion,
		}
		if r.ApplicantUpdatedAt != nil {
			n.ApplicantUpdatedAt = r.ApplicantUpdatedAt.UTC()
		}
		out[i] = workflow.NominationItem{Nomination: n, OrganisationName: r.OrgName, Prefecture: r.OrgPrefecture, Industry: r.OrgIndustry}
	}
	return out, total, nil
}

type loginAttemptRow struct {
	bun.BaseModel `bun:"table:login_attempts"`
	Bucket        string    `bun:"bucket,pk"`
	Attempts      int       `bun:"attempts"`
	WindowStart   time.Time `bun:"window_start"`
}

// TakeAttempt counts one attempt in bucket with a single conditional
// UPDATE, so that concurrent attempts, in this process or another, never
// take more than limit per window: a new window starts once the old one
// has passed. It returns 0 if the attempt was taken, or how long until the
// bucket's window ends.
func (t *tx) TakeAttempt(ctx context.Context, bucket string, limit int, window time.Duration, now time.Time) (time.Duration, error) {
	now = now.UTC()
	cut := now.Add(-window)
	if _, err := t.db.NewInsert().Model(&loginAttemptRow{Bucket: bucket, WindowStart: now}).
		On("CONFLICT (bucket) DO NOTHING").Exec(ctx); err != nil {
		return 0, translate(err, "login attempts")
	}
	res, err := t.db.NewUpdate().Table("login_attempts").
		Set("attempts = CASE WHEN window_start <= ? THEN 1 ELSE attempts + 1 END", cut).
		Set("window_start = CASE WHEN window_start <= ? THEN ? ELSE window_start END", cut, now).
		Where("bucket = ? AND (window_start <= ? OR attempts < ?)", bucket, cut, limit).Exec(ctx)
	if err != nil {
		return 0, translate(err, "login attempts")
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, translate(err, "login attempts")
	} else if n == 1 {
		return 0, nil
	}
	var r loginAttemptRow
	err = t.db.NewSelect().Model(&r).Where("bucket = ?", bucket).Scan(ctx)
	if workflow.ErrorCode(translate(err, "")) == workflow.NotFound {
		// Purged (as expired) between our insert and update: a new window.
		_, err = t.db.NewInsert().Model(&loginAttemptRow{Bucket: bucket, Attempts: 1, WindowStart: now}).
			On("CONFLICT (bucket) DO NOTHING").Exec(ctx)
		return 0, translate(err, "login attempts")
	}
	if err != nil {
		return 0, translate(err, "login attempts")
	}
	return max(r.WindowStart.Add(window).Sub(now), time.Second), nil
}

// ForgetAttemptsBefore deletes the buckets whose window started before t.
func (t *tx) ForgetAttemptsBefore(ctx context.Context, before time.Time) error {
	_, err := t.db.NewDelete().Table("login_attempts").Where("window_start < ?", before.UTC()).Exec(ctx)
	return translate(err, "login attempts")
}

// ReturnAttempt gives back one attempt taken in bucket (one that turned
// out to succeed); forget clears the bucket instead.
func (t *tx) ReturnAttempt(ctx context.Context, bucket string, forget bool) error {
	var err error
	if forget {
		_, err = t.db.NewDelete().Table("login_attempts").Where("bucket = ?", bucket).Exec(ctx)
	} else {
		_, err = t.db.NewUpdate().Table("login_attempts").Set("attempts = attempts - 1").
			Where("bucket = ? AND attempts > 0", bucket).Exec(ctx)
	}
	return translate(err, "login attempts")
}

// RevokeOtherSessions ends a user's live sessions except the one whose
// token hashes to keep.
func (t *tx) RevokeOtherSessions(ctx context.Context, userID int64, keep string, now time.Time) error {
	_, err := t.db.NewUpdate().Table("sessions").Set("revoked_at = ?", now.UTC()).
		Where("user_id = ? AND token_hash <> ? AND revoked_at IS NULL", userID, keep).Exec(ctx)
	return translate(err, "sessions")
}
