// Command ferretdb-runner starts an embedded FerretDB v1 (SQLite backend) so the
// integration tests have a real MongoDB-wire server without installing MongoDB.
//
// We embed the github.com/FerretDB/FerretDB/ferretdb package instead of building
// cmd/ferretdb because the latter panics at start unless build/version/version.txt
// is generated, which a plain `go install` never does.
//
// Usage: ferretdb-runner -listen 127.0.0.1:PORT -data DIR
//
// Readiness protocol: once the TCP socket is bound, exactly one line
// "READY mongodb://127.0.0.1:PORT/" is written to stdout. test/support/ferretdb.ts
// waits for that line (so a stale server already on the port cannot be mistaken
// for ours) and then for a driver `ping` (so the backend really answers).
// Logs go to stderr at ERROR level by default: at WARN, FerretDB dumps the whole
// wire response of every failed command, and the Node driver routinely sends
// commands FerretDB lacks (e.g. endSessions on close), which floods test output.
//
// -watch-stdin makes the server shut down when stdin reaches EOF. The test
// helper keeps a pipe open on our stdin, so if the Node process dies in any way
// (even SIGKILL, when its exit hooks cannot run) the pipe closes and we do not
// linger as an orphan holding the port.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	data := flag.String("data", "", "SQLite data directory (created if missing)")
	level := flag.String("log-level", "error", "log level: debug, info, warn, error")
	watchStdin := flag.Bool("watch-stdin", false, "shut down when stdin is closed (parent died)")
	flag.Parse()

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fatal("bad -log-level: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	if *data == "" {
		fatal("-data is required")
	}
	dir, err := filepath.Abs(*data)
	if err != nil {
		fatal("bad -data: %v", err)
	}
	// The SQLite backend refuses to start unless the directory already exists.
	if err = os.MkdirAll(dir, 0o755); err != nil {
		fatal("cannot create data dir: %v", err)
	}

	// Build the URI with net/url so odd characters in the path are escaped;
	// FerretDB requires the "file:" scheme and a trailing slash (it is a directory
	// holding one SQLite file per MongoDB database).
	sqliteURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/", OmitHost: true}).String()

	// ferretdb.New binds the listener itself, so a busy port fails here, before READY.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		fatal("cannot start FerretDB: %v", err)
	}

	// Cancelling the context makes Run close the listener, all client
	// connections and the SQLite pools, so the data files are left consistent
	// and a restart on the same directory sees everything committed so far.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop() // also cancels ctx, i.e. the same clean shutdown as SIGTERM
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// MongoDBURI reads the bound address (resolves port 0 too); see the
	// readiness comment at the top.
	fmt.Fprintf(os.Stdout, "READY %s\n", f.MongoDBURI())

	if err = <-done; err != nil {
		fatal("FerretDB stopped: %v", err)
	}
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-runner: "+format+"\n", args...)
	os.Exit(1)
}
