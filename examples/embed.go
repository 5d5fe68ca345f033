// Package examples embeds the example records repository of this folder (the records of
// Northwind Outfitters, without the invalid/ samples) so that `gitsm demo` can build a records
// repository with history from it.
package examples

import "embed"

// FS holds the settings and every record folder, by their paths in a records repository.
//
//go:embed .gitsm calendars changes cis incidents problems slas
var FS embed.FS
