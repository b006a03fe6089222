// Command berth-worker is the demo worker: it serves BERTH_ADDRESS (default go). /<x>/echo returns the body,
// /<x>/headers the headers, /<x>/fail/<code> fails, /<x>/slow/<ms> waits; anything else says hello.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	worker "berth.dev/worker"
)

func main() {
	address := os.Getenv("BERTH_ADDRESS")
	if address == "" {
		address = "go"
	}
	w := worker.Must(worker.New(address))
	w.Handle("/", func(ctx context.Context, request *worker.Request) (*worker.Response, error) {
		segments := append(strings.Split(request.Path, "/"), "", "", "")
		action, argument := segments[2], segments[3]
		number, numberErr := strconv.Atoi(argument)
		switch {
		case action == "echo":
			contentType := "application/octet-stream"
			if values := request.Headers["content-type"]; len(values) > 0 {
				contentType = values[0]
			}
			return &worker.Response{Status: 200, ContentType: contentType, Body: request.Body}, nil
		case action == "headers":
			return worker.JSON(request.Headers)
		case action == "fail" && numberErr == nil:
			return nil, &worker.Failure{Code: number, Message: "failed on purpose by " + w.Name}
		case action == "slow" && numberErr == nil:
			select {
			case <-time.After(time.Duration(number) * time.Millisecond):
			case <-ctx.Done():
			}
		}
		return worker.Text(fmt.Sprintf("Hello from Go worker %s: %s %s", w.Name, request.Method, request.Path)), nil
	})
	if err := w.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "berth-worker:", err)
		os.Exit(1)
	}
}
