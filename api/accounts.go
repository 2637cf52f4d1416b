package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/workflow"
)

type userJSON struct {
	ID             int64  `json:"id"`
	Email          string `json:"email"`
	Name           string `json:"name"`
	Locale         string `json:"locale"`
	OrganisationID *int64 `json:"organisation_id"`
}

func toUserJSON(u workflow.User) userJSON {
	j := userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Locale: u.Locale}
	if u.OrganisationID != 0 {
		j.OrganisationID = &u.OrganisationID
	}
	return j
}

type grantJSON struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Role      string     `json:"role"`
	Domain    string     `json:"domain"`
	GrantedBy string     `json:"granted_by"`
	GrantedAt time.Time  `json:"granted_at"`
	RevokedBy string     `json:"revoked_by,omitempty"`
	RevokedAt *time.Time `json:"revoked_at"`
}

func toGrantJSON(g workflow.RoleGrant) grantJSON {
	return grantJSON{ID: g.ID, UserID: g.UserID, Role: string(g.Role), Domain: g.Domain, GrantedBy: g.GrantedBy,
		GrantedAt: g.GrantedAt, RevokedBy: g.RevokedBy, RevokedAt: g.RevokedAt}
}

type tokenJSON struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      userJSON  `json:"user"`
}

type signupRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Locale   string `json:"locale"`
}

func (s *server) signup(c *gin.Context) {
	var req signupRequest
	if !s.decode(c, &req) {
		return
	}
	u, tok, err := s.cfg.Service.Signup(c.Request.Context(), req.Email, req.Name, req.Locale, req.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, tokenJSON{Token: tok.Value, ExpiresAt: tok.ExpiresAt, User: toUserJSON(u)})
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// login answers 429 with Retry-After once the account or the address has
// failed too often (the service counts attempts in the database).
func (s *server) login(c *gin.Context) {
	var req loginRequest
	if !s.decode(c, &req) {
		return
	}
	u, tok, err := s.cfg.Service.LoginFrom(c.Request.Context(), req.Email, req.Password, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, tokenJSON{Token: tok.Value, ExpiresAt: tok.ExpiresAt, User: toUserJSON(u)})
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword sets the caller's password; the caller's other sessions end.
func (s *server) changePassword(c *gin.Context) {
	var req passwordRequest
	if !s.decode(c, &req) {
		return
	}
	err := s.cfg.Service.ChangePassword(c.Request.Context(), actor(c), c.GetString("token"), req.CurrentPassword, req.NewPassword, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) logout(c *gin.Context) {
	if err := s.cfg.Service.Logout(c.Request.Context(), c.GetString("token")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type meJSON struct {
	User         userJSON          `json:"user"`
	Roles        []workflow.Grant  `json:"roles"`
	Organisation *organisationJSON `json:"organisation"`
}

func (s *server) me(c *gin.Context) {
	a := actor(c)
	ctx := c.Request.Context()
	v, err := s.cfg.Service.User(ctx, a, a.UserID)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := meJSON{User: toUserJSON(v.User), Roles: a.Grants}
	if out.Roles == nil {
		out.Roles = []workflow.Grant{}
	}
	if a.OrganisationID != 0 {
		o, err := s.cfg.Service.Organisation(ctx, a, a.OrganisationID)
		if err != nil {
			s.fail(c, err)
			return
		}
		j := toOrganisationJSON(o)
		out.Organisation = &j
	}
	c.JSON(http.StatusOK, out)
}

// listJSON is a page of a list: next_cursor continues it (null on the
// last page); total is there when asked for with total=true.
type listJSON[T any] struct {
	Items      []T     `json:"items"`
	Limit      int     `json:"limit,omitempty"`
	NextCursor *string `json:"next_cursor"`
	Total      *int    `json:"total,omitempty"`
}

func pageJSON[T any](items []T, info workflow.PageInfo) listJSON[T] {
	out := listJSON[T]{Items: items, Limit: info.Limit, Total: info.Total}
	if info.NextCursor != "" {
		out.NextCursor = &info.NextCursor
	}
	return out
}

func (s *server) listUsers(c *gin.Context) {
	page, ok := s.pageParams(c)
	if !ok {
		return
	}
	f := workflow.UserFilter{Q: c.Query("q"), Domain: c.Query("domain"), Page: page}
	if r := c.Query("role"); r != "" {
		f.Roles = []workflow.Role{workflow.Role(r)}
	}
	us, info, err := s.cfg.Service.Users(c.Request.Context(), actor(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := pageJSON(make([]userJSON, len(us)), info)
	for i, u := range us {
		out.Items[i] = toUserJSON(u)
	}
	c.JSON(http.StatusOK, out)
}

type userDetailJSON struct {
	userJSON
	Grants []grantJSON `json:"grants"`
}

func (s *server) getUser(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	v, err := s.cfg.Service.User(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := userDetailJSON{userJSON: toUserJSON(v.User), Grants: make([]grantJSON, len(v.Grants))}
	for i, g := range v.Grants {
		out.Grants[i] = toGrantJSON(g)
	}
	c.JSON(http.StatusOK, out)
}

type grantRequest struct {
	Role   string `json:"role"`
	Domain string `json:"domain"`
}

func (s *server) grantRole(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	var req grantRequest
	if !s.decode(c, &req) {
		return
	}
	g, err := s.cfg.Service.GrantRole(c.Request.Context(), actor(c), id, workflow.Role(req.Role), req.Domain)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toGrantJSON(g))
}

func (s *server) revokeGrant(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	g, err := s.cfg.Service.RevokeGrant(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toGrantJSON(g))
}

type inviteRequest struct {
	Email          string `json:"email"`
	Name           string `json:"name"`
	Role           string `json:"role"`
	Domain         string `json:"domain"`
	OrganisationID int64  `json:"organisation_id"`
}

type invitationJSON struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Domain    string    `json:"domain"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *server) invite(c *gin.Context) {
	var req inviteRequest
	if !s.decode(c, &req) {
		return
	}
	inv, tok, err := s.cfg.Service.Invite(c.Request.Context(), actor(c), workflow.NewInvitation{
		Email: req.Email, Name: req.Name, Role: workflow.Role(req.Role), Domain: req.Domain, OrganisationID: req.OrganisationID})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, invitationJSON{ID: inv.ID, Email: inv.Email, Role: string(inv.Role), Domain: inv.Domain,
		Token: tok.Value, ExpiresAt: tok.ExpiresAt})
}

type acceptRequest struct {
	Token    string `json:"token"`
	Password string `json:"password"`
	Locale   string `json:"locale"`
}

func (s *server) acceptInvitation(c *gin.Context) {
	var req acceptRequest
	if !s.decode(c, &req) {
		return
	}
	u, tok, err := s.cfg.Service.AcceptInvitation(c.Request.Context(), req.Token, req.Password, req.Locale)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, tokenJSON{Token: tok.Value, ExpiresAt: tok.ExpiresAt, User: toUserJSON(u)})
}
