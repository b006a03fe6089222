package worker

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func env(values map[string]string) func(string) string {
	return func(key string) string { return values[key] }
}

var tokenOnly = env(map[string]string{"BERTH_BRIDGE_TOKEN": "a-token-of-16-chars"})

func TestFrameIsItsLengthThenTheJSON(t *testing.T) {
	var written bytes.Buffer
	if err := writeFrame(&written, []byte(`{"body":"é"}`)); err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0, 0, 0, 13}, []byte(`{"body":"é"}`)...)
	if !bytes.Equal(written.Bytes(), want) {
		t.Fatalf("got %q, want %q", written.Bytes(), want)
	}
}

func TestFramesAreReadWhole(t *testing.T) {
	client, server := net.Pipe()
	frames, done := make(chan inFrame), make(chan struct{})
	defer close(done)
	go func() {
		var all bytes.Buffer
		_ = writeFrame(&all, []byte(`{"type":"pong"}`))
		_ = writeFrame(&all, []byte(`{"type":"message","address":"go","replyAddress":"r.1","body":{"path":"/g"}}`))
		for data := all.Bytes(); len(data) > 0; data = data[min(3, len(data)):] {
			_, _ = server.Write(data[:min(3, len(data))])
		}
	}()
	go func() { _ = readFrames(client, frames, done) }()
	if pong := <-frames; pong.Type != "pong" {
		t.Fatalf("got %+v", pong)
	}
	if message := <-frames; message.ReplyAddress != "r.1" || string(message.Body) != `{"path":"/g"}` {
		t.Fatalf("got %+v", message)
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func TestSettings(t *testing.T) {
	host, port, token, err := settings(tokenOnly)
	if host != "127.0.0.1" || port != 7000 || token != "a-token-of-16-chars" || err != nil {
		t.Fatalf("defaults: %v %v %v %v", host, port, token, err)
	}
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("from-a-file-0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, token, _ := settings(env(map[string]string{"BERTH_BRIDGE_TOKEN_FILE": file})); token != "from-a-file-0123" {
		t.Fatalf("token from a file: %q", token)
	}
	bad := map[string]map[string]string{
		"BERTH_BRIDGE_TOKEN":      {},
		"BERTH_BRIDGE_TOKEN_FILE": {"BERTH_BRIDGE_TOKEN_FILE": "/nonexistent/token"},
		"BERTH_BRIDGE":            {"BERTH_BRIDGE_TOKEN": "a-token-of-16-chars", "BERTH_BRIDGE": "no-port"},
	}
	for name, values := range bad {
		_, _, _, err := settings(env(values))
		var config *ConfigError
		if !errors.As(err, &config) || !strings.HasPrefix(err.Error(), name) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func answering(text string) HandlerFunc {
	return func(context.Context, *Request) (*Response, error) { return Text(text), nil }
}

func TestLongestPrefixWinsSegmentBySegment(t *testing.T) {
	w, _ := newWorker("go", tokenOnly)
	w.Handle("/", answering("root")).Handle("/go", answering("go")).Handle("/go/cats", answering("cats"))
	got := map[string]string{}
	for _, path := range []string{"/go", "/go/", "/go/cats/tom", "/gopher", "/go/dogs", "/"} {
		got[path] = w.reply(context.Background(), "r", &Request{Method: "GET", Path: path}).Body.Body
	}
	want := map[string]string{"/go": "go", "/go/": "go", "/go/cats/tom": "cats", "/gopher": "root", "/go/dogs": "go",
		"/": "root"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	none, _ := newWorker("go", tokenOnly)
	none.Handle("/go", answering("go"))
	if reply := none.reply(context.Background(), "r", &Request{Path: "/park"}); reply.Body.Status != 404 ||
		reply.Body.Body != `{"error":"no handler for /park"}` {
		t.Fatalf("no handler: %+v", reply.Body)
	}
}

func TestBodiesTextOrBase64(t *testing.T) {
	w, _ := newWorker("go", tokenOnly)
	text := w.body(&Response{Body: []byte("hi")})
	binary := w.body(&Response{Body: []byte{0xff, 0}})
	if text.Status != 200 || text.Body != "hi" || text.ContentType != "text/plain; charset=utf-8" {
		t.Errorf("text: %+v", text)
	}
	if decoded, _ := base64.StdEncoding.DecodeString(binary.BodyBase64); !bytes.Equal(decoded, []byte{0xff, 0}) ||
		binary.ContentType != "application/octet-stream" || binary.Body != "" {
		t.Errorf("binary: %+v", binary)
	}
	encoded, _ := json.Marshal(binary)
	if strings.Contains(string(encoded), `"body"`) {
		t.Errorf("a binary body has no body field: %s", encoded)
	}
}

func TestFailuresErrorsAndPanics(t *testing.T) {
	w, _ := newWorker("go", tokenOnly)
	w.Handle("/tea", func(context.Context, *Request) (*Response, error) {
		return nil, &Failure{Code: 418, Message: "short and stout"}
	}).Handle("/bug", func(context.Context, *Request) (*Response, error) {
		return nil, errors.New("secret detail")
	}).Handle("/panic", func(context.Context, *Request) (*Response, error) { panic("secret detail") })
	for path, want := range map[string]replyFrame{
		"/tea":   {Type: "send", Address: "r", FailureCode: 418, Message: "short and stout"},
		"/bug":   {Type: "send", Address: "r", FailureCode: 500, Message: "the worker failed"},
		"/panic": {Type: "send", Address: "r", FailureCode: 500, Message: "the worker failed"},
	} {
		if got := w.reply(context.Background(), "r", &Request{Path: path}); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", path, got, want)
		}
	}
}
