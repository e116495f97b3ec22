#!/usr/bin/env bash
# The tridc lab: 3 data centers x 3 nodes (systemd containers) behind one OVS ToR per DC,
# routed to each other through this host. See lab/README.md.
#
#   lab/lab.sh up               build images if missing, create and wire everything (idempotent)
#   lab/lab.sh down [--images]  remove exactly what `up` made (idempotent)
#   lab/lab.sh status           containers and reachability
#   lab/lab.sh verify-connect   ansible ping, mirror, VM gateways, cross-DC pings
#   lab/lab.sh tor D CMD...     run CMD in ToR D (e.g. lab/lab.sh tor 1 ovs-vsctl show)
#   lab/lab.sh vm D NAME CMD... run CMD in legacy VM NAME of DC D (e.g. lab/lab.sh vm 3 vm103 ip a)
set -euo pipefail

LAB=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$LAB")
STATE=$LAB/.state
# the package mirrors, one flat repository per Debian suite in $MIRROR_ROOT (mirror/: bookworm, mirror-trixie/:
# trixie and the upgrade to it, when built: SUITE=trixie lab/build-images.sh; make lab-upgrade)
MIRROR_ROOT=$LAB/.cache
# The Debian suite of the lab's nodes and ToRs: TRIDC_LAB_SUITE (bookworm, the default, or trixie). The mirror
# server serves $WWW: http://10.99.0.1:8181/mirror/ (the lab inventory's source) is the mirror of the lab's suite,
# /mirror-bookworm/ and /mirror-trixie/ each built suite's (-e @lab/debian13.yml: the upgrade's source). So
#   TRIDC_LAB_SUITE=trixie lab/lab.sh up; ansible-playbook -i inventories/lab playbooks/site.yml
# is the lab on Debian 13 (OVN 25.03, OVS 3.5), with the inventory unchanged.
LAB_SUITE=${TRIDC_LAB_SUITE:-bookworm}
case $LAB_SUITE in
  bookworm) MIRROR_DIR=$MIRROR_ROOT/mirror ;;
  trixie) MIRROR_DIR=$MIRROR_ROOT/mirror-trixie ;;
  *) echo "TRIDC_LAB_SUITE=$LAB_SUITE: the lab knows bookworm and trixie" >&2; exit 2 ;;
esac
NODE_IMAGE=${NODE_IMAGE:-localhost/tridc-node:$LAB_SUITE}
TOR_IMAGE=${TOR_IMAGE:-localhost/tridc-tor:$LAB_SUITE}
LABEL=tridc.lab
TAG=tridc-lab                      # iptables comment
KEY=$STATE/ssh/id_ed25519
MIRROR_IP=10.99.0.1
MIRROR_PORT=8181
MIRROR_PIDFILE=$STATE/mirror.pid
WWW=$STATE/www
MIRROR_CMD="http.server $MIRROR_PORT --bind $MIRROR_IP"
SSH_OPTS=(-i "$KEY" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
          -o LogLevel=ERROR -o ConnectTimeout=3)

# ------------------------------------------------------------------ topology
DCS=(1 2 3)
NODES=(1 2 3)
declare -A BIZ_VLANS=([1]="101 102 104" [2]="101 104" [3]="103")      # business VLANs, trunked on eth0
declare -A STOR_VLANS=([1]="201" [2]="201" [3]="203")         # storage VLANs, trunked on eth1
MGMT_VLAN=10                                                  # native on eth0
UNDERLAY_VLAN=20                                              # native on eth1
# gateways (OVS internal ports) on each ToR: VLAN:ADDRESS/24 ...
declare -A GATEWAYS=(
  [1]="10:10.90.1.1/24 20:10.91.1.1/24 101:10.101.0.1/24 102:10.102.0.1/24 201:10.201.0.1/24"
  [2]="10:10.90.2.1/24 20:10.91.2.1/24"
  [3]="10:10.90.3.1/24 20:10.91.3.1/24 103:10.103.0.1/24 203:10.203.0.1/24")
# legacy VMs (netns in the ToR, access port): NAME:VLAN:ADDRESS/LEN:GATEWAY ...
declare -A VMS=(
  [1]="vm101:101:10.101.0.201/24:10.101.0.1 vm104:104:10.104.0.201/24:10.104.0.1"
  [2]="vm101:101:10.101.0.202/24:10.101.0.1"
  [3]="vm103:103:10.103.0.201/24:10.103.0.1")
# stretched L2 between two ToRs: TOR_A:TOR_B:VLANS
STRETCH="1:2:101,104,201"

tor_name()  { echo "tridc-tor$1"; }
node_name() { echo "tridc-dc$1-n$2"; }
node_host() { echo "dc$1-n$2"; }
mgmt_ip()   { echo "10.90.$1.1$2"; }
under_ip()  { echo "10.91.$1.1$2"; }
wan_host_if() { echo "tridc-wan$1"; }
wan_host_ip() { echo "10.99.$1.1"; }
wan_tor_ip()  { echo "10.99.$1.2"; }
# fixed MACs, so that a recreated node/ToR/VM does not leave stale ARP entries behind
node_mac() { printf '02:00:00:%02x:%02x:%02x\n' "$1" "$2" "$3"; }                # DC I NIC
gw_mac()   { printf '02:00:01:%02x:%02x:%02x\n' "$1" $(($2 >> 8)) $(($2 & 255)); } # DC VLAN
vm_mac()   { printf '02:00:02:%02x:%02x:%02x\n' "$1" $(($2 >> 8)) $(($2 & 255)); } # DC VLAN

RUN_OPTS=(--systemd=always --network none
          --cap-add NET_ADMIN --cap-add NET_RAW --cap-add SYS_ADMIN --cap-add SYS_NICE
          --device /dev/net/tun --label "$LABEL=1")

# ------------------------------------------------------------------ helpers
log()  { printf '[lab %s] %s\n' "$(date +%T)" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
now()  { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

pid_of()  { podman inspect -f '{{.State.Pid}}' "$1"; }
# running NAME: podman says running AND the container's processes are there (podman's state
# outlives processes killed behind its back, e.g. a machine restored from a snapshot)
running() {
  [ "$(podman inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] &&
    podman exec "$1" true >/dev/null 2>&1
}
netns()   { local pid=$1; shift; nsenter -t "$pid" -n -- "$@"; }         # host tools, container netns
inside()  { local pid=$1; shift; nsenter -t "$pid" -m -n -p -- "$@"; }   # container tools, netns, pids
has_link() {  # has_link PID|host IFNAME
  if [ "$1" = host ]; then ip link show dev "$2" >/dev/null 2>&1
  else netns "$1" ip link show dev "$2" >/dev/null 2>&1; fi
}
in_ns_of() {  # in_ns_of PID|host cmd...
  local pid=$1; shift
  if [ "$pid" = host ]; then "$@"; else netns "$pid" "$@"; fi
}

# veth_ok PID_A IF_A PID_B IF_B: both ends of the pair are there
veth_ok() { has_link "$1" "$2" && has_link "$3" "$4"; }

# make_veth PID_A IF_A PID_B IF_B [MAC_B]: veth pair straight between two namespaces ("host" =
# this host's namespace), tx checksum offload off on both ends, both up. A leftover end whose
# peer vanished (its container was recreated) is deleted first.
make_veth() {
  local pa=$1 a=$2 pb=$3 b=$4 ea=() eb=()
  [ -z "${5:-}" ] || eb+=(address "$5")
  if has_link "$pa" "$a"; then in_ns_of "$pa" ip link del dev "$a"; fi
  if has_link "$pb" "$b"; then in_ns_of "$pb" ip link del dev "$b"; fi
  [ "$pa" = host ] || ea=(netns "$pa")
  [ "$pb" = host ] || eb+=(netns "$pb")
  ip link add "$a" "${ea[@]}" type veth peer name "$b" "${eb[@]}"
  # frames with a partial checksum that pass OVS userspace are dropped by the receiver
  in_ns_of "$pa" ethtool -K "$a" tx off >/dev/null
  in_ns_of "$pb" ethtool -K "$b" tx off >/dev/null
  in_ns_of "$pa" ip link set dev "$a" up
  in_ns_of "$pb" ip link set dev "$b" up
}

# tor_unplug PID PORT...: remove ports from the ToR bridge before their veth is recreated
# (re-adding a port of the same name in one transaction keeps the stale device open)
tor_unplug() {
  local pid=$1 port args=(); shift
  for port in "$@"; do args+=(-- --if-exists del-port tor "$port"); done
  inside "$pid" ovs-vsctl --timeout=30 "${args[@]}"
}

wait_systemd() {  # wait_systemd CONTAINER: until systemd finished booting (running/degraded)
  local s=
  for _ in $(seq 1 150); do
    s=$(podman exec "$1" systemctl is-system-running 2>/dev/null || true)
    case "$s" in running|degraded) return 0 ;; esac
    sleep 0.2
  done
  die "$1: systemd did not finish booting (state: ${s:-unknown})"
}

ensure_container() {  # ensure_container NAME IMAGE HOSTNAME ROLE [extra run args...]
  local name=$1 image=$2 host=$3 role=$4; shift 4
  if podman container exists "$name"; then
    if running "$name"; then return 0; fi
    log "$name exists but is not running (or its processes are gone): recreating"
    remove_containers "$name"
  fi
  podman run -d --name "$name" --hostname "$host" "${RUN_OPTS[@]}" --label "$LABEL.role=$role" \
    "$@" "$image" >/dev/null
}

iptables_rule() {  # iptables_rule TABLE CHAIN match...: insert at the top if missing
  local table=$1 chain=$2; shift 2
  local rule=("$@" -m comment --comment "$TAG" -j ACCEPT)
  iptables -w -t "$table" -C "$chain" "${rule[@]}" 2>/dev/null ||
    iptables -w -t "$table" -I "$chain" 1 "${rule[@]}"
}

mirror_pid() {  # prints the pid of our mirror http server if it is running
  local pid
  [ -s "$MIRROR_PIDFILE" ] || return 1
  pid=$(cat "$MIRROR_PIDFILE")
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$MIRROR_CMD --directory $WWW \$" || return 1
  echo "$pid"
}

# stop_foreign_mirrors: a lab mirror of another checkout holds the address and port
stop_foreign_mirrors() {
  local pid ours
  ours=$(mirror_pid || true)
  for pid in $(pgrep -f -- "$MIRROR_CMD" || true); do
    [ "$pid" != "$ours" ] || continue
    log "stopping the lab mirror of another checkout (pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null))"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  done
}

# ------------------------------------------------------------------ up
host_setup() {
  mkdir -p "$STATE/ssh"
  [ -s "$KEY" ] || ssh-keygen -q -t ed25519 -N '' -C tridc-lab -f "$KEY"
  # forwarding between the DCs' WAN links (left on by down: podman networks need it as well)
  sysctl -qw net.ipv4.ip_forward=1
  iptables_rule filter FORWARD -i tridc-wan+ -o tridc-wan+
  iptables_rule filter INPUT -i tridc-wan+
  iptables_rule nat POSTROUTING -o tridc-wan+          # never NAT towards the lab
  # mirror address and server; what it serves: /mirror/ is the lab suite's mirror, /mirror-SUITE/ each built one
  ip -4 addr show dev lo | grep -q " $MIRROR_IP/32 " || ip addr add "$MIRROR_IP/32" dev lo
  [ -s "$MIRROR_DIR/Packages.gz" ] || die "no mirror in $MIRROR_DIR (run SUITE=$LAB_SUITE lab/build-images.sh)"
  mkdir -p "$WWW"
  ln -sfn "$MIRROR_DIR" "$WWW/mirror"
  ln -sfn "$MIRROR_ROOT/mirror" "$WWW/mirror-bookworm"
  ln -sfn "$MIRROR_ROOT/mirror-trixie" "$WWW/mirror-trixie"
  stop_foreign_mirrors
  if ! mirror_pid >/dev/null; then
    # a daemon: own session, no descriptors inherited from whoever ran `up` (beyond 0-2)
    # (the launcher writes its own pid, which http.server keeps through exec)
    rm -f "$MIRROR_PIDFILE"
    setsid python3 -c '
import os, sys
os.closerange(3, 65536)
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % os.getpid())
os.execvp(sys.argv[2], sys.argv[2:])' "$MIRROR_PIDFILE" \
      python3 -m http.server "$MIRROR_PORT" --bind "$MIRROR_IP" --directory "$WWW" \
      </dev/null >"$STATE/mirror.log" 2>&1 &
    for _ in $(seq 1 50); do
      [ -s "$MIRROR_PIDFILE" ] && (exec 3<>"/dev/tcp/$MIRROR_IP/$MIRROR_PORT") 2>/dev/null && break
      sleep 0.1
    done
    mirror_pid >/dev/null || die "mirror http server did not start (see $STATE/mirror.log)"
  fi
}

add_hosts_args() {  # --add-host for every lab node (management addresses)
  local d i
  for d in "${DCS[@]}"; do for i in "${NODES[@]}"; do
    printf -- '--add-host=%s:%s\n' "$(node_host "$d" "$i")" "$(mgmt_ip "$d" "$i")"
  done; done
}

start_containers() {
  local d i hosts
  mapfile -t hosts < <(add_hosts_args)
  # ToRs: routers without IPv6; ARP only answered on the interface holding the address (the
  # kernel also sees every frame of the OVS ports, and would answer for gw10 on n1-e0 too)
  for d in "${DCS[@]}"; do
    ensure_container "$(tor_name "$d")" "$TOR_IMAGE" "tor$d" tor --label "$LABEL.dc=dc$d" \
      --sysctl net.ipv4.ip_forward=1 --sysctl net.ipv4.conf.all.rp_filter=0 \
      --sysctl net.ipv6.conf.all.disable_ipv6=1 --sysctl net.ipv6.conf.default.disable_ipv6=1 \
      --sysctl net.ipv4.conf.all.arp_ignore=1
  done
  for d in "${DCS[@]}"; do for i in "${NODES[@]}"; do
    ensure_container "$(node_name "$d" "$i")" "$NODE_IMAGE" "$(node_host "$d" "$i")" node \
      --label "$LABEL.dc=dc$d" "${hosts[@]}"
  done; done
}

# wire_tor D: OVS bridge, WAN link, gateways, node ports, legacy VMs of DC D
wire_tor() {
  local d=$1 tor tpid gw vlan addr name vm vmvlan vmaddr vmgw
  tor=$(tor_name "$d"); tpid=$(pid_of "$tor")
  wait_systemd "$tor"
  podman exec "$tor" systemctl start openvswitch-switch.service
  local ovs=(ovs-vsctl --timeout=30 -- --may-exist add-br tor -- set bridge tor datapath_type=netdev)
  for gw in ${GATEWAYS[$d]}; do
    vlan=${gw%%:*}
    ovs+=(-- --may-exist add-port tor "gw$vlan"
          -- set interface "gw$vlan" type=internal mac="\"$(gw_mac "$d" "$vlan")\""
          -- set port "gw$vlan" tag="$vlan")
  done
  inside "$tpid" "${ovs[@]}"
  inside "$tpid" ip link set dev tor up
  for gw in ${GATEWAYS[$d]}; do
    vlan=${gw%%:*}; addr=${gw#*:}
    netns "$tpid" ip addr replace "$addr" dev "gw$vlan"
    netns "$tpid" ip link set dev "gw$vlan" up
  done

  # routed WAN link to this host
  if ! veth_ok host "$(wan_host_if "$d")" "$tpid" wan; then
    make_veth host "$(wan_host_if "$d")" "$tpid" wan
    ip addr replace "$(wan_host_ip "$d")/30" dev "$(wan_host_if "$d")"
    netns "$tpid" ip addr replace "$(wan_tor_ip "$d")/30" dev wan
  fi
  netns "$tpid" ip route replace default via "$(wan_host_ip "$d")" dev wan
  for gw in ${GATEWAYS[$d]}; do
    addr=${gw#*:}
    ip route replace "${addr%.*}.0/${addr#*/}" via "$(wan_tor_ip "$d")" dev "$(wan_host_if "$d")"
  done

  # legacy VMs: a network namespace in the ToR on an access port
  for vm in ${VMS[$d]}; do
    IFS=: read -r name vmvlan vmaddr vmgw <<<"$vm"
    if ! inside "$tpid" ip netns exec "$name" true 2>/dev/null; then
      inside "$tpid" ip netns delete "$name" 2>/dev/null || true   # a leftover without its mount
      inside "$tpid" ip netns add "$name"
    fi
    if ! inside "$tpid" ip link show dev "$name" >/dev/null 2>&1; then
      tor_unplug "$tpid" "$name"
      inside "$tpid" ip -n "$name" link del dev eth0 2>/dev/null || true
      inside "$tpid" ip link add "$name" type veth peer name eth0 netns "$name" address "$(vm_mac "$d" "$vmvlan")"
      inside "$tpid" ethtool -K "$name" tx off >/dev/null
      inside "$tpid" ip netns exec "$name" ethtool -K eth0 tx off >/dev/null
      inside "$tpid" ip link set dev "$name" up
      inside "$tpid" ip -n "$name" link set dev lo up
      inside "$tpid" ip -n "$name" link set dev eth0 up
      inside "$tpid" ip -n "$name" addr replace "$vmaddr" dev eth0
      inside "$tpid" ip -n "$name" route replace default via "$vmgw"
      inside "$tpid" ovs-vsctl --timeout=30 add-port tor "$name" -- set port "$name" tag="$vmvlan"
    fi
  done
}

wire_stretch() {
  local a b vlans pa pb
  IFS=: read -r a b vlans <<<"$STRETCH"
  pa=$(pid_of "$(tor_name "$a")"); pb=$(pid_of "$(tor_name "$b")")
  if ! veth_ok "$pa" "to-tor$b" "$pb" "to-tor$a"; then
    tor_unplug "$pa" "to-tor$b"
    tor_unplug "$pb" "to-tor$a"
    make_veth "$pa" "to-tor$b" "$pb" "to-tor$a"
    inside "$pa" ovs-vsctl --timeout=30 add-port tor "to-tor$b" \
      -- set port "to-tor$b" vlan_mode=trunk trunks="$vlans"
    inside "$pb" ovs-vsctl --timeout=30 add-port tor "to-tor$a" \
      -- set port "to-tor$a" vlan_mode=trunk trunks="$vlans"
  fi
}

# wire_node D I: the node's two NICs on its ToR, addresses, ssh key
wire_node() {
  local d=$1 i=$2 node tor npid tpid biz stor ovs=()
  node=$(node_name "$d" "$i"); tor=$(tor_name "$d")
  npid=$(pid_of "$node"); tpid=$(pid_of "$tor")
  biz=$(tr ' ' ',' <<<"${BIZ_VLANS[$d]}"); stor=$(tr ' ' ',' <<<"${STOR_VLANS[$d]}")
  netns "$npid" ip link set dev lo up
  if ! veth_ok "$tpid" "n$i-e0" "$npid" eth0; then
    tor_unplug "$tpid" "n$i-e0"
    make_veth "$tpid" "n$i-e0" "$npid" eth0 "$(node_mac "$d" "$i" 0)"
    ovs+=(-- add-port tor "n$i-e0"
          -- set port "n$i-e0" vlan_mode=native-untagged tag="$MGMT_VLAN" trunks="$MGMT_VLAN,$biz")
    netns "$npid" ip addr replace "$(mgmt_ip "$d" "$i")/24" dev eth0
    netns "$npid" ip route replace default via "10.90.$d.1" dev eth0
  fi
  if ! veth_ok "$tpid" "n$i-e1" "$npid" eth1; then
    tor_unplug "$tpid" "n$i-e1"
    make_veth "$tpid" "n$i-e1" "$npid" eth1 "$(node_mac "$d" "$i" 1)"
    ovs+=(-- add-port tor "n$i-e1"
          -- set port "n$i-e1" vlan_mode=native-untagged tag="$UNDERLAY_VLAN" trunks="$UNDERLAY_VLAN,$stor")
    netns "$npid" ip addr replace "$(under_ip "$d" "$i")/24" dev eth1
  fi
  [ ${#ovs[@]} -eq 0 ] || inside "$tpid" ovs-vsctl --timeout=30 "${ovs[@]}"
  # A restarted node (a lab test powers dc1 off and on) gets its NICs only here, after its boot: the boot units that
  # put the host addresses on the Open vSwitch bridges (tridc-ovs-net@BRIDGE) failed without them. Run them now, as
  # a boot with the NICs present would have; a node's first start has none of them.
  if [ ${#ovs[@]} -gt 0 ]; then
    podman exec "$node" sh -c 'u=$(systemctl list-units --state=failed --plain --no-legend "tridc-ovs-net@*" | cut -d" " -f1)
      [ -z "$u" ] || { systemctl reset-failed $u && systemctl start $u; }' ||
      log "$node: the bridges' boot units failed again (systemctl status 'tridc-ovs-net@*' in the node)"
  fi
  # ssh key (written through the container's root; /root/.ssh exists in the image)
  install -m 0600 "$KEY.pub" "/proc/$npid/root/root/.ssh/authorized_keys"
}

wait_ssh() {  # wait until every node answers on ssh
  local d i ip left deadline=$((SECONDS + 90))
  while :; do
    left=()
    for d in "${DCS[@]}"; do for i in "${NODES[@]}"; do
      ip=$(mgmt_ip "$d" "$i")
      timeout 5 ssh "${SSH_OPTS[@]}" "root@$ip" true 2>/dev/null || left+=("$ip")
    done; done
    if [ ${#left[@]} -eq 0 ]; then return 0; fi
    [ $SECONDS -lt $deadline ] || die "no ssh to: ${left[*]}"
    sleep 1
  done
}

cmd_up() {
  local t0 t d i
  t0=$(now)
  [ "$(id -u)" = 0 ] || die "run as root"
  if ! podman image exists "$NODE_IMAGE" || ! podman image exists "$TOR_IMAGE" ||
     [ ! -s "$MIRROR_DIR/Packages.gz" ]; then
    log "images or mirror missing: running build-images.sh (SUITE=$LAB_SUITE)"
    SUITE=$LAB_SUITE "$LAB/build-images.sh"
  fi
  t=$(now); host_setup; log "host: key, forwarding, iptables, mirror on http://$MIRROR_IP:$MIRROR_PORT/ ($(since "$t") s)"
  t=$(now); start_containers; log "containers running ($(since "$t") s)"
  t=$(now)
  for d in "${DCS[@]}"; do wire_tor "$d"; done
  wire_stretch
  for d in "${DCS[@]}"; do for i in "${NODES[@]}"; do wire_node "$d" "$i"; done; done
  log "wired ($(since "$t") s)"
  t=$(now); wait_ssh; log "ssh on all nodes ($(since "$t") s)"
  date -u +%FT%TZ >"$STATE/up"
  log "lab up in $(since "$t0") s. Try: lab/lab.sh verify-connect"
}

# ------------------------------------------------------------------ down
# Remove containers, also ones a killed podman left half-stopped: such a container is
# "stopping" with its conmon gone, and the first `rm -f` fails with "container state
# improper" after moving it to "stopped"; `container cleanup` and a retry then remove it.
remove_containers() {
  local id try
  for id in "$@"; do
    for try in 1 2 3 4 5; do
      podman rm -f -t 0 "$id" >/dev/null 2>&1 && break
      podman container exists "$id" || break
      podman container cleanup "$id" >/dev/null 2>&1 || true
      [ "$try" -lt 5 ] || { podman rm -f -t 0 "$id" >/dev/null || die "cannot remove container $id"; }
      sleep "$try"
    done
  done
}

cmd_down() {
  local t0 ids d gw addr table line pid images=0
  if [ "${1:-}" = --images ]; then images=1; fi
  t0=$(now)
  mapfile -t ids < <(podman ps -aq --filter "label=$LABEL=1")
  [ ${#ids[@]} -eq 0 ] || remove_containers "${ids[@]}"
  # the veths died with the containers' namespaces; host ends too (and their routes)
  for d in "${DCS[@]}"; do
    if has_link host "$(wan_host_if "$d")"; then ip link del dev "$(wan_host_if "$d")"; fi
    for gw in ${GATEWAYS[$d]}; do
      addr=${gw#*:}
      ip route del "${addr%.*}.0/${addr#*/}" via "$(wan_tor_ip "$d")" 2>/dev/null || true
    done
  done
  if pid=$(mirror_pid); then kill "$pid"; fi
  stop_foreign_mirrors
  rm -f "$MIRROR_PIDFILE"
  if ip -4 addr show dev lo | grep -q " $MIRROR_IP/32 "; then ip addr del "$MIRROR_IP/32" dev lo; fi
  for table in filter nat; do
    while read -r line; do
      [ -n "$line" ] || continue
      local rule
      read -r -a rule <<<"${line/#-A /-D }"
      iptables -w -t "$table" "${rule[@]}"
    done < <(iptables -w -t "$table" -S | grep -- "--comment $TAG " || true)
  done
  # net.ipv4.ip_forward stays 1: podman's bridge networks (other containers on this host)
  # rely on it too, and switching it off under them would cut them off
  rm -f "$STATE/up"
  # old images left untagged by a rebuild (FORCE=1 build-images.sh) while the lab ran
  podman images -q --filter dangling=true --filter label=tridc.lab.image |
    xargs -r podman rmi >/dev/null 2>&1 || true
  if [ "$images" = 1 ]; then
    for image in "$NODE_IMAGE" "$TOR_IMAGE"; do
      # never forced: molecule scenarios run containers from the node image as well
      if podman image exists "$image" && ! podman rmi "$image" >/dev/null 2>&1; then
        log "$image is in use by other containers; kept"
      fi
    done
  fi
  log "lab down in $(since "$t0") s"
}

# ------------------------------------------------------------------ status / verify
# shellcheck disable=SC2016  # $1/$2 expand in the inner bash
tcp_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

cmd_status() {
  local d i name state ip ssh vm vlan addr gw ok pid
  printf '%-16s %-5s %-10s %-13s %s\n' CONTAINER ROLE STATE MGMT SSH
  for d in "${DCS[@]}"; do
    name=$(tor_name "$d")
    state=$(podman inspect -f '{{.State.Status}}' "$name" 2>/dev/null || echo absent)
    printf '%-16s %-5s %-10s %-13s %s\n' "$name" tor "$state" "10.90.$d.1" -
    for i in "${NODES[@]}"; do
      name=$(node_name "$d" "$i"); ip=$(mgmt_ip "$d" "$i")
      state=$(podman inspect -f '{{.State.Status}}' "$name" 2>/dev/null || echo absent)
      ssh=no; if tcp_open "$ip" 22; then ssh=yes; fi
      printf '%-16s %-5s %-10s %-13s %s\n' "$name" node "$state" "$ip" "$ssh"
    done
  done
  printf '\n%-16s %-8s %-6s %-15s %s\n' TOR VM VLAN ADDRESS PINGS-GW
  for d in "${DCS[@]}"; do
    running "$(tor_name "$d")" || continue
    for vm in ${VMS[$d]}; do
      IFS=: read -r name vlan addr gw <<<"$vm"
      ok=no; if vm_ping "$d" "$name" "$gw" >/dev/null 2>&1; then ok=yes; fi
      printf '%-16s %-8s %-6s %-15s %s\n' "$(tor_name "$d")" "$name" "$vlan" "${addr%/*}" "$ok"
    done
  done
  echo
  if pid=$(mirror_pid); then echo "mirror: http://$MIRROR_IP:$MIRROR_PORT/ (pid $pid)"; else echo "mirror: not running"; fi
}

FAILED=0
check() {  # check DESCRIPTION cmd...
  local desc=$1; shift
  if "$@" >/dev/null 2>&1; then printf 'PASS  %s\n' "$desc"
  else printf 'FAIL  %s\n' "$desc"; FAILED=1; fi
}
tor_gateway() {  # tor_gateway DC ADDRESS: the DC's ToR holds this gateway address
  local gw
  for gw in ${GATEWAYS[$1]}; do [ "${gw#*:}" = "$2/24" ] && return 0; done
  return 1
}
vm_ping() {  # vm_ping DC VM TARGET
  inside "$(pid_of "$(tor_name "$1")")" ip netns exec "$2" ping -c 2 -W 2 "$3"
}
node_run() {  # node_run DC I cmd...: over ssh, as Ansible would
  local ip; ip=$(mgmt_ip "$1" "$2"); shift 2
  # shellcheck disable=SC2029  # fixed command lines from this script
  ssh "${SSH_OPTS[@]}" "root@$ip" "$@"
}

cmd_verify_connect() {
  local d vm name vlan addr gw
  FAILED=0
  check "ansible -m ping: all 9 nodes" \
    env ANSIBLE_HOST_KEY_CHECKING=False "$ROOT/.venv/bin/ansible" -i "$ROOT/inventories/lab" all -m ping
  # the one remote command here is a fixed string (ssh always passes a command line)
  local suite
  for suite in mirror $([ -s "$MIRROR_ROOT/mirror-trixie/Packages.gz" ] && echo mirror-trixie); do
    check "mirror reachable from dc3-n3 (http://$MIRROR_IP:$MIRROR_PORT/$suite/Packages)" \
      node_run 3 3 python3 -c "'import urllib.request,sys; sys.exit(urllib.request.urlopen(\"http://$MIRROR_IP:$MIRROR_PORT/$suite/Packages\").status != 200)'"
  done
  for d in "${DCS[@]}"; do
    for vm in ${VMS[$d]}; do
      IFS=: read -r name vlan addr gw <<<"$vm"
      # a VM whose gateway OVN is (a logical gateway, no address on the ToR) reaches it only after site.yml
      tor_gateway "$d" "$gw" || continue
      check "dc$d $name (${addr%/*}, VLAN $vlan) pings its gateway $gw" vm_ping "$d" "$name" "$gw"
    done
  done
  check "dc2 vm101 -> dc1 vm101 over the stretched VLAN 101" vm_ping 2 vm101 10.101.0.201
  check "dc3 vm103 -> dc1 vm101 (routed through the host)" vm_ping 3 vm103 10.101.0.201
  check "dc1-n1 -> dc3-n1 mgmt (10.90.1.11 -> 10.90.3.11)" node_run 1 1 ping -c 2 -W 2 10.90.3.11
  check "dc1-n1 -> dc2-n3 underlay gateway 10.91.2.1" node_run 1 1 ping -c 2 -W 2 10.91.2.1
  check "dc2-n2 -> dc1-n3 mgmt" node_run 2 2 ping -c 2 -W 2 10.90.1.13
  [ "$FAILED" = 0 ] || die "verify-connect: failures"
  log "verify-connect: all passed"
}

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

cmd_tor() {  # cmd_tor D CMD...
  [ $# -ge 2 ] || usage
  local d=$1; shift
  running "$(tor_name "$d")" || die "$(tor_name "$d") is not running"
  inside "$(pid_of "$(tor_name "$d")")" "$@"
}
cmd_vm() {  # cmd_vm D NAME CMD...
  [ $# -ge 3 ] || usage
  local d=$1 name=$2; shift 2
  running "$(tor_name "$d")" || die "$(tor_name "$d") is not running"
  inside "$(pid_of "$(tor_name "$d")")" ip netns exec "$name" "$@"
}

# One up/down at a time. A directory lock with the owner's pid, not flock: the daemons that
# `up` starts (conmon, the mirror server) would inherit a flock descriptor and hold it forever.
lock() {
  local dir=$STATE/lock.d owner deadline=$((SECONDS + 600))
  mkdir -p "$STATE"
  while ! mkdir "$dir" 2>/dev/null; do
    owner=$(cat "$dir/pid" 2>/dev/null || true)
    if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
      rm -rf "$dir"          # its owner died
      continue
    fi
    [ $SECONDS -lt $deadline ] || die "another lab.sh up/down (pid ${owner:-?}) holds $dir"
    sleep 0.5
  done
  echo $$ >"$dir/pid"
  trap 'rm -rf "$STATE/lock.d"' EXIT
}

case "${1:-}" in
  up) lock; cmd_up ;;
  down) shift; lock; cmd_down "$@" ;;
  status) cmd_status ;;
  verify-connect|verify) cmd_verify_connect ;;
  tor) shift; cmd_tor "$@" ;;
  vm) shift; cmd_vm "$@" ;;
  *) usage ;;
esac
