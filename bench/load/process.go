package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// startTimeout bounds how long a process may take to say it is listening.
const startTimeout = 60 * time.Second

// maxUnreadLines is how many lines of a process's stdout are kept unread.
const maxUnreadLines = 1024

// stopTimeout bounds a graceful stop before the process is killed.
const stopTimeout = 15 * time.Second

// process is a child process of the harness: the actiongate server, the
// upstream, the minimal MCP server, the Node server or the Node driver.
type process struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // stdout, line by line, closed at EOF
	log   string      // file holding the process's stderr

	done    chan struct{} // closed when the process has ended
	waitErr error         // why it ended, once done is closed
	once    sync.Once
}

// startProcess starts cmd with its stderr in logPath and its stdout read
// line by line.
func startProcess(name string, cmd *exec.Cmd, logPath string) (*process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%s: creating its log: %w", name, err)
	}
	defer logf.Close()
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: starting %s: %w", name, cmd.Path, err)
	}
	p := &process{name: name, cmd: cmd, stdin: stdin, lines: make(chan string, maxUnreadLines), log: logPath, done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody is reading: drop the line rather than block the process
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		// Wait only once stdout is read to its end, as exec.Cmd requires.
		p.waitErr = cmd.Wait()
		close(p.lines)
		close(p.done)
	}()
	return p, nil
}

// pid is the process id, for reading /proc.
func (p *process) pid() int { return p.cmd.Process.Pid }

// waitFor reads stdout lines until match accepts one, returning the value
// match extracted. It fails, naming the process and the end of its log,
// when the process ends or the timeout passes first.
func (p *process) waitFor(what string, timeout time.Duration, match func(line string) (string, bool)) (string, error) {
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				return "", fmt.Errorf("%s ended before %s%s", p.name, what, p.logTail())
			}
			if v, ok := match(line); ok {
				return v, nil
			}
		case <-deadline:
			return "", fmt.Errorf("%s did not report %s within %s%s", p.name, what, timeout, p.logTail())
		}
	}
}

// listenAddr waits for the line "listening on ADDR" (with or without a
// scheme) and returns ADDR as host:port.
func (p *process) listenAddr() (string, error) {
	return p.waitFor("its address", startTimeout, func(line string) (string, bool) {
		_, rest, ok := strings.Cut(line, "listening on ")
		if !ok {
			return "", false
		}
		return strings.TrimPrefix(strings.TrimSpace(rest), "http://"), true
	})
}

// logTail is the end of the process's stderr, for error messages.
func (p *process) logTail() string {
	b, err := os.ReadFile(p.log)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return fmt.Sprintf("; the end of its log (%s):\n%s", p.log, b)
}

// stop asks the process to end (SIGTERM, and EOF on its stdin) and kills
// it when it has not ended after stopTimeout.
func (p *process) stop() {
	p.once.Do(func() {
		_ = p.stdin.Close()
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// alive reports an error when the process has already ended.
func (p *process) alive() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s has ended (%v)%s", p.name, p.waitErr, p.logTail())
	default:
		return nil
	}
}
