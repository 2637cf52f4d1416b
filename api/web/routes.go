package web

import "net/http"

// register lists every page with its rule. Areas register their own pages
// in their files (companyPages, publicPages, …), all through route.
func (s *Site) register() {
	s.files("GET", "/static/{hash}/{name...}", s.static.serve)
	s.files("GET", "/favicon.ico", noFavicon)

	s.route("GET", "/login", public, s.loginPage)
	s.route("POST", "/login", public, s.login)
	s.route("POST", "/logout", public, s.logout) // also clears a cookie whose session has ended
	s.route("GET", "/signup", public, s.signupPage)
	s.route("POST", "/signup", public, s.signup)
	s.route("GET", "/invite/{token}", public, s.invitePage)
	s.route("POST", "/invite/{token}", public, s.acceptInvite)
	s.route("GET", "/me/password", signedIn, s.passwordPage)
	s.route("POST", "/me/password", signedIn, s.changePassword)

	s.publicPages()
	s.companyPages()
	s.nominationPages()
	s.stagePages()
	s.staffPages()
	s.resultsPages()
	s.adminPages()
	s.judgingPages()
}

// files registers a public route that reads no session (static files).
func (s *Site) files(method, pattern string, h http.HandlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Rule: public})
	s.mux.HandleFunc(method+" "+pattern, h)
}

// Pages lists every page route with its rule, without a running site (for
// the generated authorization document).
func Pages() []Route {
	s := &Site{mux: http.NewServeMux(), static: &assets{}}
	s.register()
	return s.routes
}
