package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awardflow/awardflow/workflow/password"
)

// User is an account. PasswordHash is empty until an invited user accepts.
type User struct {
	ID             int64
	Email          string
	Name           string
	Locale         string // "ja" or "en"
	OrganisationID int64  // the organisation an applicant acts for; 0 for none
	PasswordHash   string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ActorID is how a user appears in audit trails and in the enforcer.
func (u User) ActorID() string { return "user:" + itoa(u.ID) }

// RoleGrant is one grant of a role in a domain, with its audit trail.
type RoleGrant struct {
	ID        int64
	UserID    int64
	Role      Role
	Domain    string
	GrantedBy string
	GrantedAt time.Time
	RevokedBy string
	RevokedAt *time.Time
}

// Active reports whether the grant has not been revoked.
func (g RoleGrant) Active() bool { return g.RevokedAt == nil }

// Session is a signed-in session; only the token's hash is stored.
type Session struct {
	UserID    int64
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Invitation asks someone to create an account with a role; its token is
// one-time and expires.
type Invitation struct {
	ID             int64
	Email          string
	Name           string
	Role           Role
	Domain         string
	OrganisationID int64
	TokenHash      string
	InvitedBy      string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
	UserID         int64
}

// Token is a secret handed to a client once: a session's bearer token or an
// invitation's token.
type Token struct {
	Value     string
	ExpiresAt time.Time
}

// Lifetimes of secrets.
const (
	SessionTTL    = 12 * time.Hour
	InvitationTTL = 7 * 24 * time.Hour
)

// AccountsTx is the storage of accounts inside a transaction.
type AccountsTx interface {
	InsertUser(ctx context.Context, u *User) error // Conflict if the email is taken
	User(ctx context.Context, id int64) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	// Users lists users, those with a grant in one of domains when domains is not nil.
	Users(ctx context.Context, f UserFilter, domains []string) ([]User, int, error)
	UpdateUser(ctx context.Context, u *User) error
	// BindOrganisation sets a user's organisation; Conflict if one is set.
	BindOrganisation(ctx context.Context, userID, orgID int64) error

	InsertSession(ctx context.Context, s Session) error
	// SessionUser returns the user of a live session and the current
	// grants version; NotFound for an unknown, expired or revoked token.
	SessionUser(ctx context.Context, tokenHash string, now time.Time) (User, int64, error)
	RevokeSession(ctx context.Context, tokenHash string, now time.Time) error
	// RevokeOtherSessions ends the user's live sessions but the one whose
	// token hash is keep.
	RevokeOtherSessions(ctx context.Context, userID int64, keep string, now time.Time) error

	// TakeAttempt counts one sign-in attempt in bucket, atomically, unless
	// limit attempts were counted in the current window; then it returns
	// how long until the window ends.
	TakeAttempt(ctx context.Context, bucket string, limit int, window time.Duration, now time.Time) (time.Duration, error)
	// ReturnAttempt gives back one attempt (forget: all of the bucket's).
	ReturnAttempt(ctx context.Context, bucket string, forget bool) error
	// ForgetAttemptsBefore deletes the buckets whose window started before.
	ForgetAttemptsBefore(ctx context.Context, before time.Time) error

	// InsertGrant stores an active grant and bumps the grants version;
	// Conflict if the same grant is already active.
	InsertGrant(ctx context.Context, g *RoleGrant) error
	RoleGrant(ctx context.Context, id int64) (RoleGrant, error)
	// RevokeGrant revokes and bumps the grants version; Conflict if revoked already.
	RevokeGrant(ctx context.Context, id int64, by string, at time.Time) error
	// UserGrants lists a user's grants, revoked ones included, oldest first.
	UserGrants(ctx context.Context, userID int64) ([]RoleGrant, error)
	// ActiveGrants lists every active grant and the grants version.
	ActiveGrants(ctx context.Context) ([]RoleGrant, int64, error)

	InsertInvitation(ctx context.Context, inv *Invitation) error
	InvitationByToken(ctx context.Context, tokenHash string) (Invitation, error)
	// AcceptInvitation marks it accepted; Conflict if it already was.
	AcceptInvitation(ctx context.Context, id, userID int64, at time.Time) error
}

// UserFilter narrows a user list.
type UserFilter struct {
	Q string // part of the email or name
	Page
}

// NewUser is an account created directly with one grant.
type NewUser struct {
	Email, Name, Locale, Password string
	Role                          Role
	Domain                        string
	OrganisationID                int64
}

// NewInvitation is what an inviter supplies.
type NewInvitation struct {
	Email, Name    string
	Role           Role
	Domain         string
	OrganisationID int64
}

// UserView is a user with their grants (revoked ones too, for audit).
type UserView struct {
	User   User
	Grants []RoleGrant
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func normaliseEmail(e string) string { return strings.ToLower(normalise(e)) }

func checkEmail(e string) []Problem {
	if p := textProblem("email", e, false); p != nil {
		return []Problem{*p}
	}
	if len(e) > 254 || !emailPattern.MatchString(e) {
		return []Problem{problem("email", "invalid_email", "メールアドレスが正しくありません", "is not a valid email address")}
	}
	return nil
}

func checkName(n string) []Problem {
	switch {
	case n == "":
		return []Problem{problem("name", "required", "氏名を入力してください", "is required")}
	case utf8.RuneCountInString(n) > 100:
		return []Problem{problem("name", "too_long", "100文字以内で入力してください", "must be at most 100 characters")}
	}
	if p := textProblem("name", n, false); p != nil {
		return []Problem{*p}
	}
	return nil
}

func checkPassword(pw, email string) []Problem {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < 10:
		return []Problem{problem("password", "too_short", "パスワードは10文字以上にしてください", "must be at least 10 characters")}
	case n > 256:
		return []Problem{problem("password", "too_long", "パスワードは256文字以内にしてください", "must be at most 256 characters")}
	case strings.ContainsRune(pw, 0):
		return []Problem{problem("password", "control_character", "NUL文字は使用できません", "must not contain NUL")}
	}
	if w := password.Weak(pw, email); w != "" {
		m := weakMessages[w]
		return []Problem{problem("password", "weak_"+string(w), m[0], m[1])}
	}
	return nil
}

// weakMessages say, in ja and en, why a password is refused.
var weakMessages = map[password.Weakness][2]string{
	password.Blank: {"空白だけのパスワードは使用できません",
		"must not be only spaces"},
	password.Common: {"よく使われていて推測されやすいパスワードです（よく使われる語の前後に数字や記号を付けただけのものを含む）。別のパスワードにしてください",
		"is a commonly used password, or a common word with digits or symbols around it, and easy to guess; choose another"},
	password.Repeated: {"同じ文字や短い並びの繰り返しは使用できません（aaaaaaaaaa、abcabcabc など）",
		"must not be one character or a short pattern repeated (like aaaaaaaaaa or abcabcabc)"},
	password.Sequence: {"連続した文字・数字やキーボードの並びは使用できません（1234567890、qwertyuiop など）",
		"must not be a run of letters, digits or keys (like 1234567890 or qwertyuiop)"},
	password.Personal: {"メールアドレスやその一部、製品名（awardflow）を元にしたパスワードは使用できません",
		"must not be built on the email address, its local part or the product name (awardflow)"},
}

func checkLocale(l string) (string, []Problem) {
	switch l {
	case "":
		return "ja", nil
	case "ja", "en":
		return l, nil
	}
	return "", []Problem{problem("locale", "unknown", "言語は ja か en です", "must be ja or en")}
}

// mayManage reports whether actor may grant, revoke or invite role in domain:
// administrators any; a ministry's secretariat its own judges and chairs;
// an applicant contact other contacts (of its own organisation, which the
// caller checks in the transaction). A secretariat may not add contacts to
// organisations: an organisation is not any one ministry's, so a contact
// it added could read the organisation's nominations to every ministry.
func mayManage(az Authorizer, actor Actor, role Role, domain string) bool {
	return az.Permits(actor, PermManageRole(role), domain, 0)
}

func refuseInvite(role Role, domain string) *Error {
	if role.ForOrganisation() {
		return Refuse(Forbidden, "組織の担当者を招待できるのは、その組織の担当者か管理者だけです",
			"only a contact of the organisation or an administrator may invite its contacts")
	}
	return &Error{Code: Forbidden, Message: fmt.Sprintf("you may not invite %s in %s", role, domain),
		Ja: fmt.Sprintf("%sの「%s」を招待する権限がありません", domainJa(domain), role.Label().Ja)}
}

// inviterMay checks again, when an invitation is accepted, that whoever
// sent it may still add that role: invitations from someone who lost the
// right, or who never had it (secretariats inviting organisation contacts
// before that was refused), are void. Invitations made from the command
// line (not "user:…") stand.
func inviterMay(ctx context.Context, tx Tx, az Authorizer, inv Invitation) error {
	idText, ok := strings.CutPrefix(inv.InvitedBy, "user:")
	if !ok {
		return nil
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return voidInvitation()
	}
	grants, err := tx.UserGrants(ctx, id)
	if err != nil {
		return err
	}
	inviter := Actor{ID: inv.InvitedBy, UserID: id}
	for _, g := range grants {
		if g.Active() {
			inviter.Grants = append(inviter.Grants, Grant{Role: g.Role, Domain: g.Domain})
		}
	}
	if !mayManage(az, inviter, inv.Role, inv.Domain) {
		return voidInvitation()
	}
	if inv.Role.ForOrganisation() && !az.Permits(inviter, PermAddContact, AnyDomain, 0) {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if !az.Permits(inviter, PermAddContact, AnyDomain, Facts(0).With(ActsForOrganisation, u.OrganisationID != 0 && u.OrganisationID == inv.OrganisationID)) {
			return voidInvitation()
		}
	}
	return nil
}

func voidInvitation() error {
	return &Error{Code: Invalid, Message: "invitation void", Ja: "招待は無効です", Problems: []Problem{
		problem("token", "void", "この招待は無効です（招待した人にこの役割を与える権限がありません）。組織の担当者か管理者に招待を依頼してください",
			"the invitation is void: whoever sent it may not give this role; ask a contact of the organisation or an administrator")}}
}

// staffDomains are the ministries whose users a secretariat may see; nil
// for administrators (all).
func staffDomains(az Authorizer, actor Actor) []string {
	if az.Permits(actor, PermOversee, AnyDomain, 0) {
		return nil
	}
	out := []string{}
	for _, g := range actor.Grants {
		if g.Domain != AnyDomain && !slices.Contains(out, g.Domain) && az.Permits(actor, PermOversee, g.Domain, 0) {
			out = append(out, g.Domain)
		}
	}
	return out
}

// oversees reports whether the actor is staff of some ministry (or all).
func oversees(az Authorizer, actor Actor) bool {
	d := staffDomains(az, actor)
	return d == nil || len(d) > 0
}

func newToken(prefix string) (value, hash string) {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	value = prefix + base64.RawURLEncoding.EncodeToString(b)
	return value, HashToken(value)
}

// HashToken is how tokens are stored and looked up.
func HashToken(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// staffWithoutOrganisation refuses to bind a staff account (judge, chair,
// secretariat, admin) to an organisation: only applicant contacts act for
// one, and a staff account bound to one would be a way around the rule on
// who adds contacts.
func staffWithoutOrganisation(role Role, orgID int64) []Problem {
	if !role.ForOrganisation() && orgID != 0 {
		return []Problem{problem("organisation_id", "not_allowed", "組織を指定できるのは応募者の担当者だけです",
			"only applicant contacts belong to an organisation")}
	}
	return nil
}

// exclusive refuses to mix an applicant grant with staff grants on one
// user: an applicant acts for its organisation only.
func exclusive(existing []RoleGrant, role Role) error {
	for _, g := range existing {
		if !g.Active() {
			continue
		}
		if g.Role.ForOrganisation() != role.ForOrganisation() {
			return Refuse(Conflict, "応募者のアカウントに職員の役割は付与できません。別のアカウントを使ってください", "an applicant account cannot also hold staff roles; use a separate account")
		}
	}
	return nil
}

// CreateUser creates an account with a password and one grant. It is how
// the command line bootstraps accounts; administrators only.
//
// Errors: Forbidden; Invalid; Conflict if the email is taken; NotFound for
// an unknown organisation.
func (s *Service) CreateUser(ctx context.Context, actor Actor, nu NewUser) (User, error) {
	const op = "workflow.CreateUser"
	if !s.authz.Permits(actor, PermCreateUser, AnyDomain, 0) {
		return User{}, withOp(op, Refuse(Forbidden, "アカウントを直接作成できるのは管理者だけです", "only administrators create accounts directly"))
	}
	u, ps := s.newUser(nu.Email, nu.Name, nu.Locale, nu.Password)
	ps = append(ps, checkGrant(nu.Role, nu.Domain)...)
	if nu.Role.ForOrganisation() && nu.OrganisationID == 0 {
		ps = append(ps, problem("organisation_id", "required", "組織を指定してください", "an applicant needs an organisation"))
	}
	ps = append(ps, staffWithoutOrganisation(nu.Role, nu.OrganisationID)...)
	if err := invalid("invalid user", ps); err != nil {
		return User{}, withOp(op, err)
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		if nu.OrganisationID != 0 {
			if _, err := tx.Organisation(ctx, nu.OrganisationID); err != nil {
				return err
			}
			u.OrganisationID = nu.OrganisationID
		}
		u.CreatedAt, u.UpdatedAt = now, now
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		return tx.InsertGrant(ctx, &RoleGrant{UserID: u.ID, Role: nu.Role, Domain: nu.Domain, GrantedBy: actor.ID, GrantedAt: now})
	})
	return u, withOp(op, err)
}

// newUser validates and normalises an account's fields and hashes its password.
func (s *Service) newUser(email, name, locale, pw string) (User, []Problem) {
	u := User{Email: normaliseEmail(email), Name: normalise(name)}
	ps := checkEmail(u.Email)
	ps = append(ps, checkName(u.Name)...)
	var lp []Problem
	u.Locale, lp = checkLocale(locale)
	ps = append(ps, lp...)
	ps = append(ps, checkPassword(pw, u.Email)...)
	if len(ps) == 0 {
		u.PasswordHash = password.Hash(pw, s.passwordParams)
	}
	return u, ps
}

// Signup creates an applicant account (a company signing itself up), which
// then creates its organisation, and signs it in.
//
// Errors: Invalid; Conflict if the email is taken.
func (s *Service) Signup(ctx context.Context, email, name, locale, pw string) (User, Token, error) {
	const op = "workflow.Signup"
	u, ps := s.newUser(email, name, locale, pw)
	if err := invalid("invalid signup", ps); err != nil {
		return User{}, Token{}, withOp(op, err)
	}
	var tok Token
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		u.CreatedAt, u.UpdatedAt = now, now
		if err := tx.InsertUser(ctx, &u); err != nil {
			return Refuse(Conflict, "このメールアドレスのアカウントはすでに登録されています", "an account with this email already exists")
		}
		if err := tx.InsertGrant(ctx, &RoleGrant{UserID: u.ID, Role: RoleApplicant, Domain: AnyDomain, GrantedBy: "signup", GrantedAt: now}); err != nil {
			return err
		}
		var err error
		tok, err = startSession(ctx, tx, u.ID, now)
		return err
	})
	return u, tok, withOp(op, err)
}

func startSession(ctx context.Context, tx Tx, userID int64, now time.Time) (Token, error) {
	value, hash := newToken("afs_")
	t := Token{Value: value, ExpiresAt: now.Add(SessionTTL)}
	return t, tx.InsertSession(ctx, Session{UserID: userID, TokenHash: hash, CreatedAt: now, ExpiresAt: t.ExpiresAt})
}

func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy = password.Hash("not a password: equalises login timing", s.passwordParams) })
	return s.dummy
}

// Logout revokes the session of a token. Errors: Unauthenticated.
func (s *Service) Logout(ctx context.Context, token string) error {
	err := s.store.InTx(ctx, func(tx Tx) error {
		err := tx.RevokeSession(ctx, HashToken(token), s.now().UTC())
		if ErrorCode(err) == NotFound {
			return Refuse(Unauthenticated, "セッションがありません", "no such session")
		}
		return err
	})
	return withOp("workflow.Logout", err)
}

// Authenticate returns the user of a live session token and the current
// grants version, so that the caller's enforcer can tell whether it is
// stale. Errors: Unauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (User, int64, error) {
	var (
		u       User
		version int64
	)
	err := s.store.Read(ctx, func(tx Tx) error { // one statement
		var err error
		u, version, err = tx.SessionUser(ctx, HashToken(token), s.now().UTC())
		if ErrorCode(err) == NotFound {
			return Refuse(Unauthenticated, "トークンが無効か期限切れです。ログインし直してください", "invalid or expired token")
		}
		return err
	})
	return u, version, withOp("workflow.Authenticate", err)
}

// ActiveGrants lists every active grant and the grants version, for an
// enforcer to load.
func (s *Service) ActiveGrants(ctx context.Context) ([]RoleGrant, int64, error) {
	var (
		gs []RoleGrant
		v  int64
	)
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		gs, v, err = tx.ActiveGrants(ctx)
		return err
	})
	return gs, v, withOp("workflow.ActiveGrants", err)
}

// Invite creates a one-time, expiring invitation to an account with a
// role. The token goes to the invitee out of band (we send no email).
//
// Errors: Invalid; Forbidden if the actor may not manage that role in that
// domain; NotFound for an unknown organisation; Conflict if the email
// already has an account (grant the role instead).
func (s *Service) Invite(ctx context.Context, actor Actor, ni NewInvitation) (Invitation, Token, error) {
	const op = "workflow.Invite"
	inv := Invitation{Email: normaliseEmail(ni.Email), Name: normalise(ni.Name), Role: ni.Role, Domain: ni.Domain, OrganisationID: ni.OrganisationID}
	ps := append(checkEmail(inv.Email), checkName(inv.Name)...)
	ps = append(ps, checkGrant(inv.Role, inv.Domain)...)
	if inv.Role.ForOrganisation() && inv.OrganisationID == 0 {
		ps = append(ps, problem("organisation_id", "required", "組織を指定してください", "an applicant contact needs an organisation"))
	}
	ps = append(ps, staffWithoutOrganisation(inv.Role, inv.OrganisationID)...)
	if err := invalid("invalid invitation", ps); err != nil {
		return Invitation{}, Token{}, withOp(op, err)
	}
	if !mayManage(s.authz, actor, inv.Role, inv.Domain) {
		return Invitation{}, Token{}, withOp(op, refuseInvite(inv.Role, inv.Domain))
	}
	var tok Token
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		if inv.Role.ForOrganisation() && !s.authz.Permits(actor, PermAddContact, AnyDomain, 0) {
			// A contact adds contacts to its own organisation only; read
			// the relation here, not from the session.
			me, err := tx.User(ctx, actor.UserID)
			if err != nil || !s.authz.Permits(actor, PermAddContact, AnyDomain, Facts(0).With(ActsForOrganisation, me.OrganisationID == inv.OrganisationID)) {
				return Refuse(NotFound, "組織 %d は見つかりません", "no such organisation %d", inv.OrganisationID)
			}
		}
		if inv.OrganisationID != 0 {
			if _, err := tx.Organisation(ctx, inv.OrganisationID); err != nil {
				return err
			}
		}
		if _, err := tx.UserByEmail(ctx, inv.Email); err == nil {
			return Refuse(Conflict, "%s はすでにアカウントを持っています。役割を付与してください",
				"%s already has an account; grant the role instead", inv.Email)
		} else if ErrorCode(err) != NotFound {
			return err
		}
		value, hash := newToken("afi_")
		tok = Token{Value: value, ExpiresAt: now.Add(InvitationTTL)}
		inv.TokenHash, inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt = hash, actor.ID, now, tok.ExpiresAt
		return tx.InsertInvitation(ctx, &inv)
	})
	return inv, tok, withOp(op, err)
}

// AcceptInvitation creates the invited account with its password and role,
// uses up the invitation, and signs the user in.
//
// Errors: NotFound for an unknown token; Invalid for an expired one or a
// bad password; Conflict if it was used already or the email was taken
// meanwhile.
func (s *Service) AcceptInvitation(ctx context.Context, token, pw, locale string) (User, Token, error) {
	const op = "workflow.AcceptInvitation"
	var (
		u   User
		tok Token
	)
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		inv, err := tx.InvitationByToken(ctx, HashToken(token))
		if err != nil {
			return err
		}
		switch {
		case inv.AcceptedAt != nil:
			return Refuse(Conflict, "この招待はすでに使われています", "this invitation has been used")
		case !now.Before(inv.ExpiresAt):
			return &Error{Code: Invalid, Message: "invitation expired", Ja: "招待の有効期限が切れています", Problems: []Problem{
				problem("token", "expired", "招待の有効期限が切れています。事務局に再招待を依頼してください", "the invitation has expired; ask for a new one")}}
		}
		if err := inviterMay(ctx, tx, s.authz, inv); err != nil {
			return err
		}
		var ps []Problem
		u, ps = s.newUser(inv.Email, inv.Name, locale, pw)
		if err := invalid("invalid password", ps); err != nil {
			return err
		}
		u.CreatedAt, u.UpdatedAt = now, now
		if inv.Role.ForOrganisation() { // older invitations could bind staff to an organisation
			u.OrganisationID = inv.OrganisationID
		}
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		if err := tx.AcceptInvitation(ctx, inv.ID, u.ID, now); err != nil {
			return err
		}
		if err := tx.InsertGrant(ctx, &RoleGrant{UserID: u.ID, Role: inv.Role, Domain: inv.Domain, GrantedBy: inv.InvitedBy, GrantedAt: now}); err != nil {
			return err
		}
		tok, err = startSession(ctx, tx, u.ID, now)
		return err
	})
	return u, tok, withOp(op, err)
}

// Users lists the accounts the actor may see: administrators all, a
// secretariat those holding a grant in its ministries.
func (s *Service) Users(ctx context.Context, actor Actor, f UserFilter) ([]User, PageInfo, error) {
	if !oversees(s.authz, actor) {
		return nil, PageInfo{}, withOp("workflow.Users", Refuse(Forbidden, "ユーザーの一覧は職員だけが見られます", "staff only"))
	}
	var err error
	if f.Page, err = f.Page.open("users", f.Q); err != nil {
		return nil, PageInfo{}, withOp("workflow.Users", err)
	}
	var (
		us    []User
		total int
	)
	err = listRun(s.store, f.Total)(ctx, func(tx Tx) error {
		var err error
		us, total, err = tx.Users(ctx, f, staffDomains(s.authz, actor))
		return err
	})
	n, info := f.Page.close(len(us), func(i int) int64 { return us[i].ID }, total, "users", f.Q)
	return us[:n], info, withOp("workflow.Users", err)
}

// User returns an account with its grants, if the actor may see it: the
// user themself, administrators, or a secretariat when the user holds (or
// held) a grant in its ministry. Errors: NotFound.
func (s *Service) User(ctx context.Context, actor Actor, id int64) (UserView, error) {
	var v UserView
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if v.User, err = tx.User(ctx, id); err != nil {
			return err
		}
		if v.Grants, err = tx.UserGrants(ctx, id); err != nil {
			return err
		}
		if actor.UserID != id && !seesUser(s.authz, actor, v.Grants) {
			return Refuse(NotFound, "ユーザー %d は見つかりません", "no such user %d", id)
		}
		if domains := staffDomains(s.authz, actor); domains != nil && actor.UserID != id {
			// Staff see a user's grants in their own ministries (and global
			// ones), never what the user does for another ministry.
			v.Grants = slices.DeleteFunc(v.Grants, func(g RoleGrant) bool {
				return g.Domain != AnyDomain && !slices.Contains(domains, g.Domain)
			})
		}
		return nil
	})
	return v, withOp("workflow.User", err)
}

func seesUser(az Authorizer, actor Actor, grants []RoleGrant) bool {
	domains := staffDomains(az, actor)
	if domains == nil {
		return true
	}
	for _, g := range grants {
		if slices.Contains(domains, g.Domain) {
			return true
		}
	}
	return false
}

// GrantRole grants a role in a domain to a user; it takes effect on the
// user's next request.
//
// Errors: Invalid; Forbidden if the actor may not manage that role and
// domain; NotFound for a user the actor may not see; Conflict if the grant
// is already active or would mix applicant and staff roles.
func (s *Service) GrantRole(ctx context.Context, actor Actor, userID int64, role Role, domain string) (RoleGrant, error) {
	const op = "workflow.GrantRole"
	if err := invalid("invalid grant", checkGrant(role, domain)); err != nil {
		return RoleGrant{}, withOp(op, err)
	}
	var g RoleGrant
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		if _, err := tx.User(ctx, userID); err != nil {
			return err
		}
		existing, err := tx.UserGrants(ctx, userID)
		if err != nil {
			return err
		}
		// Visibility first: a user the actor may not see is not there for
		// it (granting would also make the user visible, and so leak them).
		if actor.UserID != userID && !seesUser(s.authz, actor, existing) {
			return Refuse(NotFound, "ユーザー %d は見つかりません", "no such user %d", userID)
		}
		if !mayManage(s.authz, actor, role, domain) || role.ForOrganisation() {
			return &Error{Code: Forbidden, Message: fmt.Sprintf("you may not grant %s in %s", role, domain),
				Ja: fmt.Sprintf("%sの「%s」を付与する権限がありません", domainJa(domain), role.Label().Ja)}
		}
		if err := exclusive(existing, role); err != nil {
			return err
		}
		g = RoleGrant{UserID: userID, Role: role, Domain: domain, GrantedBy: actor.ID, GrantedAt: now}
		return tx.InsertGrant(ctx, &g)
	})
	return g, withOp(op, err)
}

// RevokeGrant revokes a grant; it takes effect on the user's next request.
//
// Errors: NotFound (also for a grant in a ministry the actor does not run);
// Forbidden if the actor may not manage that role; Conflict if already revoked.
func (s *Service) RevokeGrant(ctx context.Context, actor Actor, id int64) (RoleGrant, error) {
	const op = "workflow.RevokeGrant"
	var g RoleGrant
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		var err error
		if g, err = tx.RoleGrant(ctx, id); err != nil {
			return err
		}
		if domains := staffDomains(s.authz, actor); domains != nil && !slices.Contains(domains, g.Domain) {
			return Refuse(NotFound, "付与 %d は見つかりません", "no such grant %d", id)
		}
		if !mayManage(s.authz, actor, g.Role, g.Domain) {
			return &Error{Code: Forbidden, Message: fmt.Sprintf("you may not revoke %s in %s", g.Role, g.Domain),
				Ja: fmt.Sprintf("%sの「%s」を取り消す権限がありません", domainJa(g.Domain), g.Role.Label().Ja)}
		}
		if err := tx.RevokeGrant(ctx, id, actor.ID, now); err != nil {
			return err
		}
		g.RevokedBy, g.RevokedAt = actor.ID, &now
		return nil
	})
	return g, withOp(op, err)
}

// ResetPassword sets a new password for the account with the given email
// (sessions already open stay open until they expire or log out);
// administrators only. Errors: Forbidden; NotFound; Invalid.
func (s *Service) ResetPassword(ctx context.Context, actor Actor, email, pw string) error {
	const op = "workflow.ResetPassword"
	if !actor.IsAdmin() {
		return withOp(op, Refuse(Forbidden, "パスワードを再設定できるのは管理者だけです", "only administrators reset passwords"))
	}
	email = normaliseEmail(email)
	if err := invalid("invalid password", checkPassword(pw, email)); err != nil {
		return withOp(op, err)
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		u, err := tx.UserByEmail(ctx, email)
		if err != nil {
			return err
		}
		u.PasswordHash, u.UpdatedAt = password.Hash(pw, s.passwordParams), s.now().UTC()
		return tx.UpdateUser(ctx, &u)
	})
	return withOp(op, err)
}

// domainJa names a grant's domain as people read it: the ministry, or all
// ministries for the global domain.
func domainJa(domain string) string {
	if t, ok := Ministries[domain]; ok {
		return t.Ja
	}
	if domain == AnyDomain {
		return "全体"
	}
	return domain
}
