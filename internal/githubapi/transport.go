package githubapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// redacted replaces the token wherever it could surface.
const redacted = "[REDACTED]"

// maxErrorBody bounds how much of an error response is read to scrub it.
const maxErrorBody = 1 << 20

// transport retries rate-limited and briefly unavailable requests the way GitHub's REST
// documentation asks ("Best practices for using the REST API", "Rate limits for the REST API"),
// and scrubs the token from every error response body before go-github turns it into an error.
//
// Each attempt has its own timeout (the 30 s a request may take); the waits between attempts
// are outside it and come out of one budget for the whole client (MaxTotalWait), so that a
// `Retry-After: 40` is honoured, and a run that keeps hitting limits fails closed after a
// stated total instead of stalling the pipeline.
type transport struct {
	base           http.RoundTripper
	token          string
	attemptTimeout time.Duration
	maxRetries     int
	sleep          func(context.Context, time.Duration) error
	now            func() time.Time

	mu     sync.Mutex
	budget time.Duration // what is left of MaxTotalWait
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	limited := 0 // waits for a secondary limit so far, for the exponential backoff
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithCancel(req.Context())
		if t.attemptTimeout > 0 {
			ctx, cancel = context.WithTimeout(req.Context(), t.attemptTimeout)
		}
		r := req.Clone(ctx)
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				cancel()
				return nil, err
			}
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil {
			cancel()
			return nil, err
		}
		wait, secondary, retry := t.retryAfter(resp, attempt, limited)
		if !retry || !replayable || attempt >= t.maxRetries || !t.spend(wait) {
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			return t.scrub(resp), nil
		}
		if secondary {
			limited++
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		cancel()
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// spend takes d out of the wait budget; false when not enough is left (then nothing is taken).
func (t *transport) spend(d time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d > t.budget {
		return false
	}
	t.budget -= d
	return true
}

// cancelBody ends an attempt's context when its body is closed, not before: the body is read
// after RoundTrip returns.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// retryAfter says whether a response is worth retrying and after how long, following GitHub's
// documented waits:
//   - a Retry-After header: that many seconds;
//   - x-ratelimit-remaining 0: until x-ratelimit-reset (plus a second for clock skew);
//   - a secondary rate limit (403 or 429 saying so, or a bare 429) without those headers: at
//     least one minute, doubling on every further one;
//   - 502, 503, 504: exponential backoff from one second.
//
// secondary says the wait was the one-minute kind, which doubles next time.
func (t *transport) retryAfter(resp *http.Response, attempt, limited int) (wait time.Duration, secondary, retry bool) {
	backoff := time.Second << attempt
	switch resp.StatusCode {
	case http.StatusForbidden, http.StatusTooManyRequests:
		h := resp.Header
		switch {
		case h.Get("Retry-After") != "":
			secs, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
			if err != nil || secs < 0 {
				return time.Minute << limited, true, true
			}
			return max(time.Duration(secs)*time.Second, time.Second), false, true
		case h.Get("X-RateLimit-Remaining") == "0":
			wait = backoff
			if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
				if until := time.Unix(reset, 0).Sub(t.now()) + time.Second; until > wait {
					wait = until
				}
			}
			return wait, false, true
		case resp.StatusCode == http.StatusTooManyRequests || t.secondaryLimit(resp):
			return time.Minute << limited, true, true
		}
		return 0, false, false
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return backoff, false, true
	}
	return 0, false, false
}

// secondaryLimit peeks at a 403 body for GitHub's secondary rate limit message, leaving the body
// readable for go-github.
func (t *transport) secondaryLimit(resp *http.Response) bool {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return bytes.Contains(bytes.ToLower(data), []byte("secondary rate limit"))
}

// scrub removes the token from an error response's body: some servers and proxies echo request
// headers, and go-github puts the body's message into the error text.
func (t *transport) scrub(resp *http.Response) *http.Response {
	if resp.StatusCode < 300 || t.token == "" {
		return resp
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	data = bytes.ReplaceAll(data, []byte(t.token), []byte(redacted))
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	resp.Header.Del("Content-Length")
	return resp
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
