// Command saasplane is the saasplane server and its administration CLI.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/saasplane/saasplane/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, app.ErrHelp):
	case errors.Is(err, app.ErrUsage):
		if err != app.ErrUsage {
			fmt.Fprintln(os.Stderr, "saasplane:", err)
		}
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "saasplane:", err)
		os.Exit(1)
	}
}
