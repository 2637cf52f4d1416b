package workflow

import (
	"bufio"
	"os"
	"strings"
)

// csvAuthorizer reads ../policy/permissions.csv, the one source of who may
// do what, for the tests inside this package (which cannot import policy,
// as policy imports workflow). It decides as policy.Authorizer does: the
// actor's role in the domain (RoleIn), a rule for it and the permission, and
// every fact the rule names.
type csvAuthorizer []struct {
	role  Role
	perm  Permission
	facts Facts
}

func loadCSVAuthorizer() csvAuthorizer {
	f, err := os.Open("../policy/permissions.csv")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var a csvAuthorizer
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, ",")
		for i := range c {
			c[i] = strings.TrimSpace(c[i])
		}
		var facts Facts
		if len(c) == 6 {
			var ok bool
			if facts, ok = ParseFacts(c[5]); !ok {
				panic("bad facts: " + line)
			}
		}
		a = append(a, struct {
			role  Role
			perm  Permission
			facts Facts
		}{Role(c[1]), Permission{c[3], c[4]}, facts})
	}
	return a
}

func (a csvAuthorizer) Permits(actor Actor, perm Permission, domain string, facts Facts) bool {
	role := actor.RoleIn(domain)
	for _, r := range a {
		if r.role == role && r.perm == perm && facts.Has(r.facts) {
			return true
		}
	}
	return false
}

var testAuthz = loadCSVAuthorizer()

// as is an actor holding role: in the test programme's ministry (mic) for
// staff and panel roles, globally for admin and applicant (acting for the
// test nominations' organisation 1).
func as(role Role) Actor {
	a := Actor{ID: "test:" + string(role), Name: string(role)}
	switch role {
	case RoleAdmin:
		a.Grants = []Grant{{Role: role, Domain: AnyDomain}}
	case RoleApplicant:
		a.Grants, a.OrganisationID = []Grant{{Role: role, Domain: AnyDomain}}, 1
	case "":
	default:
		a.Grants = []Grant{{Role: role, Domain: "mic"}}
	}
	return a
}
