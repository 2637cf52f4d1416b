package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// The account pages: sign in and out, sign up, accept an invitation,
// change the password.

type authView struct {
	Form   *Form
	Next   string
	Notice string
}

func (c *ctx) signInForm() *Form {
	f := c.form()
	f.Add(Field{Name: "email", Label: c.T("auth.email"), Type: "email", Required: true, Autocomplete: "username"})
	f.Add(Field{Name: "password", Label: c.T("auth.password"), Type: "password", Required: true, Autocomplete: "current-password"})
	return f
}

func (s *Site) loginPage(c *ctx) error {
	next := safeNext(c.r.URL.Query().Get("next"))
	if c.user != nil {
		return c.redirect(s.orHome(next, c.user.ID))
	}
	v := authView{Form: c.signInForm(), Next: next}
	if c.r.URL.Query().Get("expired") != "" || c.expired {
		v.Notice = c.T("auth.expired")
	}
	return c.render(http.StatusOK, "auth/login", "auth.login.title", v)
}

func (s *Site) login(c *ctx) error {
	f := c.signInForm()
	if err := f.Read(); err != nil {
		return err
	}
	next := safeNext(f.Value("next"))
	v := authView{Form: f, Next: next}
	email, pw := f.Value("email"), f.Value("password")
	if email == "" {
		f.Fail("email", c.T("auth.email.missing"))
	}
	if pw == "" {
		f.Fail("password", c.T("auth.password.missing"))
	}
	if f.Failed() {
		return c.render(http.StatusUnprocessableEntity, "auth/login", "auth.login.title", v)
	}
	u, tok, err := s.cfg.Service.LoginFrom(c.r.Context(), email, pw, c.clientAddress())
	if err != nil {
		if workflow.ErrorCode(err) == workflow.Unauthenticated {
			f.Fail("", c.T("auth.login.wrong"))
			return c.render(http.StatusUnauthorized, "auth/login", "auth.login.title", v)
		}
		if !f.Refused(err, nil) {
			return err
		}
		c.retryAfter(err)
		return c.render(f.Status(err), "auth/login", "auth.login.title", v)
	}
	s.setSession(c.w, tok)
	// The landing page asks the user's roles: bring the loaded grants up to
	// this session's version first, as the next request would.
	if _, _, err := s.cfg.Authorizer.Actor(c.r.Context(), s.cfg.Service, tok.Value); err != nil {
		return err
	}
	return c.redirect(s.orHome(next, u.ID))
}

// orHome is next, or the user's main page (see landing).
func (s *Site) orHome(next string, userID int64) string {
	if next != "" {
		return next
	}
	return s.landing(userID)
}

func (s *Site) logout(c *ctx) error {
	if c.token != "" {
		if err := s.cfg.Service.Logout(c.r.Context(), c.token); err != nil && workflow.ErrorCode(err) != workflow.Unauthenticated {
			return err
		}
	}
	s.clearSession(c.w)
	c.user = nil
	return c.flash("flash.signed_out", "/")
}

// setSession gives the browser the session: the token in an HttpOnly
// cookie, and its end (not a secret) for the expiry warning. Both are
// browser-session cookies: the server ends the session at its expiry, so
// a client's wrong clock cannot cut it short, and closing the browser
// signs out.
func (s *Site) setSession(w http.ResponseWriter, tok workflow.Token) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: tok.Value, Path: "/",
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: expiryCookie, Value: strconv.FormatInt(tok.ExpiresAt.Unix(), 10), Path: "/",
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Site) clearSession(w http.ResponseWriter) {
	for _, n := range []string{s.cookieName(), expiryCookie} {
		http.SetCookie(w, &http.Cookie{Name: n, Path: "/", MaxAge: -1, Expires: time.Unix(1, 0),
			HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteLaxMode})
	}
}

func (c *ctx) signUpForm() *Form {
	f := c.form()
	f.Add(Field{Name: "name", Label: c.T("auth.name"), Help: c.T("auth.name.help"), Type: "text", Required: true, Autocomplete: "name", MaxLength: 100})
	f.Add(Field{Name: "email", Label: c.T("auth.email"), Help: c.T("auth.email.help"), Type: "email", Required: true, Autocomplete: "email"})
	c.newPasswordFields(f)
	return f
}

// newPasswordFields are a new password and its repetition.
func (c *ctx) newPasswordFields(f *Form) {
	f.Add(Field{Name: "password", Label: c.T("auth.new_password"), Help: c.T("auth.password.help"), Type: "password", Required: true, Autocomplete: "new-password"})
	f.Add(Field{Name: "password_again", Label: c.T("auth.password_again"), Type: "password", Required: true, Autocomplete: "new-password"})
}

// samePasswords checks the repetition before the service sees the password.
func (c *ctx) samePasswords(f *Form) {
	pw, again := f.Value("password"), f.Value("password_again")
	if pw == "" {
		f.Fail("password", c.T("auth.password.missing"))
	} else if again != pw {
		f.Fail("password_again", c.T("auth.password.differ"))
	}
}

// accountProblem maps the service's account problem paths to fields.
func accountProblem(path string) string {
	switch path {
	case "email", "name":
		return path
	case "password", "new_password":
		return "password"
	}
	return ""
}

func (s *Site) signupPage(c *ctx) error {
	if c.user != nil {
		return c.redirect("/me")
	}
	return c.render(http.StatusOK, "auth/signup", "auth.signup.title", authView{Form: c.signUpForm()})
}

func (s *Site) signup(c *ctx) error {
	f := c.signUpForm()
	if err := f.Read(); err != nil {
		return err
	}
	c.samePasswords(f)
	v := authView{Form: f}
	if f.Failed() {
		return c.render(http.StatusUnprocessableEntity, "auth/signup", "auth.signup.title", v)
	}
	_, tok, err := s.cfg.Service.Signup(c.r.Context(), f.Value("email"), f.Value("name"), c.lang, f.Value("password"))
	if err != nil {
		if !f.Refused(err, accountProblem) {
			return err
		}
		return c.render(f.Status(err), "auth/signup", "auth.signup.title", v)
	}
	s.setSession(c.w, tok)
	return c.flash("flash.signed_up", "/me")
}

func (c *ctx) inviteForm() *Form {
	f := c.form()
	c.newPasswordFields(f)
	return f
}

func (s *Site) invitePage(c *ctx) error {
	v := authView{Form: c.inviteForm()}
	if c.user != nil {
		v.Notice = c.T("auth.invite.signed_in")
	}
	return c.render(http.StatusOK, "auth/invite", "auth.invite.title", v)
}

func (s *Site) acceptInvite(c *ctx) error {
	f := c.inviteForm()
	if err := f.Read(); err != nil {
		return err
	}
	c.samePasswords(f)
	v := authView{Form: f}
	if f.Failed() {
		return c.render(http.StatusUnprocessableEntity, "auth/invite", "auth.invite.title", v)
	}
	_, tok, err := s.cfg.Service.AcceptInvitation(c.r.Context(), c.r.PathValue("token"), f.Value("password"), c.lang)
	if err != nil {
		if !f.Refused(err, accountProblem) {
			if code := workflow.ErrorCode(err); code != workflow.NotFound && code != workflow.Forbidden {
				return err
			}
			f.Fail("", c.T("auth.invite.void"))
			return c.render(http.StatusNotFound, "auth/invite", "auth.invite.title", v)
		}
		return c.render(f.Status(err), "auth/invite", "auth.invite.title", v)
	}
	if c.token != "" {
		s.cfg.Service.Logout(c.r.Context(), c.token) //nolint:errcheck // the new account's session replaces it either way
	}
	s.setSession(c.w, tok)
	return c.flash("flash.invite_accepted", "/me")
}

func (c *ctx) passwordForm() *Form {
	f := c.form()
	f.Add(Field{Name: "current", Label: c.T("auth.current_password"), Type: "password", Required: true, Autocomplete: "current-password"})
	c.newPasswordFields(f)
	return f
}

func (s *Site) passwordPage(c *ctx) error {
	return c.render(http.StatusOK, "auth/password", "auth.password.title", authView{Form: c.passwordForm()})
}

func (s *Site) changePassword(c *ctx) error {
	f := c.passwordForm()
	if err := f.Read(); err != nil {
		return err
	}
	if f.Value("current") == "" {
		f.Fail("current", c.T("auth.password.missing"))
	}
	c.samePasswords(f)
	v := authView{Form: f}
	if f.Failed() {
		return c.render(http.StatusUnprocessableEntity, "auth/password", "auth.password.title", v)
	}
	err := s.cfg.Service.ChangePassword(c.r.Context(), c.actor, c.token, f.Value("current"), f.Value("password"), c.clientAddress())
	if err != nil {
		if !f.Refused(err, func(p string) string {
			if p == "current" || p == "current_password" {
				return "current"
			}
			return accountProblem(p)
		}) {
			return err
		}
		c.retryAfter(err)
		return c.render(f.Status(err), "auth/password", "auth.password.title", v)
	}
	return c.flash("flash.password_changed", "/me")
}
