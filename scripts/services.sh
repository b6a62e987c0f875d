#!/usr/bin/env bash
# The two engines the fleet and the vault run on, started on loopback from an empty folder: a
# Redis server (the capture queue) and a one-node Ceph cluster with its S3 gateway (the vault:
# one mon, one OSD on memstore, radosgw's beast frontend, cephx). Shared by the tests (vitest's
# global setup, tests/support/services.ts) and .ci/run; by hand:
#
#   scripts/services.sh start DIR   # prints the environment to use, also written to DIR/env
#   scripts/services.sh stop DIR    # gateway, then OSD, then mon, then Redis
#
# DIR/env sets PROOFLINE_TEST_QUEUE (redis://…), AWS_ENDPOINT_URL_S3, AWS_REGION,
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. The memstore OSD keeps everything in memory
# (CEPH_MEMSTORE_BYTES, default 6 GiB, is its ceiling, not an allocation). What a one-node
# cluster needs and why is in docs/FLEET.md.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() { # seconds, description, command...
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "services: $what did not come up within ${seconds}s (logs in $dir/log)" >&2
      return 1
    fi
    sleep 0.1
  done
}

stop_pid() { # pidfile
  local file=$1
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file" 2>/dev/null || true)
  rm -f "$file"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

case "$cmd" in
  stop)
    # Gateway first, then the OSD (memstore writes its contents out on a clean stop), then mon.
    stop_pid "$dir/run/client.rgw.a.pid"
    stop_pid "$dir/run/osd.0.pid"
    stop_pid "$dir/run/mon.a.pid"
    if [ -f "$dir/run/redis.pid" ]; then stop_pid "$dir/run/redis.pid"; fi
    exit 0
    ;;
  status)
    [ -f "$dir/env" ] && cat "$dir/env"
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 start|stop|status DIR" >&2
    exit 2
    ;;
esac

for tool in redis-server ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool python3; do
  command -v "$tool" >/dev/null || {
    echo "services: $tool is not installed (Debian: apt-get install redis-server ceph-mon ceph-osd radosgw ceph-common)" >&2
    exit 1
  }
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -rf "$dir/mon" "$dir/osd" "$dir/run" "$dir/log" "$dir/redis" "$dir"/*.keyring "$dir/monmap" "$dir/env"
mkdir -p "$dir/mon" "$dir/osd" "$dir/run" "$dir/log" "$dir/redis"

redis_port=$(free_port)
mon_port=$(free_port)
rgw_port=$(free_port)
fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')

# --- Redis -----------------------------------------------------------------------------------
# appendonly: a job the queue accepted survives a Redis restart (docs/FLEET.md).
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir/redis" --daemonize yes \
  --pidfile "$dir/run/redis.pid" --logfile "$dir/log/redis.log" --appendonly yes --save '' \
  --maxmemory-policy noeviction
wait_for 10 "redis-server" redis-cli -p "$redis_port" ping

# --- Ceph ------------------------------------------------------------------------------------
conf=$dir/ceph.conf
cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_port]
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/\$name.keyring
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
paxos propose interval = 0.05
mon data = $dir/mon/\$name
osd data = $dir/osd/\$name
osd objectstore = memstore
memstore device bytes = ${CEPH_MEMSTORE_BYTES:-6442450944}
osd fast shutdown = false
osd max object size = 1073741824
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw thread pool size = 64
rgw enable usage log = false
# Test-bed tuning for reading big objects on one loopback box (bench/vault-verify.mjs); production
# gateways are configured by their owners. The messenger's CRC32C of every header and payload
# guards against corruption on a real network; on loopback between processes of one machine it
# only spends the CPU the client and the hashing share (the objects' own SHA-256 in the archive
# is what verify checks, not this).
ms crc data = false
ms crc header = false
# Fewer, larger RADOS reads per GET (defaults 4 MiB chunks, 16 MiB window, 4 MiB per request):
# each read is a round trip through the messenger, on the same two cores.
rgw max chunk size = 16777216
rgw get obj window size = 67108864
rgw get obj max req size = 16777216
# Debug logs gathered in memory for every op cost CPU even when nothing is written; off here
# (level 0 still writes errors to log/*.log).
debug rgw = 0/0
debug ms = 0/0
debug osd = 0/0
debug objecter = 0/0
debug rados = 0/0
debug monc = 0/0
debug auth = 0/0
debug memstore = 0/0
debug bluestore = 0/0
debug filestore = 0/0
debug journal = 0/0
debug civetweb = 0/0
debug asok = 0/0
debug throttle = 0/0
debug finisher = 0/0
debug heartbeatmap = 0/0
debug perfcounter = 0/0
EOF
export CEPH_CONF=$conf

ceph-authtool --create-keyring "$dir/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring "$dir/client.admin.keyring" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$dir/mon.keyring" --import-keyring "$dir/client.admin.keyring" >/dev/null
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
mkdir -p "$dir/mon/mon.a"
ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/mon.keyring" -c "$conf" 2>>"$dir/log/setup.log"
ceph-mon -i a -c "$conf" 2>>"$dir/log/setup.log"
wait_for 20 "ceph-mon" ceph -c "$conf" --connect-timeout 2 mon stat

osd_uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
mkdir -p "$dir/osd/osd.0"
osd_id=$(ceph -c "$conf" osd new "$osd_uuid")
ceph-authtool --create-keyring "$dir/osd.$osd_id.keyring" --gen-key -n "osd.$osd_id" >/dev/null
ceph -c "$conf" auth add "osd.$osd_id" osd 'allow *' mon 'allow profile osd' -i "$dir/osd.$osd_id.keyring" 2>>"$dir/log/setup.log"
ceph-osd -i "$osd_id" -c "$conf" --mkfs --osd-uuid "$osd_uuid" 2>>"$dir/log/setup.log"
ceph-osd -i "$osd_id" -c "$conf" 2>>"$dir/log/setup.log"
wait_for 30 "ceph-osd" bash -c "ceph -c '$conf' osd dump | grep -q '^osd.0 up'"

# The gateway's pools, made up front so its first start does not wait on pool creation.
for pool in .rgw.root default.rgw.control default.rgw.meta default.rgw.log \
  default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec; do
  ceph -c "$conf" osd pool create "$pool" 8 8 >/dev/null 2>>"$dir/log/setup.log"
  ceph -c "$conf" osd pool application enable "$pool" rgw >/dev/null 2>>"$dir/log/setup.log"
done

ceph -c "$conf" auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' -o "$dir/client.rgw.a.keyring" 2>>"$dir/log/setup.log"
radosgw -n client.rgw.a -c "$conf" 2>>"$dir/log/setup.log"
wait_for 30 "radosgw" python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$rgw_port/', timeout=1)"

access_key=$(python3 -c 'import secrets; print("PL" + secrets.token_hex(9).upper())')
secret_key=$(python3 -c 'import secrets; print(secrets.token_urlsafe(30))')
radosgw-admin -c "$conf" user create --uid=proofline --display-name="Proofline tests" \
  --access-key="$access_key" --secret-key="$secret_key" >/dev/null 2>>"$dir/log/setup.log"

cat >"$dir/env" <<EOF
PROOFLINE_TEST_SERVICES=$dir
PROOFLINE_TEST_QUEUE=redis://127.0.0.1:$redis_port
AWS_ENDPOINT_URL_S3=http://127.0.0.1:$rgw_port
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=$access_key
AWS_SECRET_ACCESS_KEY=$secret_key
EOF
cat "$dir/env"
