package authoring

import (
	"strings"

	"github.com/gitsm/gitsm/internal/command"
	"github.com/gitsm/gitsm/internal/gitrepo"
)

// Author returns who makes an edit, for timeline entries and callers: "Name <email>" from
// GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, else from git's user.name and user.email (the
// repository's config, then the global and the system one), else the login name in $USER.
func Author(root string, getenv func(string) string) (string, error) {
	name, email := strings.TrimSpace(getenv("GIT_AUTHOR_NAME")), strings.TrimSpace(getenv("GIT_AUTHOR_EMAIL"))
	if name == "" || email == "" {
		n, e := gitUser(root)
		if name == "" {
			name = n
		}
		if email == "" {
			email = e
		}
	}
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">", nil
	case name != "":
		return name, nil
	case email != "":
		return email, nil
	}
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if u := strings.TrimSpace(getenv(v)); u != "" {
			return u, nil
		}
	}
	return "", command.UsageErrorf("cannot tell who you are: set git's user.name and user.email, or pass --by")
}

// gitUser reads user.name and user.email from git's configuration as git would merge it.
func gitUser(root string) (name, email string) {
	repo, err := gitrepo.Open(root)
	if err != nil {
		return gitrepo.User()
	}
	return repo.User()
}
