// Package worker serves a berth event-bus address from Go, through a berth node's TCP event-bus bridge
// (docs/protocol.md). Standard library only.
package worker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

const (
	pingEvery      = 10 * time.Second
	firstBackoff   = 100 * time.Millisecond // first and longest wait between reconnections
	longestBackoff = 5 * time.Second
	unregisterWait = 5 * time.Second
	// StopWait is how long a stop waits for the requests held.
	StopWait = 30 * time.Second
)

// Request is one HTTP request, as the gateway forwarded it; header names are lower case, each with its values.
type Request struct {
	Method  string
	Path    string
	Query   string
	Headers map[string][]string
	Body    []byte
}

// Response is what a handler answers; a zero Status is 200.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Text is a 200 text/plain response.
func Text(text string) *Response {
	return &Response{Status: 200, ContentType: "text/plain; charset=utf-8", Body: []byte(text)}
}

// JSON is a 200 application/json response of v, or an error when v does not encode.
func JSON(v any) (*Response, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &Response{Status: 200, ContentType: "application/json", Body: body}, nil
}

// Failure, returned by a handler, fails the request: the client gets HTTP status Code and Message as the error.
type Failure struct {
	Code    int
	Message string
}

func (f *Failure) Error() string { return fmt.Sprintf("%d %s", f.Code, f.Message) }

// ConfigError is a setting the worker cannot start with; the message names it.
type ConfigError struct{ Message string }

func (e *ConfigError) Error() string { return e.Message }

// HandlerFunc answers one request; ctx ends when the worker stops for good.
type HandlerFunc func(ctx context.Context, request *Request) (*Response, error)

// Worker serves one address: each request goes to the handler of the longest path prefix it starts with.
type Worker struct {
	Address  string
	Name     string
	host     string
	port     int
	token    string
	handlers map[string]HandlerFunc

	mu       sync.Mutex // guards conn's writes
	conn     net.Conn
	inFlight sync.WaitGroup
}

// New reads BERTH_BRIDGE (host:port, default 127.0.0.1:7000), BERTH_BRIDGE_TOKEN or BERTH_BRIDGE_TOKEN_FILE, and
// BERTH_WORKER_NAME (default <hostname>-go<pid>) from the environment.
func New(address string) (*Worker, error) {
	return newWorker(address, os.Getenv)
}

// Must is the worker, or, when New failed, the end of the program: the error on one line and exit 78 (a bad setting).
func Must(w *Worker, err error) *Worker {
	if err != nil {
		fmt.Fprintln(os.Stderr, "berth-worker:", err)
		os.Exit(78)
	}
	return w
}

func newWorker(address string, getenv func(string) string) (*Worker, error) {
	host, port, token, err := settings(getenv)
	if err != nil {
		return nil, err
	}
	name := getenv("BERTH_WORKER_NAME")
	if name == "" {
		hostname, _ := os.Hostname()
		name = fmt.Sprintf("%s-go%d", hostname, os.Getpid())
	}
	return &Worker{Address: address, Name: name, host: host, port: port, token: token,
		handlers: map[string]HandlerFunc{}}, nil
}

func settings(getenv func(string) string) (host string, port int, token string, err error) {
	token = getenv("BERTH_BRIDGE_TOKEN")
	if file := getenv("BERTH_BRIDGE_TOKEN_FILE"); token == "" && file != "" {
		read, readErr := os.ReadFile(file)
		if readErr != nil {
			return "", 0, "", &ConfigError{"BERTH_BRIDGE_TOKEN_FILE: cannot read " + file + ": " + errors.Unwrap(readErr).Error()}
		}
		token = strings.TrimSpace(string(read))
	}
	if token == "" {
		return "", 0, "", &ConfigError{"BERTH_BRIDGE_TOKEN (or BERTH_BRIDGE_TOKEN_FILE) is not set: the bridge's token, as its node has it"}
	}
	bridge := getenv("BERTH_BRIDGE")
	if bridge == "" {
		bridge = "127.0.0.1:7000"
	}
	host, portText, splitErr := net.SplitHostPort(bridge)
	port, atoiErr := strconv.Atoi(portText)
	if splitErr != nil || atoiErr != nil || host == "" || port < 1 || port > 65535 {
		return "", 0, "", &ConfigError{fmt.Sprintf("BERTH_BRIDGE: %q is not host:port", bridge)}
	}
	return host, port, token, nil
}

// Handle makes fn answer the paths that are prefix or start with prefix + "/".
func (w *Worker) Handle(prefix string, fn HandlerFunc) *Worker {
	if !strings.HasPrefix(prefix, "/") {
		panic(fmt.Sprintf("a path prefix starts with /, was %q", prefix))
	}
	if trimmed := strings.TrimRight(prefix, "/"); trimmed != "" {
		prefix = trimmed
	}
	w.handlers[prefix] = fn
	return w
}

// handlerFor is the handler of the longest prefix path is or starts with, segment by segment; nil when none is.
func (w *Worker) handlerFor(path string) HandlerFunc {
	for candidate := path; ; {
		if fn, ok := w.handlers[candidate]; ok {
			return fn
		}
		if candidate == "/" || candidate == "" {
			return w.handlers["/"]
		}
		candidate = candidate[:strings.LastIndex(candidate, "/")]
		if candidate == "" {
			candidate = "/"
		}
	}
}

// replyFrame is the send frame that answers or fails one request.
type replyFrame struct {
	Type        string     `json:"type"`
	Address     string     `json:"address"`
	Body        *replyBody `json:"body,omitempty"`
	FailureCode int        `json:"failureCode,omitempty"`
	Message     string     `json:"message,omitempty"`
}

type replyBody struct {
	Status      int    `json:"status"`
	ContentType string `json:"contentType"`
	ServedBy    string `json:"servedBy"`
	Body        string `json:"body,omitempty"`
	BodyBase64  string `json:"bodyBase64,omitempty"`
}

// reply runs the request's handler: its response, its failure, or a 500 for any other error or a panic.
func (w *Worker) reply(ctx context.Context, replyAddress string, request *Request) (frame replyFrame) {
	frame = replyFrame{Type: "send", Address: replyAddress}
	fn := w.handlerFor(request.Path)
	if fn == nil {
		body, _ := json.Marshal(map[string]string{"error": "no handler for " + request.Path})
		frame.Body = w.body(&Response{Status: 404, ContentType: "application/json", Body: body})
		return frame
	}
	defer func() {
		if panicked := recover(); panicked != nil {
			fmt.Fprintf(os.Stderr, "failed on %s %s: panic: %v\n", request.Method, request.Path, panicked)
			frame = replyFrame{Type: "send", Address: replyAddress, FailureCode: 500, Message: "the worker failed"}
		}
	}()
	response, err := fn(ctx, request)
	var failure *Failure
	switch {
	case errors.As(err, &failure):
		frame.FailureCode, frame.Message = failure.Code, failure.Message
	case err != nil || response == nil: // the client gets a 500 without the details
		fmt.Fprintf(os.Stderr, "failed on %s %s: %v\n", request.Method, request.Path, err)
		frame.FailureCode, frame.Message = 500, "the worker failed"
	default:
		frame.Body = w.body(response)
	}
	return frame
}

// body carries UTF-8 as text and anything else as Base64.
func (w *Worker) body(response *Response) *replyBody {
	body := &replyBody{Status: response.Status, ContentType: response.ContentType, ServedBy: w.Name}
	if body.Status == 0 {
		body.Status = 200
	}
	if utf8.Valid(response.Body) {
		body.Body = string(response.Body)
		if body.ContentType == "" {
			body.ContentType = "text/plain; charset=utf-8"
		}
	} else {
		body.BodyBase64 = base64.StdEncoding.EncodeToString(response.Body)
		if body.ContentType == "" {
			body.ContentType = "application/octet-stream"
		}
	}
	return body
}

// Run serves until SIGTERM or SIGINT, then stops gracefully: no new requests, those held answered (at most
// StopWait), unregistered.
func (w *Worker) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return w.Serve(ctx)
}

// Serve connects, registers and answers until ctx ends, connecting again with backoff when the bridge goes; then it
// stops gracefully.
func (w *Worker) Serve(ctx context.Context) error {
	handlers, cancelHandlers := context.WithCancel(context.Background())
	defer cancelHandlers()
	backoff := firstBackoff
	for ctx.Err() == nil {
		registered, err := w.session(ctx, handlers)
		if registered {
			backoff = firstBackoff
		}
		if ctx.Err() != nil {
			break
		}
		fmt.Printf("bridge %s:%d unreachable (%v): again in %.1f s\n", w.host, w.port, err, backoff.Seconds())
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		if backoff *= 2; backoff > longestBackoff {
			backoff = longestBackoff
		}
	}
	fmt.Printf("%s stopped\n", w.Name)
	return nil
}

// session is one connection: it returns once the bridge goes, or once ctx ends and the stop is done.
func (w *Worker) session(ctx context.Context, handlers context.Context) (registered bool, err error) {
	conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", net.JoinHostPort(w.host, strconv.Itoa(w.port)))
	if err != nil {
		return false, err
	}
	w.mu.Lock()
	w.conn = conn
	w.mu.Unlock()
	defer conn.Close()
	if err := w.send(map[string]any{"type": "register", "address": w.Address,
		"headers": map[string]string{"token": w.token, "ack": "true"}}); err != nil {
		return false, err
	}
	frames, readErr, done := make(chan inFrame), make(chan error, 1), make(chan struct{})
	defer close(done)
	go func() { readErr <- readFrames(conn, frames, done) }()
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case frame := <-frames:
			registered = w.received(handlers, frame) || registered
		case err := <-readErr:
			return registered, err
		case <-ping.C:
			_ = w.send(map[string]string{"type": "ping"})
		case <-ctx.Done():
			w.stop(handlers, frames, readErr)
			return registered, nil
		}
	}
}

// received handles one frame; true when it acknowledged the registration.
func (w *Worker) received(ctx context.Context, frame inFrame) bool {
	switch frame.Type {
	case "registered":
		fmt.Printf("%s serves '%s' through %s:%d\n", w.Name, w.Address, w.host, w.port)
		return true
	case "message":
		var fields struct {
			Method     string              `json:"method"`
			Path       string              `json:"path"`
			Query      string              `json:"query"`
			Headers    map[string][]string `json:"headers"`
			BodyBase64 string              `json:"bodyBase64"`
		}
		var body []byte
		err := json.Unmarshal(frame.Body, &fields)
		if err == nil {
			body, err = base64.StdEncoding.DecodeString(fields.BodyBase64)
		}
		request := &Request{Method: fields.Method, Path: fields.Path, Query: fields.Query, Headers: fields.Headers, Body: body}
		w.inFlight.Add(1)
		go func() {
			defer w.inFlight.Done()
			reply := replyFrame{Type: "send", Address: frame.ReplyAddress, FailureCode: 400,
				Message: "the worker could not read the request"}
			if err == nil {
				reply = w.reply(ctx, frame.ReplyAddress, request)
			}
			_ = w.send(reply)
		}()
	case "err":
		fmt.Printf("bridge error: %s: %s\n", frame.Message, frame.Detail)
	}
	return false
}

// stop unregisters and answers the requests given until the bridge acknowledges it, then waits for those held, each
// within its bound.
func (w *Worker) stop(ctx context.Context, frames <-chan inFrame, readErr <-chan error) {
	if w.send(map[string]any{"type": "unregister", "address": w.Address,
		"headers": map[string]string{"ack": "true"}}) != nil {
		return
	}
	ackWait := time.After(unregisterWait)
	for waiting := true; waiting; {
		select {
		case frame := <-frames:
			w.received(ctx, frame)
			waiting = frame.Type != "unregistered"
		case <-readErr:
			waiting = false
		case <-ackWait:
			waiting = false
		}
	}
	held := make(chan struct{})
	go func() { w.inFlight.Wait(); close(held) }()
	select {
	case <-held:
	case <-time.After(StopWait):
	}
}

func (w *Worker) send(frame any) error {
	data, err := json.Marshal(frame)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return writeFrame(w.conn, data)
}
