package web

// companyPages registers the company clerk's pages: home, organisation profile.
func (s *Site) companyPages() {
}
