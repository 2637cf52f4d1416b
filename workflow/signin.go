package workflow

import (
	"context"
	"time"

	"github.com/awardflow/awardflow/workflow/password"
)

// Sign-in throttling. Failed attempts are counted in the database per
// account (the normalised email, as sign-in matches it, so spelling the
// address differently buys no extra tries) and per client address, in a
// window that starts at the first attempt after the last window ended.
const (
	ThrottleWindow     = 15 * time.Minute
	MaxAccountFailures = 5
	MaxAddressFailures = 20
)

type attemptBuckets struct{ account, address string }

func bucketsFor(email, address string) attemptBuckets {
	b := attemptBuckets{account: "account:" + HashToken(normaliseEmail(email))}
	if address != "" {
		b.address = "address:" + address
	}
	return b
}

// take counts one attempt against both buckets, or refuses with
// Throttled; it runs inside the transaction that reads the account, and
// the password is checked only after that transaction has committed, so
// that concurrent attempts cannot each see a free slot.
func (b attemptBuckets) take(ctx context.Context, tx Tx, now time.Time) error {
	wait, err := tx.TakeAttempt(ctx, b.account, MaxAccountFailures, ThrottleWindow, now)
	if err != nil {
		return err
	}
	if wait == 0 && b.address != "" {
		if wait, err = tx.TakeAttempt(ctx, b.address, MaxAddressFailures, ThrottleWindow, now); err != nil {
			return err
		}
	}
	if wait > 0 {
		e := Refuse(Throttled, "失敗した試行が多すぎます。%d 秒後にやり直してください",
			"too many failed attempts; try again in %d seconds", int((wait+time.Second-1)/time.Second))
		e.RetryAfter = wait
		return e
	}
	return nil
}

// succeeded forgives the account's failures and gives back the address's
// attempt, which was counted in advance.
func (b attemptBuckets) succeeded(ctx context.Context, tx Tx) error {
	if err := tx.ReturnAttempt(ctx, b.account, true); err != nil {
		return err
	}
	if b.address != "" {
		return tx.ReturnAttempt(ctx, b.address, false)
	}
	return nil
}

// purgeAttempts drops buckets long expired, so that a spray of addresses
// or emails does not pile up. It runs in a transaction of its own after a
// success and is best effort: it touches rows in another order than the
// attempts do, so PostgreSQL may pick it as a deadlock's victim, and a
// later success purges instead.
func (s *Service) purgeAttempts(ctx context.Context) {
	_ = s.inTx(ctx, func(tx Tx, now time.Time) error { return tx.ForgetAttemptsBefore(ctx, now.Add(-2*ThrottleWindow)) })
}

// Login checks an email and password and starts a session, without a
// per-address limit; see LoginFrom.
func (s *Service) Login(ctx context.Context, email, pw string) (User, Token, error) {
	return s.LoginFrom(ctx, email, pw, "")
}

// LoginFrom checks an email and password sent from a client address and
// starts a session. A wrong password and an unknown email take the same
// time and give the same error. Each attempt counts against the account and
// the address until it succeeds; past the limits it is refused before the
// password is checked.
//
// Errors: Unauthenticated; Throttled (with RetryAfter).
func (s *Service) LoginFrom(ctx context.Context, email, pw, address string) (User, Token, error) {
	const op = "workflow.Login"
	email = normaliseEmail(email)
	b := bucketsFor(email, address)
	var u User
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		if err := b.take(ctx, tx, now); err != nil {
			return err
		}
		var err error
		u, err = tx.UserByEmail(ctx, email)
		if ErrorCode(err) == NotFound {
			u, err = User{}, nil
		}
		return err
	})
	if err != nil {
		return User{}, Token{}, withOp(op, err)
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = s.dummyHash()
	}
	ok, verr := password.Verify(pw, hash)
	if verr != nil || !ok || u.PasswordHash == "" {
		return User{}, Token{}, &Error{Op: op, Code: Unauthenticated, Message: "wrong email or password",
			Ja: "メールアドレスまたはパスワードが正しくありません"}
	}
	var tok Token
	err = s.inTx(ctx, func(tx Tx, now time.Time) error {
		cur, err := tx.User(ctx, u.ID)
		if err != nil {
			return err
		}
		if cur.PasswordHash != u.PasswordHash { // changed while we checked
			return Refuse(Unauthenticated, "メールアドレスまたはパスワードが正しくありません", "wrong email or password")
		}
		if err := b.succeeded(ctx, tx); err != nil {
			return err
		}
		tok, err = startSession(ctx, tx, u.ID, now)
		return err
	})
	if err != nil {
		return User{}, Token{}, withOp(op, err)
	}
	s.purgeAttempts(ctx)
	return u, tok, nil
}

// ChangePassword sets a signed-in user's new password after checking the
// current one (attempts throttled like sign-in), and ends the user's other
// sessions; the session of token stays open.
//
// Errors: Unauthenticated for a caller that is not a signed-in user;
// Invalid for a wrong current password or a weak new one; Throttled.
func (s *Service) ChangePassword(ctx context.Context, actor Actor, token, current, next, address string) error {
	const op = "workflow.ChangePassword"
	if actor.UserID == 0 {
		return withOp(op, Refuse(Unauthenticated, "ログインしてください", "sign in first"))
	}
	var u User
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		var err error
		if u, err = tx.User(ctx, actor.UserID); err != nil {
			return err
		}
		var ps []Problem
		if current == "" {
			ps = append(ps, problem("current_password", "required", "現在のパスワードを入力してください", "is required"))
		}
		ps = append(ps, renamed(checkPassword(next, u.Email), "new_password")...)
		if err := invalid("invalid password change", ps); err != nil {
			return err
		}
		return bucketsFor(u.Email, address).take(ctx, tx, now)
	})
	if err != nil {
		return withOp(op, err)
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = s.dummyHash()
	}
	if ok, verr := password.Verify(current, hash); verr != nil || !ok || u.PasswordHash == "" {
		return withOp(op, &Error{Code: Invalid, Message: "wrong current password", Ja: "現在のパスワードが違います", Problems: []Problem{
			problem("current_password", "wrong_password", "現在のパスワードが違います", "is not your current password")}})
	}
	newHash := password.Hash(next, s.passwordParams)
	err = s.inTx(ctx, func(tx Tx, now time.Time) error {
		cur, err := tx.User(ctx, u.ID)
		if err != nil {
			return err
		}
		if cur.PasswordHash != u.PasswordHash {
			return Refuse(Conflict, "パスワードは別の操作で変更されました。もう一度ログインしてください",
				"the password was changed meanwhile; sign in again")
		}
		cur.PasswordHash, cur.UpdatedAt = newHash, now
		if err := tx.UpdateUser(ctx, &cur); err != nil {
			return err
		}
		if err := bucketsFor(u.Email, address).succeeded(ctx, tx); err != nil {
			return err
		}
		return tx.RevokeOtherSessions(ctx, u.ID, HashToken(token), now)
	})
	return withOp(op, err)
}

// renamed moves password problems to another field path.
func renamed(ps []Problem, path string) []Problem {
	for i := range ps {
		ps[i].Path = path
	}
	return ps
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
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
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
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		err := tx.RevokeSession(ctx, HashToken(token), now)
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
	err := s.read(ctx, func(tx Tx, now time.Time) error { // one statement
		var err error
		u, version, err = tx.SessionUser(ctx, HashToken(token), now)
		if ErrorCode(err) == NotFound {
			return Refuse(Unauthenticated, "トークンが無効か期限切れです。ログインし直してください", "invalid or expired token")
		}
		return err
	})
	return u, version, withOp("workflow.Authenticate", err)
}
