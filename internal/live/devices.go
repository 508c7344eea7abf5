package live

import (
	"errors"
	"fmt"
	"net"
	"os"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Link modes: how the dataplane exchanges frames with a namespace.
const (
	LinkTAP  = "tap"  // a TAP device per port, created inside the namespace
	LinkVeth = "veth" // a veth pair per port, the far end read with an AF_PACKET socket
	LinkAuto = ""     // TAP when /dev/net/tun can be used, else veth
)

// vnetHdrLen is the size of the virtio-net header in front of every frame of a TAP opened
// with IFF_VNET_HDR (struct virtio_net_hdr, the kernel's default size).
const vnetHdrLen = 10

// errTAP marks the failure to make a TAP device, after which a lab may fall back to veth.
var errTAP = errors.New("TAP device")

// tapUsable says why TAP devices cannot be used, or nil.
func tapUsable() error {
	f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// openTAP creates TAP device name in the calling thread's network namespace and returns its
// descriptor, non-blocking (the dataplane polls it itself: it is no os.File, whose
// descriptors Go's runtime poller would watch too). The device carries virtio-net headers and takes checksum and,
// with tso, TSO offloads, so the kernel hands over large TCP segments with partial checksums.
func openTAP(name string, tso bool) (int, error) {
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return -1, fmt.Errorf("%w: opening /dev/net/tun: %w", errTAP, err)
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	ifr.SetUint16(unix.IFF_TAP | unix.IFF_NO_PI | unix.IFF_VNET_HDR)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("%w %s: creating it: %w", errTAP, name, err)
	}
	offloads := unix.TUN_F_CSUM
	if tso {
		offloads |= unix.TUN_F_TSO4 | unix.TUN_F_TSO6
	}
	if err := unix.IoctlSetInt(fd, unix.TUNSETOFFLOAD, offloads); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("%w %s: enabling offloads: %w", errTAP, name, err)
	}
	return fd, nil
}

// configurePort gives the device of port p, in the calling thread's namespace, its MAC, MTU
// and addresses, brings it up and adds the default route.
func configurePort(h *netlink.Handle, p *Port) error {
	link, err := h.LinkByName(p.Device)
	if err != nil {
		return fmt.Errorf("device %s: %w", p.Device, err)
	}
	mac, err := net.ParseMAC(p.MAC)
	if err != nil {
		return fmt.Errorf("device %s: MAC %q: %w", p.Device, p.MAC, err)
	}
	if err := h.LinkSetHardwareAddr(link, mac); err != nil {
		return fmt.Errorf("device %s: setting MAC %s: %w", p.Device, p.MAC, err)
	}
	if err := h.LinkSetMTU(link, p.MTU); err != nil {
		return fmt.Errorf("device %s: setting MTU %d: %w", p.Device, p.MTU, err)
	}
	for _, a := range p.Addrs {
		ipnet := &net.IPNet{IP: a.Addr().AsSlice(), Mask: net.CIDRMask(a.Bits(), 32)}
		if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipnet}); err != nil {
			return fmt.Errorf("device %s: adding address %s: %w", p.Device, a, err)
		}
	}
	if err := h.LinkSetUp(link); err != nil {
		return fmt.Errorf("device %s: bringing it up: %w", p.Device, err)
	}
	idx := link.Attrs().Index
	switch {
	case p.Gateway.IsValid():
		err = h.RouteAdd(&netlink.Route{LinkIndex: idx, Gw: p.Gateway.AsSlice()})
	case p.ENI == "": // a host: everything is on-link, and the dataplane answers every ARP
		err = h.RouteAdd(&netlink.Route{LinkIndex: idx, Scope: netlink.SCOPE_LINK,
			Dst: &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}})
	}
	if err != nil {
		return fmt.Errorf("device %s: adding the default route: %w", p.Device, err)
	}
	if len(p.Local) > 0 {
		lo, err := h.LinkByName("lo")
		if err != nil {
			return err
		}
		for _, c := range p.Local { // every address of the range is the namespace's own
			r := &netlink.Route{LinkIndex: lo.Attrs().Index, Dst: &net.IPNet{IP: c.Addr().AsSlice(), Mask: net.CIDRMask(c.Bits(), 32)},
				Type: unix.RTN_LOCAL, Table: unix.RT_TABLE_LOCAL, Scope: netlink.SCOPE_HOST}
			if err := h.RouteAdd(r); err != nil {
				return fmt.Errorf("local route %s: %w", c, err)
			}
		}
	}
	return nil
}

// setUp brings a device up by name.
func setUp(h *netlink.Handle, name string) error {
	link, err := h.LinkByName(name)
	if err != nil {
		return err
	}
	return h.LinkSetUp(link)
}

// openPacketSocket opens an AF_PACKET socket on device name of the calling thread's namespace:
// every frame the device receives, none of those it sends (PACKET_IGNORE_OUTGOING).
func openPacketSocket(name string) (int, error) {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return -1, err
	}
	proto := int(htons(unix.ETH_P_ALL))
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, proto)
	if err != nil {
		return -1, fmt.Errorf("AF_PACKET socket: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("AF_PACKET socket on %s: PACKET_IGNORE_OUTGOING: %w", name, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: link.Attrs().Index}); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("AF_PACKET socket: binding to %s: %w", name, err)
	}
	return fd, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// offloadsOff turns off TX checksumming, TSO and GSO on a device of the calling thread's
// namespace, so that frames read from its veth peer carry complete checksums and fit the MTU.
func offloadsOff(name string) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	for _, cmd := range []uint32{unix.ETHTOOL_STSO, unix.ETHTOOL_SGSO, unix.ETHTOOL_STXCSUM} {
		v := struct{ cmd, data uint32 }{cmd, 0}
		var ifr struct {
			name [unix.IFNAMSIZ]byte
			data unsafe.Pointer // a pointer, so that a moving stack keeps it right
			_    [16]byte
		}
		copy(ifr.name[:], name)
		ifr.data = unsafe.Pointer(&v)
		if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr))); errno != 0 && !errors.Is(errno, unix.EOPNOTSUPP) {
			return fmt.Errorf("device %s: turning offload %#x off: %w", name, cmd, errno)
		}
	}
	return nil
}
