package live

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// burst bounds the frames read from one device before the others get their turn.
const burst = 64

// Run carries frames until ctx is done, then closes the devices. It returns nil when stopped
// by ctx, or an error when no device is left to read.
//
// One locked OS thread does everything: wait on the devices (level-triggered epoll), read a
// frame, pass it through the engine, write the result. Frames are never queued inside the
// dataplane. A reply is usually ready before the write that caused it returns (the receiving
// kernel answers in that system call), so the next epoll_wait returns at once. Polling
// before sleeping helps only when it lasts until the next packet: 50 and 300 µs gained
// nothing; 20 ms brought a 10 ms ping's median round trip from 151 to 40 µs on a 2-core VM
// (waking a halted virtual CPU costs tens of microseconds), but burns a core whenever
// traffic flows, so the loop sleeps.
func (d *Dataplane) Run(ctx context.Context) error {
	defer d.Close()
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return fmt.Errorf("epoll: %w", err)
	}
	defer unix.Close(ep)
	stop, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return fmt.Errorf("eventfd: %w", err)
	}
	quit, watcher := make(chan struct{}), make(chan struct{})
	go func() { // wakes the loop when ctx is done
		defer close(watcher)
		select {
		case <-ctx.Done():
			unix.Write(stop, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		case <-quit:
		}
	}()
	defer func() { close(quit); <-watcher; unix.Close(stop) }()
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, stop, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: -1}); err != nil {
		return err
	}
	for i, p := range d.ports {
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, p.dev.FD, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}); err != nil {
			return fmt.Errorf("%s %s: epoll: %w", p.dev.Node.Name, p.dev.Port.Device, err)
		}
	}
	for i, src := range d.sources {
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, src.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(len(d.ports) + i)}); err != nil {
			return fmt.Errorf("epoll: %w", err)
		}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	w := newWorker(d)
	events := make([]unix.EpollEvent, len(d.ports)+len(d.sources)+1)
	live := len(d.ports)
	for {
		n, err := unix.EpollWait(ep, events, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("epoll: %w", err)
		}
		for _, ev := range events[:n] {
			if ev.Fd < 0 {
				return nil // ctx is done
			}
			if int(ev.Fd) >= len(d.ports) {
				d.sources[int(ev.Fd)-len(d.ports)].ready()
				continue
			}
			p := d.ports[ev.Fd]
			for range burst {
				m, err := unix.Read(p.dev.FD, w.buf)
				if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
					break
				}
				if err != nil || m == 0 {
					// The device is gone (its namespace was deleted): stop watching it.
					d.log.logf("%s %s: reading: %v; this device stops", p.dev.Node.Name, p.dev.Port.Device, err)
					unix.EpollCtl(ep, unix.EPOLL_CTL_DEL, p.dev.FD, nil)
					if live--; live == 0 {
						return errors.New("every device stopped")
					}
					break
				}
				w.frame(p, w.buf[:m])
			}
		}
	}
}
