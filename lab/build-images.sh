#!/usr/bin/env bash
# Build everything the lab needs, offline from then on, for one Debian suite (SUITE, default bookworm):
#   1. localhost/tridc-node:SUITE  debootstrap (minbase) + systemd + sshd + python3, no OVS/OVN
#   2. lab/.cache/mirror/           (bookworm) or lab/.cache/mirror-SUITE/ (other suites): flat apt
#                                   repository with OVS/OVN and every missing dependency; for a suite
#                                   that the lab upgrades to (trixie), also everything a node of the
#                                   previous suite (bookworm) needs to dist-upgrade offline
#   3. localhost/tridc-tor:SUITE   node image + openvswitch-switch (lab infrastructure)
# Each step is skipped when its output exists; FORCE=1 rebuilds all of them.
# Packages come from the Debian mirror configured in this host's apt sources (read at runtime; for a
# suite the host does not list, the same archives with the suite name replaced).
#
#   lab/build-images.sh                   # bookworm: build what is missing
#   SUITE=trixie lab/build-images.sh      # trixie (builds what bookworm lacks first: the upgrade set needs it)
#   FORCE=1 lab/build-images.sh           # rebuild everything (of that suite)
#   SUITE=trixie CHECK_UPGRADE=1 lab/build-images.sh
#                                         # ... and prove the offline upgrade: a bookworm node with OVS/OVN
#                                         # from the bookworm mirror dist-upgrades from the trixie mirror alone
set -euo pipefail

LAB=$(cd "$(dirname "$0")" && pwd)
CACHE=$LAB/.cache
SUITE=${SUITE:-bookworm}
FORCE=${FORCE:-0}
CHECK_UPGRADE=${CHECK_UPGRADE:-0}
# Suites the lab knows, and the suite each one is upgraded from (its mirror also holds that upgrade).
case $SUITE in
  bookworm) UPGRADE_FROM= ;;
  trixie)   UPGRADE_FROM=bookworm ;;
  *) echo "SUITE=$SUITE: the lab knows bookworm and trixie" >&2; exit 2 ;;
esac
# bookworm keeps the original names (lab.sh and the molecule scenarios use them)
mirror_dir_of() { if [ "$1" = bookworm ]; then echo "$CACHE/mirror"; else echo "$CACHE/mirror-$1"; fi; }
SFX=; [ "$SUITE" = bookworm ] || SFX=-$SUITE    # suffix of the build's scratch paths and containers
MIRROR_DIR=$(mirror_dir_of "$SUITE")
NODE_IMAGE=${NODE_IMAGE:-localhost/tridc-node:$SUITE}
TOR_IMAGE=${TOR_IMAGE:-localhost/tridc-tor:$SUITE}
FROM_NODE_IMAGE=localhost/tridc-node:$UPGRADE_FROM
FROM_MIRROR_DIR=$(mirror_dir_of "${UPGRADE_FROM:-none}")
# Both suites boot with the same command. On this host's cgroup v1, trixie's systemd 257 only marks
# itself tainted ("cgroupsv1"); systemd 258 and later (forky) refuse to boot there.
NODE_CMD='["/sbin/init"]'

# Packages in the node image (no OVS/OVN: the roles install those from the mirror).
NODE_PACKAGES=(systemd systemd-sysv dbus python3 python3-apt openssh-server iproute2
               iputils-ping ethtool tcpdump procps ca-certificates)
# Packages the roles install from the mirror (plus their dependencies); extend with
# EXTRA_MIRROR_PACKAGES="a b c".
MIRROR_PACKAGES=(openvswitch-switch openvswitch-common ovn-central ovn-host ovn-common
                 ovn-ic ovn-ic-db python3-openvswitch nftables)
read -r -a EXTRA <<<"${EXTRA_MIRROR_PACKAGES:-}"
MIRROR_PACKAGES+=("${EXTRA[@]}")

log() { printf '[build %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

[ "$(id -u)" = 0 ] || die "run as root"
for tool in debootstrap podman dpkg-scanpackages python3 gzip sha256sum; do
  command -v "$tool" >/dev/null || die "missing $tool (scripts/setup.sh installs it)"
done
mkdir -p "$CACHE"

# Debian sources of this host, as "URI SUITE" lines for suites SUITE, SUITE-updates and
# SUITE-security (one-line .list and deb822 .sources formats). When the host lists no SUITE
# source, its own release's Debian sources (VERSION_CODENAME) are used with the suite renamed.
host_debian_sources() {
  python3 - "$SUITE" <<'PY'
import glob, re, sys
suite = sys.argv[1]
host = ''
try:
    for line in open('/etc/os-release'):
        if line.startswith('VERSION_CODENAME='):
            host = line.split('=', 1)[1].strip().strip('"')
except OSError:
    pass
want = re.compile(r'^(%s|%s)(-updates|-security)?$' % (re.escape(suite), re.escape(host or suite)))
entries = []
def add(types, uris, suites, comps):
    if 'deb' not in types:
        return
    for u in uris:
        if not re.match(r'^https?://', u):
            continue
        for s in suites:
            if want.match(s) and 'main' in comps:
                entries.append((u.rstrip('/'), s))
files = ['/etc/apt/sources.list'] + sorted(glob.glob('/etc/apt/sources.list.d/*.list'))
for f in files:
    try:
        lines = open(f).read().splitlines()
    except OSError:
        continue
    for line in lines:
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        line = re.sub(r'\[[^\]]*\]', ' ', line)   # drop [options]
        w = line.split()
        if len(w) >= 4:
            add([w[0]], [w[1]], [w[2]], w[3:])
for f in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
    try:
        text = open(f).read()
    except OSError:
        continue
    for stanza in re.split(r'\n\s*\n', text):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith('#') or not line.strip():
                continue
            if line[0] in ' \t' and key:
                fields[key] += ' ' + line.strip()
                continue
            if ':' in line:
                key, val = line.split(':', 1)
                key = key.strip().lower()
                fields[key] = val.strip()
        if fields.get('enabled', 'yes').lower() == 'no':
            continue
        add(fields.get('types', '').split(), fields.get('uris', '').split(),
            fields.get('suites', '').split(), fields.get('components', '').split())
if not any(s.split('-')[0] == suite for u, s in entries):
    entries = [(u, suite + s[len(host):]) for u, s in entries]
entries = [(u, s) for u, s in entries if s.split('-')[0] == suite]
seen = set()
for u, s in entries:
    if (u, s) not in seen:
        seen.add((u, s))
        print(u, s)
PY
}

SOURCES=$(host_debian_sources)
[ -n "$SOURCES" ] || die "no Debian $SUITE source found in /etc/apt/sources.list{,.d/}"
DEBIAN_URI=$(awk -v s="$SUITE" '$2 == s {print $1; exit}' <<<"$SOURCES")
[ -n "$DEBIAN_URI" ] || die "no source for suite $SUITE in the host's apt configuration"

# deb822 sources file for apt inside the build chroot/container (never stored in an image)
write_build_sources() {
  local out=$1 uri suite
  : >"$out"
  while read -r uri suite; do
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' \
      "$uri" "$suite" >>"$out"
  done <<<"$SOURCES"
}

image_exists() { podman image exists "$1"; }
image_id() { podman image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
drop_old_image() {  # drop_old_image OLD_ID NAME: remove the image NAME pointed to before (if unused)
  local old=$1 name=$2
  [ -n "$old" ] && [ "$old" != "$(image_id "$name")" ] || return 0
  podman rmi "$old" >/dev/null 2>&1 ||
    log "old $name image ${old:0:12} is still in use; lab.sh down removes it"
}

# ---------------------------------------------------------------- 1. node image
build_node_image() {
  local rootfs=$CACHE/rootfs-node$SFX include
  rm -rf "$rootfs"
  include=$(IFS=,; echo "${NODE_PACKAGES[*]}")
  log "debootstrap $SUITE (minbase) from $DEBIAN_URI"
  debootstrap --variant=minbase --include="$include" "$SUITE" "$rootfs" "$DEBIAN_URI" \
    >"$CACHE/debootstrap$SFX.log" 2>&1 || { tail -20 "$CACHE/debootstrap$SFX.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap$SFX.log)"; }

  log "configure rootfs"
  # no apt sources in the image: the roles point apt at the lab mirror
  rm -f "$rootfs/etc/apt/sources.list" "$rootfs"/etc/apt/sources.list.d/*
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  # units that make no sense in a container
  local unit
  for unit in systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
              systemd-udev-trigger.service systemd-udev-settle.service getty.target \
              console-getty.service systemd-logind.service sys-kernel-config.mount \
              sys-kernel-debug.mount sys-kernel-tracing.mount systemd-remount-fs.service \
              apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
              systemd-firstboot.service; do
    ln -sfn /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  # journald: small and in memory
  mkdir -p "$rootfs/etc/systemd/journald.conf.d"
  printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=16M\n' \
    >"$rootfs/etc/systemd/journald.conf.d/tridc-lab.conf"
  # sshd: enabled, one ed25519 host key generated per container on first start
  rm -f "$rootfs"/etc/ssh/ssh_host_*
  mkdir -p "$rootfs/etc/ssh/sshd_config.d" "$rootfs/etc/systemd/system/ssh.service.d"
  printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nPermitRootLogin prohibit-password\nUseDNS no\n' \
    >"$rootfs/etc/ssh/sshd_config.d/tridc-lab.conf"
  cat >"$rootfs/etc/systemd/system/ssh.service.d/tridc-lab.conf" <<'EOF'
[Service]
ExecStartPre=
ExecStartPre=/bin/sh -c 'test -s /etc/ssh/ssh_host_ed25519_key || /usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key'
ExecStartPre=/usr/sbin/sshd -t
EOF
  mkdir -p "$rootfs/etc/systemd/system/multi-user.target.wants"
  ln -sfn /lib/systemd/system/ssh.service "$rootfs/etc/systemd/system/multi-user.target.wants/ssh.service"
  echo 'd /run/sshd 0755 root root -' >"$rootfs/etc/tmpfiles.d/sshd-privsep.conf"
  install -d -m 0700 "$rootfs/root/.ssh"
  # per-container machine-id, generated by systemd at boot
  : >"$rootfs/etc/machine-id"
  rm -f "$rootfs/var/lib/dbus/machine-id"
  echo tridc-node >"$rootfs/etc/hostname"

  log "import $NODE_IMAGE"
  local old; old=$(image_id "$NODE_IMAGE")
  tar -C "$rootfs" --numeric-owner -c . |
    podman import -q --change "CMD=$NODE_CMD" --change STOPSIGNAL=SIGRTMIN+3 \
      --change LABEL=tridc.lab.image=node \
      --message "tridc lab node ($SUITE minbase)" - "$NODE_IMAGE" >/dev/null
  drop_old_image "$old" "$NODE_IMAGE"
  rm -rf "$rootfs"
}

# ---------------------------------------------------------------- 2. package mirror
# Runs the node image with the host's network, resolves the mirror packages against the
# image's dpkg state, and downloads exactly what is missing.
build_mirror() {
  local tmp=$CACHE/mirror$SFX.tmp srcfile=$CACHE/build$SFX.sources
  rm -rf "$tmp"
  mkdir -p "$tmp/partial"
  write_build_sources "$srcfile"
  log "download ${MIRROR_PACKAGES[*]} (+dependencies) from the host's Debian sources"
  podman run --rm --network host --name "tridc-build-mirror$SFX" \
    -v "$srcfile:/etc/apt/sources.list.d/build.sources:ro" \
    -v "$tmp:/out" \
    "$NODE_IMAGE" /bin/bash -euo pipefail -c '
      apt-get -qq update
      pkgs=()
      for p in "$@"; do
        if apt-cache show "$p" >/dev/null 2>&1; then pkgs+=("$p"); else echo "not in the archive, skipped: $p" >&2; fi
      done
      apt-get install -y -qq --download-only -o Dir::Cache::archives=/out "${pkgs[@]}" >/dev/null
      rm -rf /out/partial /out/lock' bash "${MIRROR_PACKAGES[@]}"
  if [ -n "$UPGRADE_FROM" ]; then
    log "$SUITE node image + OVS/OVN: $(find "$tmp" -maxdepth 1 -name '*.deb' | wc -l) packages"
    download_upgrade_set "$tmp" "$srcfile"
  fi
  ls "$tmp"/*.deb >/dev/null 2>&1 || die "no packages downloaded"
  (cd "$tmp" && dpkg-scanpackages -m . /dev/null >Packages 2>/dev/null && gzip -9nc Packages >Packages.gz)
  write_release "$tmp"
  if [ -d "$MIRROR_DIR" ] && command -v rsync >/dev/null; then
    # update in place: running containers (molecule) may have the directory bind-mounted
    rsync -a --delete "$tmp/" "$MIRROR_DIR/"
    rm -rf "$tmp"
  else
    rm -rf "$MIRROR_DIR"
    mv "$tmp" "$MIRROR_DIR"
  fi
  rm -f "$srcfile"
  printf '%s\n' "${MIRROR_PACKAGES[@]}" >"$MIRROR_DIR/.packages"
  log "mirror: $(find "$MIRROR_DIR" -maxdepth 1 -name '*.deb' | wc -l) packages, $(du -sh "$MIRROR_DIR" | cut -f1)"
}

# The upgrade set: a throwaway container of the previous suite's node image installs the mirror
# packages from that suite's mirror (offline, like a lab node that ran the roles), then points apt at
# SUITE and downloads what "apt-get dist-upgrade" needs: the SUITE version of every installed package,
# the OVS/OVN set included, and every new dependency. An air-gapped node upgrades from this mirror.
download_upgrade_set() {  # download_upgrade_set OUT_DIR SOURCES_FILE
  local out=$1 srcfile=$2
  log "upgrade set: $FROM_NODE_IMAGE + OVS/OVN from $FROM_MIRROR_DIR, dist-upgrade to $SUITE (download only)"
  podman run --rm --network host --name "tridc-build-upgrade$SFX" \
    -v "$srcfile:/srv/to.sources:ro" -v "$FROM_MIRROR_DIR:/srv/from-mirror:ro" -v "$out:/out" \
    "$FROM_NODE_IMAGE" /bin/bash -euo pipefail -c '
      export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
      printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
      echo "deb [trusted=yes] file:/srv/from-mirror ./" >/etc/apt/sources.list.d/from.list
      apt-get -qq update
      pkgs=()
      for p in "$@"; do apt-cache show "$p" >/dev/null 2>&1 && pkgs+=("$p"); done
      apt-get install -y -qq "${pkgs[@]}" >/dev/null
      rm /etc/apt/sources.list.d/from.list
      cp /srv/to.sources /etc/apt/sources.list.d/to.sources
      apt-get -qq update
      apt-get dist-upgrade -y -qq --download-only -o Dir::Cache::archives=/out >/dev/null
      rm -rf /out/partial /out/lock' bash "${MIRROR_PACKAGES[@]}"
}

# CHECK_UPGRADE=1: the proof that the mirror is enough. A previous-suite node (no network) installs
# OVS/OVN from its own mirror, then dist-upgrades with the SUITE mirror as its only source.
check_upgrade() {
  log "check: offline dist-upgrade $UPGRADE_FROM -> $SUITE from $MIRROR_DIR alone"
  podman run --rm --network none --name "tridc-build-check$SFX" \
    -v "$FROM_MIRROR_DIR:/srv/from-mirror:ro" -v "$MIRROR_DIR:/srv/to-mirror:ro" \
    "$FROM_NODE_IMAGE" /bin/bash -euo pipefail -c '
      export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
      printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
      echo "deb [trusted=yes] file:/srv/from-mirror ./" >/etc/apt/sources.list.d/lab.list
      apt-get -qq update
      apt-get install -y -qq "$@" >/dev/null
      echo "before: $(. /etc/os-release; echo "$PRETTY_NAME") ovn-common $(dpkg-query -Wf "\${Version}" ovn-common) openvswitch-common $(dpkg-query -Wf "\${Version}" openvswitch-common)"
      echo "deb [trusted=yes] file:/srv/to-mirror ./" >/etc/apt/sources.list.d/lab.list
      apt-get -qq update
      apt-get dist-upgrade -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold >/tmp/upgrade.log 2>&1 ||
        { tail -30 /tmp/upgrade.log; exit 1; }
      echo "after:  $(. /etc/os-release; echo "$PRETTY_NAME") ovn-common $(dpkg-query -Wf "\${Version}" ovn-common) openvswitch-common $(dpkg-query -Wf "\${Version}" openvswitch-common)"
      left=$(dpkg-query -Wf "\${Package}=\${Version}\n" | grep "deb12" | tr "\n" " " || true)
      echo "left at a deb12 version (gone from the new suite: kept, not removed): ${left:-none}"
      apt-get -s dist-upgrade | grep -E "^[0-9]+ upgraded"' bash ovn-central ovn-host ovn-ic ovn-ic-db openvswitch-switch python3-openvswitch
}

write_release() {  # a minimal Release file for the flat repository
  local dir=$1 f
  {
    echo "Origin: tridc-lab"
    echo "Label: tridc-lab"
    echo "Date: $(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S UTC')"
    echo "SHA256:"
    for f in Packages Packages.gz; do
      printf ' %s %s %s\n' "$(sha256sum "$dir/$f" | cut -d' ' -f1)" "$(stat -c %s "$dir/$f")" "$f"
    done
  } >"$dir/Release"
}

# ---------------------------------------------------------------- 3. ToR image
build_tor_image() {
  local ctr=tridc-build-tor$SFX
  podman rm -f "$ctr" >/dev/null 2>&1 || true
  log "install openvswitch-switch from the mirror into $TOR_IMAGE"
  podman run --name "$ctr" --network none -v "$MIRROR_DIR:/mirror:ro" \
    "$NODE_IMAGE" /bin/bash -euo pipefail -c '
      printf "#!/bin/sh\nexit 101\n" >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
      echo "deb [trusted=yes] file:/mirror ./" >/etc/apt/sources.list.d/lab.list
      apt-get -qq update
      DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes apt-get install -y -qq --no-install-recommends openvswitch-switch >/dev/null
      rm -f /etc/apt/sources.list.d/lab.list /usr/sbin/policy-rc.d
      rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
      systemctl enable openvswitch-switch.service >/dev/null 2>&1
      systemctl disable ssh.service >/dev/null 2>&1
      echo tridc-tor >/etc/hostname'
  local old; old=$(image_id "$TOR_IMAGE")
  podman commit -q --change "CMD=$NODE_CMD" --change STOPSIGNAL=SIGRTMIN+3 \
    --change LABEL=tridc.lab.image=tor "$ctr" "$TOR_IMAGE" >/dev/null
  podman rm -f "$ctr" >/dev/null
  drop_old_image "$old" "$TOR_IMAGE"
}

if [ "$FORCE" = 1 ] && [ -n "$(podman ps -aq --filter label=tridc.lab=1)" ]; then
  log "note: lab containers exist; they keep running on the previous images until lab.sh down/up"
fi
T0=$(date +%s.%N)
if [ -n "$UPGRADE_FROM" ]; then   # the upgrade set is computed against the previous suite's node
  if ! image_exists "$FROM_NODE_IMAGE" || [ ! -s "$FROM_MIRROR_DIR/Packages.gz" ]; then
    log "$UPGRADE_FROM image or mirror missing: building them first"
    env -u NODE_IMAGE -u TOR_IMAGE SUITE="$UPGRADE_FROM" FORCE=0 CHECK_UPGRADE=0 "$0"
  fi
fi
rebuilt=0
if [ "$FORCE" = 1 ] || ! image_exists "$NODE_IMAGE"; then
  t=$(date +%s.%N); build_node_image; log "node image: $(elapsed "$t") s"; rebuilt=1
else
  log "node image $NODE_IMAGE exists (FORCE=1 rebuilds)"
fi
# the mirror is computed against the node image's packages: rebuild it with the image
# the mirror is made again when the package list changed (its .packages is the list it was made for)
if [ "$FORCE" = 1 ] || [ "$rebuilt" = 1 ] || [ ! -s "$MIRROR_DIR/Packages.gz" ] ||
   [ "$(cat "$MIRROR_DIR/.packages" 2>/dev/null)" != "$(printf '%s\n' "${MIRROR_PACKAGES[@]}")" ]; then
  t=$(date +%s.%N); build_mirror; log "mirror: $(elapsed "$t") s"; rebuilt=1
else
  log "mirror $MIRROR_DIR exists"
fi
if [ "$FORCE" = 1 ] || [ "$rebuilt" = 1 ] || ! image_exists "$TOR_IMAGE"; then
  t=$(date +%s.%N); build_tor_image; log "ToR image: $(elapsed "$t") s"
else
  log "ToR image $TOR_IMAGE exists"
fi
if [ "$CHECK_UPGRADE" = 1 ] && [ -n "$UPGRADE_FROM" ]; then
  t=$(date +%s.%N); check_upgrade; log "upgrade check: $(elapsed "$t") s"
fi
log "done in $(elapsed "$T0") s"
