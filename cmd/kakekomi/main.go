// Command kakekomi is a guide for people in Japan who meet internet
// trouble: it tells what happened, what to do first and never, which desks
// to call, and whether a message is phishing. See the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kakekomi/kakekomi/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}
