package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"slices"
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
	// Roles and Domain, when set, keep the users holding an active grant of
	// one of those roles (any domain) or in that domain (any role), or both.
	// For a secretariat only grants in its own ministries (and global ones)
	// count, so a filter never tells it what a user does for another ministry.
	Roles  []Role
	Domain string
	Page
}

// filters is the filter as the list's cursor binds it.
func (f UserFilter) filters() []string {
	out := []string{f.Q, f.Domain}
	for _, r := range f.Roles {
		out = append(out, string(r))
	}
	return out
}

// check validates the grant filter.
func (f UserFilter) check() error {
	var ps []Problem
	for _, r := range f.Roles {
		if !slices.Contains(Roles, r) {
			ps = append(ps, problem("role", "unknown", "不明な役割です", "must be admin, secretariat, chair, judge or applicant"))
			break
		}
	}
	if _, ok := Ministries[f.Domain]; f.Domain != "" && f.Domain != AnyDomain && !ok {
		ps = append(ps, problem("domain", "unknown", "ドメインは * か省庁（mic, mhlw など）です", "must be * or a ministry: mic, mhlw, meti or mlit"))
	}
	return invalid("invalid user filter", ps)
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
