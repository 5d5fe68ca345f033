// Command gitsm is IT service management where the records are files in git.
package main

import (
	"os"
	_ "time/tzdata" // calendars and windows name IANA zones; do not depend on the host's zoneinfo

	"github.com/gitsm/gitsm/internal/cli"
)

func main() { os.Exit(cli.Main()) }
