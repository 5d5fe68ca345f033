// Package schemas embeds the JSON Schemas (draft 2020-12) that gitsm validates against: one per
// record kind (incident.json, problem.json, change.json, ci.json, sla.json, calendar.json), the
// shared definitions (defs.json) and the approval policy (policy.json).
package schemas

import "embed"

// FS holds every schema file of this folder by its base name.
//
//go:embed *.json
var FS embed.FS
