package githubapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// redacted replaces the token wherever it could surface.
const redacted = "[REDACTED]"

// maxErrorBody bounds how much of an error response is read to scrub it.
const maxErrorBody = 1 << 20

// transport retries rate-limited and briefly unavailable requests with a bounded backoff, and
// scrubs the token from every error response body before go-github turns it into an error.
type transport struct {
	base       http.RoundTripper
	token      string
	maxRetries int
	maxWait    time.Duration
	sleep      func(context.Context, time.Duration) error
	now        func() time.Time
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		wait, retry := t.retryAfter(resp, attempt)
		if !retry || !replayable || attempt >= t.maxRetries {
			return t.scrub(resp), nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// retryAfter says whether a response is worth retrying and after how long: primary and
// secondary rate limits (403 or 429 with GitHub's headers or message) and 502/503/504. A wait
// longer than maxWait is not worth it: the call fails now rather than stalling the pipeline.
func (t *transport) retryAfter(resp *http.Response, attempt int) (time.Duration, bool) {
	backoff := time.Second << attempt
	var wait time.Duration
	switch resp.StatusCode {
	case http.StatusForbidden, http.StatusTooManyRequests:
		h := resp.Header
		switch {
		case h.Get("Retry-After") != "":
			secs, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
			if err != nil || secs < 0 {
				wait = backoff
			} else {
				wait = time.Duration(secs) * time.Second
			}
		case h.Get("X-RateLimit-Remaining") == "0":
			wait = backoff
			if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
				if until := time.Unix(reset, 0).Sub(t.now()) + time.Second; until > wait {
					wait = until
				}
			}
		case resp.StatusCode == http.StatusTooManyRequests:
			wait = backoff
		case t.secondaryLimit(resp):
			// GitHub asks for at least a minute when a secondary limit gives no Retry-After.
			wait = max(backoff, time.Minute)
		default:
			return 0, false
		}
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		wait = backoff
	default:
		return 0, false
	}
	if wait > t.maxWait {
		return 0, false
	}
	return wait, true
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
