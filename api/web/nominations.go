package web

// nominationPages registers a company's nominations: the stepped form, 確認, submission, receipt, returns, withdrawal, outcome.
func (s *Site) nominationPages() {
}
