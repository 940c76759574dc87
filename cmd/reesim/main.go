// Command reesim simulates rare-earth supply disruptions: how short a
// consumer runs, how likely, and for how long. See the README and
// docs/model.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/reesim/reesim/model"
	"github.com/urfave/cli/v3"
)

// version is the reesim version, set at build time with
// -ldflags "-X main.version=v1.2.3".
var version = "v0.1.0-dev"

func main() {
	// The first SIGINT or SIGTERM cancels the command, which cleans up
	// (its output directory as it was) and exits 130 or 143; a second one
	// exits at once.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		cancel(&signalError{sig})
		sig = <-sigs
		os.Exit(signalExit(sig))
	}()
	os.Exit(run(ctx, os.Args, os.Stdout, os.Stderr))
}

// signalError is the cause of a command cancelled by a signal.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string { return "interrupted by " + signalName(e.sig) }

func signalName(sig os.Signal) string {
	if sig == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}

// signalExit is the shell's exit status for a process ended by sig: 128
// plus its number (130 for SIGINT, 143 for SIGTERM).
func signalExit(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitInput   = 2 // bad usage or bad input
)

// usageError is a command-line mistake; it exits 2.
type usageError struct {
	err  error
	hint string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// stoppedError is a command stopped by a signal, with a hint saying what
// it left behind.
type stoppedError struct {
	err  error
	hint string
}

func (e *stoppedError) Error() string { return e.err.Error() }
func (e *stoppedError) Unwrap() error { return e.err }

func usagef(hint, format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), hint: hint}
}

// run is the whole program, testable: it returns the exit code and prints
// any error once, to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.Run(ctx, args)
	if err == nil {
		return exitOK
	}
	var (
		list model.ErrorList
		ue   *usageError
	)
	switch {
	case errors.As(err, &list):
		for _, e := range list {
			fmt.Fprintln(stderr, e)
		}
		n := "1 error"
		if len(list) > 1 {
			n = fmt.Sprintf("%d errors", len(list))
		}
		files := map[string]bool{}
		for _, e := range list {
			files[e.File] = true
		}
		where := list[0].File
		if len(files) > 1 {
			where = fmt.Sprintf("%d files", len(files))
		}
		fmt.Fprintf(stderr, "reesim: %s in %s\n", n, where)
		return exitInput
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "reesim: %v\n", ue.err)
		if ue.hint != "" {
			fmt.Fprintf(stderr, "hint: %s\n", ue.hint)
		}
		return exitInput
	}
	fmt.Fprintf(stderr, "reesim: %v\n", err)
	var stopped *stoppedError
	switch {
	case errors.As(err, &stopped):
		fmt.Fprintf(stderr, "hint: %s\n", stopped.hint)
	case errors.Is(err, context.Canceled) || isSignal(err):
		fmt.Fprintln(stderr, "hint: interrupted; no result files were written, and the output directory is as it was")
	}
	var sig *signalError
	if errors.As(err, &sig) || errors.As(context.Cause(ctx), &sig) {
		return signalExit(sig.sig)
	}
	return exitFailure
}

func isSignal(err error) bool {
	var sig *signalError
	return errors.As(err, &sig)
}

func newApp(stdout, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "reesim",
		Usage:     "Monte Carlo simulation of rare-earth supply disruptions",
		Version:   version,
		Writer:    stdout,
		ErrWriter: stderr,
		// The program, not the library, decides how to exit.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		OnUsageError:   onUsageError,
		Commands:       withUsageErrors(runCommand(), mergeCommand(), sweepCommand(), compareCommand(), sizeCommand(), attributeCommand(), discoverCommand(), plotCommand(), reportCommand(), showCommand(), validateCommand(), listCommand(), versionCommand()),
		Action: func(_ context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() > 0 {
				return usagef("the commands are run, merge, sweep, compare, size, attribute, discover, plot, report, show, validate, list and version", "unknown command %q", cmd.Args().First())
			}
			return cli.ShowAppHelp(cmd)
		},
	}
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the reesim version",
		Action: func(_ context.Context, cmd *cli.Command) error {
			_, err := fmt.Fprintf(cmd.Root().Writer, "reesim %s\n", version)
			return err
		},
	}
}

func init() {
	// reesim --version prints what reesim version does.
	cli.VersionPrinter = func(cmd *cli.Command) {
		fmt.Fprintf(cmd.Root().Writer, "reesim %s\n", version)
	}
}

func onUsageError(_ context.Context, cmd *cli.Command, err error, _ bool) error {
	name := "reesim"
	if cmd != cmd.Root() {
		name += " " + cmd.Name
	}
	hint := fmt.Sprintf("run '%s --help' for usage", name)
	// An unknown flag: suggest the nearest of the command's own.
	if flag, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
		var names []string
		for _, f := range cmd.Flags {
			for _, n := range f.Names() {
				if len(n) > 1 {
					names = append(names, n)
				}
			}
		}
		if near := model.Suggest(flag, names); near != "" {
			err = fmt.Errorf("unknown flag --%s (did you mean --%s?)", flag, near)
		} else {
			err = fmt.Errorf("unknown flag --%s", flag)
		}
	}
	return &usageError{err: err, hint: hint}
}

// withUsageErrors makes flag mistakes in every subcommand exit 2 with a
// hint, and keeps each value of a repeated flag whole: --set takes YAML,
// whose inline maps and lists have commas.
func withUsageErrors(cmds ...*cli.Command) []*cli.Command {
	for _, c := range cmds {
		c.OnUsageError = onUsageError
		c.DisableSliceFlagSeparator = true
	}
	return cmds
}
