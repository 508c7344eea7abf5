package live

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"golang.org/x/sys/unix"

	"github.com/vpclab/vpclab/internal/engine"
	"github.com/vpclab/vpclab/internal/topology"
)

// ServeDataplane is the background dataplane of a lab, in the process Up started: it reads
// the manifest and the topology, takes over the devices' descriptors (4, 5, ... in plan
// order; 3 is the pipe to report on), answers "ready" and carries frames until ctx is done.
// Its log goes to stderr, which Up pointed at LogPath.
func ServeDataplane(ctx context.Context, lab string) error {
	ready := os.NewFile(3, "ready")
	defer ready.Close()
	err := serve(ctx, lab, ready)
	if err != nil {
		fmt.Fprintf(ready, "%v\n", err) // if Up is still waiting, it learns why
		log.Printf("dataplane of lab %s: %v", lab, err)
	}
	return err
}

func serve(ctx context.Context, lab string, ready *os.File) error {
	logger := log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds)
	m, err := ReadManifest(lab)
	if err != nil {
		return err
	}
	t, probs := topology.Load(m.Topology)
	if probs.HasErrors() {
		return fmt.Errorf("the topology %s no longer loads: %v", m.Topology, probs[0])
	}
	n, _ := engine.Compile(t)
	var devs []Device
	fd := 4
	for _, node := range m.Plan.Nodes {
		for i := range node.Ports {
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
				return fmt.Errorf("descriptor %d of %s %s is missing: %w", fd, node.Name, node.Ports[i].Device, err)
			}
			unix.CloseOnExec(fd)
			if err := unix.SetNonblock(fd, true); err != nil {
				return err
			}
			devs = append(devs, Device{Node: node, Port: &node.Ports[i], FD: fd, VnetHdr: m.Link == LinkTAP})
			fd++
		}
	}
	dp, err := NewDataplane(n, devs, logger.Printf)
	if err != nil {
		return err
	}
	if err := startServices(ctx, m.Plan, logger.Printf); err != nil {
		return err
	}
	if err := startHandlers(ctx, m.Plan, dp, logger.Printf); err != nil {
		return err
	}
	logger.Printf("lab %s: dataplane of %s up with %d devices (%s)", lab, m.Topology, len(devs), m.Link)
	if _, err := io.WriteString(ready, "ready\n"); err != nil {
		return err
	}
	ready.Close()
	err = dp.Run(ctx)
	nat, flows := dp.Mappings()
	logger.Printf("lab %s: dataplane stopping (%d NAT mappings, %d tracked flows)", lab, nat, flows)
	return err
}
