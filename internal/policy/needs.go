package policy

// NeedsApproval decides semantic 6 for one change record outside a pull request — for the
// audit, which asks it of every commit: whether going from base to head (nil: absent) needs
// approval, and why. It errs when a version has no state the lifecycle knows.
func NeedsApproval(base, head map[string]any) (bool, string, error) {
	return need(base, head)
}

// ApprovalFields are the only fields NeedsApproval reads: a record reduced to them gets the
// same answer (the audit caches records reduced so).
var ApprovalFields = append([]string{"state"}, scopeFields...)
