#!/usr/bin/env bash
# Fault suite: webhook deliveries stay exactly-once when things break. Each part prints its figures and
# fails (exit 1) only on a violation: a delivery answered 2xx and not stored, an effect twice or without
# its delivery, a second lead, a valid delivery refused. Never on timings.
#  (a) tests/fault/deliveries.php: N distinct signed deliveries (two bookings per person), --concurrency
#      at a time through nginx + php-fpm; MariaDB SIGKILLed a third of the way in and restarted, php-fpm
#      workers SIGKILLed mid-request later; the sender retries 5xx and connection errors with backoff.
#  (b) tests/fault/storms.php: two web nodes (two php-fpm pools behind two nginx ports) on one MariaDB:
#      50 identical deliveries at once split over both, per round; and a BOOKING_CREATED and a
#      BOOKING_PAID of one new booking at once, one to each node. One effect each.
#  (c) the same on a 3-node MariaDB Galera cluster on loopback, web node 1 writing to database node 1 and
#      web node 2 to database node 2: the storms, then (a) over both web nodes with database node 1
#      SIGKILLed (it rejoins from its recovered position). Galera's conflict counters are printed.
#
# Usage: bash scripts/fault.sh [--deliveries=N] [--galera-deliveries=N] [--rounds=N] [--concurrency=N]
#                              [--engine native|php] [--parts=abc] [--no-galera]
#   defaults: 3000 deliveries, 600 on Galera, 20 rounds, 12 at a time, engine native, every part (3 to 5
#   minutes on 2 quiet cores); the issue's size: --deliveries=10000.
# Settings (environment): SC_FAULT_DIR (default <repo>/.run/fault: one run dir per node inside it),
# SC_FAULT_DB_PORT (33401; Galera nodes 2 and 3: 33403, 33405), SC_FAULT_HTTP_PORT (8301; web node 2 the
# next), SC_FAULT_GALERA_PORT (45601, odd; node i: group 45601 + 6(i-1), IST 2 above it, SST 4 above it),
# SC_SO and SC_PLUGIN_DIR as for scripts/stack.sh. Every daemon is started and stopped by
# scripts/stack.sh, by pid file; all of them are stopped at the end, passed or not.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

deliveries=3000 galera_deliveries=600 rounds=20 concurrency=12 engine=${SC_ENGINE:-native} parts=abc
while (($#)); do
  case $1 in
    --deliveries=*) deliveries=${1#*=} ;;
    --galera-deliveries=*) galera_deliveries=${1#*=} ;;
    --rounds=*) rounds=${1#*=} ;;
    --concurrency=*) concurrency=${1#*=} ;;
    --engine=*) engine=${1#*=} ;;
    --engine) engine=${2:-}; shift ;;
    --parts=*) parts=${1#*=} ;;
    --no-galera) parts=${parts//c/} ;;
    -h | --help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'fault: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
  shift
done

FAULT=$(realpath -m "${SC_FAULT_DIR:-$repo/.run/fault}")
DB_PORT=${SC_FAULT_DB_PORT:-33401}
HTTP_PORT=${SC_FAULT_HTTP_PORT:-8301}
GALERA_PORT=${SC_FAULT_GALERA_PORT:-45601}
NODE1=$FAULT/node1 WEB2=$FAULT/web2
started=$(date +%s)

step() { printf '\n==> fault: %s\n' "$*"; }

# Ports of database node $1 and of its Galera group, IST and SST listeners, all odd: connect() takes even
# ephemeral ports here (Linux), and a client's TIME_WAIT on a port Galera wants to listen on made a joiner
# fail to start ("bind: Address already in use").
db_port() { printf '%s' "$((DB_PORT + 2 * ($1 - 1)))"; }
galera_port() { printf '%s' "$((GALERA_PORT + 6 * ($1 - 1)))"; }

# Settings of web node 1 (its own MariaDB: database node 1), web node 2, and database nodes 2 and 3.
node1_env() { printf '%s\n' "SC_RUN_DIR=$NODE1" "SC_DB_PORT=$DB_PORT" "SC_HTTP_PORT=$HTTP_PORT"; }
web2_env() { printf '%s\n' "SC_RUN_DIR=$WEB2" "SC_DB_PORT=$1" "SC_HTTP_PORT=$((HTTP_PORT + 1))"; }
db_env() { printf '%s\n' "SC_RUN_DIR=$FAULT/db$1" "SC_DB_PORT=$(db_port "$1")"; }

# on SETTINGS_FUNCTION [ARG...] -- STACK_ARGS...: scripts/stack.sh for one node (extra mariadbd options
# in $extra_opts).
on() {
  local call=() settings=()
  while [[ $1 != -- ]]; do call+=("$1"); shift; done
  shift
  mapfile -t settings < <("${call[@]}")
  env "${settings[@]}" SC_DB_EXTRA_OPTS="${extra_opts:-}" bash scripts/stack.sh "$@"
}

# The wsrep options of Galera node $1 (platform notes: "MariaDB Galera on loopback").
galera_opts() {
  local i=$1 g cluster
  g=$(galera_port "$1")
  cluster="gcomm://127.0.0.1:$(galera_port 1),127.0.0.1:$(galera_port 2),127.0.0.1:$(galera_port 3)"
  printf '%s ' --binlog-format=ROW --innodb-autoinc-lock-mode=2 --wsrep-on=ON \
    --wsrep-provider=/usr/lib/galera/libgalera_smm.so --wsrep-cluster-name=solar_capture_fault \
    --wsrep-cluster-address="$cluster" --wsrep-node-name="node$i" --wsrep-node-address="127.0.0.1:$g" \
    --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$((g + 4))" \
    "--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:$g;ist.recv_addr=127.0.0.1:$((g + 2));gcache.size=64M"
}

# A node that shares node 1's database gets its secrets (the database password above all).
share_secrets() {
  mkdir -p "$1"
  cp "$NODE1/db-password" "$NODE1/wp-salts.php" "$NODE1/admin-password" "$1/"
}

# Galera's own figures on every database node (counters since that node started), and the conflicts
# WordPress logged on the web nodes (each one an attempt the plugin rolled back and ran again or answered 503).
galera_figures() {
  local i sock figures=""
  for i in 1 2 3; do
    sock=$FAULT/db$i/mysqld.sock
    ((i > 1)) || sock=$NODE1/mysqld.sock
    figures+=$(mariadb --no-defaults --socket="$sock" -uroot -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_local_cert_failures', 'wsrep_local_bf_aborts')" |
      awk -v n="$i" '{ v[$1] = $2 } END { printf "  node %s: cluster size %s, certification failures %s, aborted by replication %s;", n, v["wsrep_cluster_size"], v["wsrep_local_cert_failures"], v["wsrep_local_bf_aborts"] }')
  done
  printf 'Galera:%s\n  deadlock errors (certification conflicts) logged by WordPress on the web nodes so far: %s\n' "$figures" \
    "$(cat "$NODE1/logs/wp-debug.log" "$WEB2/logs/wp-debug.log" 2>/dev/null | grep 'Deadlock found' | grep -vc 'for query ROLLBACK')"
}

stop_all() {
  local i
  on web2_env "$DB_PORT" -- stop >/dev/null 2>&1 || true
  for i in 3 2; do on db_env "$i" -- stop >/dev/null 2>&1 || true; done
  on node1_env -- stop >/dev/null 2>&1 || true
}
finish() {
  local rc=$?
  stop_all
  if ((rc == 0)); then
    printf '\nfault: every part passed in %ss\n' "$(($(date +%s) - started))"
  else
    printf '\nfault: FAILED (exit %d) after %ss; logs under %s/*/logs\n' "$rc" "$(($(date +%s) - started))" "$FAULT" >&2
  fi
}
trap finish EXIT

# deliveries DB_PID_FILE N LABEL URL...: part (a)'s driver; the killed database is node 1's, restarted by
# scripts/stack.sh start with the extra mariadbd options in $restart_opts.
deliveries() {
  local pid_file=$1 n=$2 label=$3 urls settings=() restart fpm_pids="$NODE1/php-fpm/php-fpm.pid"
  shift 3
  urls=$(IFS=,; printf '%s' "$*")
  (($# > 1)) && fpm_pids+=",$WEB2/php-fpm/php-fpm.pid"
  mapfile -t settings < <(node1_env)
  restart=$(printf '%q ' env "${settings[@]}" "SC_DB_EXTRA_OPTS=${restart_opts:-}" bash scripts/stack.sh start --engine "$engine")
  restart="for try in 1 2 3; do $restart && exit 0; sleep 1; done; exit 1" # See up_to_3_times.
  php tests/fault/deliveries.php --deliveries="$n" --concurrency="$concurrency" --urls="$urls" --label="$label" \
    --db-pid-file="$pid_file" --restart-db="$restart" --fpm-pid-files="$fpm_pids"
}

# up_to_3_times COMMAND...: now and then a Galera node fails to start for no reason of ours ("Failed to
# read thread schedparams ... No such process", or rsync's daemon gone): started again, it joins.
up_to_3_times() {
  local try
  for try in 1 2 3; do
    "$@" && return 0
    ((try < 3)) && printf 'fault: starting it again (%d of 3)\n' "$((try + 1))" >&2
  done
  return 1
}

part_a() {
  step "(a) $deliveries deliveries, $concurrency at a time: MariaDB SIGKILLed a third of the way in, php-fpm workers later"
  restart_opts="" deliveries "$NODE1/mysqld.pid" "$deliveries" "one web node, one database" "$url1"
}

part_b() {
  step "(b) two web nodes on one MariaDB: duplicate storms and CREATED + PAID at once, $rounds rounds"
  extra_opts="" on web2_env "$DB_PORT" -- start --web-only --engine "$engine"
  php tests/fault/storms.php --urls="$url1,$url2" --rounds="$rounds" --label="two web nodes, one database"
  on web2_env "$DB_PORT" -- stop >/dev/null
}

# rsync's daemon (a state transfer, and the end of an incremental one) writes into a joiner's datadir as
# nobody when root started it (platform notes): each datadir belongs to nobody, what is inside to root.
joinable() { if [[ $(id -u) -eq 0 ]]; then chown nobody: "$1"; fi; }

part_c() {
  local i
  step "(c) a 3-node MariaDB Galera cluster on loopback: web node 1 on database node 1, web node 2 on database node 2"
  on node1_env -- stop >/dev/null
  joinable "$NODE1/mysql"
  extra_opts="$(galera_opts 1) --wsrep-new-cluster" up_to_3_times on node1_env -- start --engine "$engine"
  for i in 2 3; do
    share_secrets "$FAULT/db$i"
    rm -rf "$FAULT/db$i/mysql" && mkdir -p "$FAULT/db$i/mysql" # Empty: filled by a state transfer.
    joinable "$FAULT/db$i/mysql"
    extra_opts="$(galera_opts "$i")" up_to_3_times on db_env "$i" -- start --db-only
  done
  galera_figures
  extra_opts="" on web2_env "$(db_port 2)" -- start --web-only --engine "$engine"
  php tests/fault/storms.php --urls="$url1,$url2" --rounds="$rounds" --label="Galera, two web nodes on two database nodes"
  galera_figures
  restart_opts=$(galera_opts 1) deliveries "$NODE1/mysqld.pid" "$galera_deliveries" "Galera, database node 1 killed" "$url1" "$url2"
  galera_figures
}

url1="http://127.0.0.1:$HTTP_PORT" url2="http://127.0.0.1:$((HTTP_PORT + 1))"
stop_all
rm -rf "$NODE1" "$WEB2" "$FAULT/db2" "$FAULT/db3" # From scratch: no data or Galera state of an earlier run.
step "web node 1 + its MariaDB (engine $engine), fresh database"
extra_opts="" on node1_env -- start --engine "$engine"
extra_opts="" on node1_env -- reset-db
eval "$(on node1_env -- env)"
# The lead index complete from the start (the walk activation schedules can lose its WP-Cron event to a
# concurrent cron run): the index's state at the end then shows what the faults did to it.
php tests/bench/scale-wp.php reindex >/dev/null
share_secrets "$WEB2"
if [[ $parts == *a* ]]; then part_a; fi
if [[ $parts == *b* ]]; then part_b; fi
if [[ $parts == *c* ]]; then part_c; fi
