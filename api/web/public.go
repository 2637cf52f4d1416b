package web

// publicPages registers the public's pages: home, award lists, publication versions, accessibility statement.
func (s *Site) publicPages() {
}
