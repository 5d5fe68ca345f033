//go:build !unix

package authoring

import "time"

// lockFile does not lock where flock(2) is missing: Editor.Save still refuses to write over a
// file that changed since it was read.
func lockFile(p string, wait time.Duration) (func(), error) { return func() {}, nil }
