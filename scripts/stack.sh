#!/usr/bin/env bash
# Local WordPress stack for Solar Capture: private MariaDB + php-fpm + nginx processes, all state under
# $SC_RUN_DIR (default <repo>/.run). Nothing is installed system-wide and no system service is used.
#
# Usage: bash scripts/stack.sh start [--engine native|php]   start (or complete) the stack
#        bash scripts/stack.sh start --web-only [--engine E] only php-fpm + nginx, on a database that runs
#                                                            elsewhere (127.0.0.1:SC_DB_PORT): a second web node
#        bash scripts/stack.sh start --db-only               only MariaDB (e.g. another node of a Galera cluster)
#        bash scripts/stack.sh stop                          stop what this project started
#        bash scripts/stack.sh status                        what runs, URLs, logs
#        bash scripts/stack.sh env                           `export` lines for tests: eval "$(scripts/stack.sh env)"
#        bash scripts/stack.sh reset-db                      fresh database + WordPress install + plugin activation
#        bash scripts/stack.sh activate                      (re-)link and activate the plugin
#
# Settings (environment): SC_RUN_DIR, SC_DB_PORT (33061), SC_HTTP_PORT (8089), SC_ADMIN_PASSWORD
# (default: generated once, kept in $SC_RUN_DIR/admin-password), SC_PLUGIN_DIR (default
# <repo>/wp-plugin/solar-capture), SC_SO (default <repo>/target/release/libsolar_capture.so),
# SC_ENGINE (default engine for `start` when --engine is not given; native), SC_DB_EXTRA_OPTS (more mariadbd
# options, separated by spaces, after those of mariadbd.opts.tmpl: e.g. wsrep settings).
# --web-only and --db-only nodes share the first node's database: copy its db-password, wp-salts.php and
# admin-password into their SC_RUN_DIR first (a sibling directory, not one inside the first node's).
#
# Every file written to the run dir comes from a template in scripts/stack/ (*.tmpl, `@NAME@`
# placeholders, see render below); this script only fills them in and supervises the daemons.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TEMPLATES=$repo/scripts/stack

RUN=$(realpath -m "${SC_RUN_DIR:-$repo/.run}")
DB_PORT=${SC_DB_PORT:-33061}
HTTP_PORT=${SC_HTTP_PORT:-8089}
PLUGIN_DIR=${SC_PLUGIN_DIR:-$repo/wp-plugin/solar-capture}
SO=${SC_SO:-$repo/target/release/libsolar_capture.so}
DB_NAME=solar_capture
DB_USER=solar_capture
ADMIN_USER="admin"
PLUGIN_SLUG=solar-capture
SITE_URL="http://127.0.0.1:$HTTP_PORT"
PHP_FPM=php-fpm8.2
FPM_POOL=solar_capture
FPM_WORKERS=8
# The plugin caps webhook bodies at 1 MiB and answers larger ones with its own 413 (JSON): nginx's limit
# on the webhook route is above that so the plugin gets to answer, yet refuses far larger bodies before
# PHP reads them. Elsewhere (uploads in wp-admin) the general limit applies.
CLIENT_MAX_BODY_SIZE=8m
WEBHOOK_MAX_BODY_SIZE=2m

LOGS=$RUN/logs
DATADIR=$RUN/mysql
DB_SOCK=$RUN/mysqld.sock
DB_PID=$RUN/mysqld.pid
WP_DIR=$RUN/wordpress
FPM_DIR=$RUN/php-fpm
FPM_CONF=$FPM_DIR/php-fpm.conf
FPM_PID=$FPM_DIR/php-fpm.pid
FPM_SOCK=$RUN/php-fpm.sock
FPM_ENGINE=$FPM_DIR/engine
FPM_SO=$FPM_DIR/libsolar_capture.so
NGINX_DIR=$RUN/nginx
NGINX_CONF=$NGINX_DIR/nginx.conf
NGINX_PID=$NGINX_DIR/nginx.pid
PROBE=$RUN/probe.php
WP_TOOL=$RUN/wp-tool.php

# ---------------------------------------------------------------------------------------------- helpers

log() { printf 'stack: %s\n' "$*"; }
warn() { printf 'stack: WARNING: %s\n' "$*" >&2; }
die() { printf 'stack: ERROR: %s\n' "$*" >&2; exit 1; }

# Milliseconds since the epoch (for the timings printed by start/reset-db).
now_ms() { date +%s%3N; }

# Prints the last lines of a log file, indented, to stderr (used on every failure).
show_log_tail() {
  local file=$1 lines=${2:-25}
  if [[ -s "$file" ]]; then
    printf -- '--- last %s lines of %s ---\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" | sed 's/^/    /' >&2
  else
    printf -- '--- %s is empty or missing ---\n' "$file" >&2
  fi
}

# render TEMPLATE [NAME=VALUE...]: prints scripts/stack/TEMPLATE with every `@NAME@` replaced by VALUE,
# literally and in one pass (a value containing `@X@` is not expanded again). Fails loudly, printing
# nothing, when the template has a placeholder without a value or a value names no placeholder (a typo).
# Placeholders are `@` + [A-Z][A-Z0-9_]* + `@`; any other `@` is plain text.
render() {
  local name=$1 file="$TEMPLATES/$1" text out="" pair key match
  shift
  [[ -f "$file" ]] || die "template $file is missing"
  IFS= read -r -d '' text <"$file" || true
  local -A values=() used=()
  for pair in "$@"; do
    key=${pair%%=*}
    [[ "$pair" == *=* && "$key" =~ ^[A-Z][A-Z0-9_]*$ ]] || die "render $name: bad argument '$pair' (want NAME=VALUE)"
    values[$key]=${pair#*=}
  done
  while [[ "$text" =~ @([A-Z][A-Z0-9_]*)@ ]]; do
    match=${BASH_REMATCH[0]} key=${BASH_REMATCH[1]}
    [[ -v "values[$key]" ]] || die "render $name: placeholder $match has no value ($file)"
    used[$key]=1
    out+=${text%%"$match"*}${values[$key]}
    text=${text#*"$match"}
  done
  out+=$text
  for key in "${!values[@]}"; do
    [[ -v "used[$key]" ]] || die "render $name: $key=... given, but $file has no @$key@"
  done
  printf '%s' "$out"
}

# render_to FILE TEMPLATE [NAME=VALUE...]: render into FILE (written only when rendering succeeded).
render_to() {
  local dest=$1 text
  shift
  text=$(render "$@"; printf x) || exit 1
  printf '%s' "${text%x}" >"$dest"
}

# A PHP single-quoted string literal.
php_quote() {
  local s=${1//\\/\\\\}
  s=${s//\'/\\\'}
  printf "'%s'" "$s"
}

# Random alphanumeric secret of length $1.
random_secret() {
  local s
  s=$(head -c 96 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9') || true
  printf '%s' "${s:0:$1}"
}

# The pid in a pid file when that process is alive AND belongs to this run dir (its command line names
# $RUN), so a stale pid reused by another program is never touched.
our_pid() {
  local pidfile=$1 pid
  [[ -r "$pidfile" ]] || return 1
  pid=$(tr -dc '0-9' <"$pidfile")
  [[ -n "$pid" ]] && alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$RUN" || return 1
  printf '%s' "$pid"
}

# Alive = exists and is not a zombie (on these machines pid 1 reaps orphans only every ~2 s).
alive() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until DESCRIPTION TIMEOUT_S LOGFILE PID_OR_EMPTY COMMAND...: polls COMMAND every 0.1 s; fails with
# the log tail when the time is up or when the (optional) process died meanwhile.
wait_until() {
  local what=$1 timeout=$2 logfile=$3 pid=$4
  shift 4
  local tries=$((timeout * 10)) i
  for ((i = 0; i < tries; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if [[ -n "$pid" ]] && ! alive "$pid"; then
      show_log_tail "$logfile"
      die "$what: the process exited during startup (log: $logfile)"
    fi
    sleep 0.1
  done
  show_log_tail "$logfile"
  die "$what: not ready after ${timeout}s (log: $logfile)"
}

# stop_process NAME PIDFILE SIGNAL TIMEOUT_S
stop_process() {
  local name=$1 pidfile=$2 sig=$3 timeout=$4 pid i
  if ! pid=$(our_pid "$pidfile"); then
    rm -f "$pidfile"
    log "$name: not running"
    return 0
  fi
  kill -"$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    warn "$name (pid $pid) still alive after ${timeout}s: sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$pidfile"
  log "$name: stopped (pid $pid)"
}

# Processes of this run dir that no live master owns any more (e.g. nginx workers after `kill -9` of
# their master: they keep the port). Found by what they hold: our php-fpm socket, or files under $RUN.
stray_pids() {
  local keep=" " m p ppid
  for m in "$DB_PID" "$FPM_PID" "$NGINX_PID"; do
    if p=$(our_pid "$m"); then keep+="$p "; fi
  done
  local candidates
  candidates=$(
    ss -xlpH 2>/dev/null | awk -v s="$FPM_SOCK" '$5 == s' | grep -o 'pid=[0-9]*' | cut -d= -f2 || true
    for p in /proc/[0-9]*; do
      case $(readlink "$p/exe" 2>/dev/null) in
        */nginx | */mariadbd | */"$PHP_FPM")
          if holds_run_file "$p"; then printf '%s\n' "${p#/proc/}"; fi ;;
      esac
    done
  )
  while read -r p; do
    [[ -n "$p" ]] || continue
    alive "$p" || continue
    ppid=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null) || continue
    [[ "$keep" == *" $p "* || "$keep" == *" $ppid "* ]] && continue
    printf '%s\n' "$p"
  done < <(sort -un <<<"$candidates")
}

# True when process /proc/PID ($1) has a file under $RUN open.
holds_run_file() {
  local fd
  for fd in "$1"/fd/*; do
    [[ "$(readlink "$fd" 2>/dev/null)" == "$RUN/"* ]] && return 0
  done
  return 1
}

kill_strays() {
  local pids p i
  pids=$(stray_pids)
  [[ -n "$pids" ]] || return 0
  for p in $pids; do
    warn "ending stray '$(tr -s '\0 ' ' ' <"/proc/$p/cmdline" 2>/dev/null | sed 's/ $//')' (pid $p) left behind by an earlier run"
    kill -TERM "$p" 2>/dev/null || true
  done
  local left
  for ((i = 0; i < 30; i++)); do
    left=false
    for p in $pids; do alive "$p" && left=true; done
    [[ $left == false ]] && return 0
    sleep 0.1
  done
  for p in $pids; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  sleep 0.2
}

require_commands() {
  local c missing=()
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("$c"); done
  ((${#missing[@]} == 0)) || die "missing commands: ${missing[*]} (run: bash scripts/install-deps.sh)"
}

db() { mariadb --no-defaults --socket="$DB_SOCK" -uroot "$@"; }

# ---------------------------------------------------------------------------------------------- secrets

admin_password() {
  if [[ -n "${SC_ADMIN_PASSWORD:-}" ]]; then
    printf '%s' "$SC_ADMIN_PASSWORD"
  elif [[ -s "$RUN/admin-password" ]]; then
    cat "$RUN/admin-password"
  else
    printf '(not generated yet: run scripts/stack.sh start)'
  fi
}

# Creates (once) the admin and DB passwords; an SC_ADMIN_PASSWORD override is stored so `env` stays right.
ensure_secrets() {
  (umask 077
    if [[ -n "${SC_ADMIN_PASSWORD:-}" ]]; then
      printf '%s' "$SC_ADMIN_PASSWORD" >"$RUN/admin-password"
    elif [[ ! -s "$RUN/admin-password" ]]; then
      random_secret 20 >"$RUN/admin-password"
    fi
    [[ -s "$RUN/db-password" ]] || random_secret 24 >"$RUN/db-password"
    if [[ ! -s "$RUN/wp-salts.php" ]]; then
      local k salts=()
      for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
        salts+=("$k=$(random_secret 64)")
      done
      render_to "$RUN/wp-salts.php" wp-salts.php.tmpl "${salts[@]}"
    fi)
}

# ---------------------------------------------------------------------------------------------- MariaDB

# The mariadbd command line, one option per line, from mariadbd.opts.tmpl (no file in the run dir).
mariadbd_options() {
  local user_opt="" text line
  [[ $(id -u) -eq 0 ]] && user_opt=--user=root
  text=$(render mariadbd.opts.tmpl DATADIR="$DATADIR" DB_SOCK="$DB_SOCK" DB_PORT="$DB_PORT" \
    DB_USER_OPT="$user_opt" DB_PID="$DB_PID" DB_LOG="$LOGS/mariadb.log") || exit 1
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] || printf '%s\n' "$line"
  done <<<"$text"
  local extra=()
  read -ra extra <<<"${SC_DB_EXTRA_OPTS:-}"
  ((${#extra[@]} == 0)) || printf '%s\n' "${extra[@]}"
}

# Ready for queries: at once, or a Galera node once it has joined its cluster and synced.
db_ready() {
  local status
  status=$(db -N -e "SHOW VARIABLES LIKE 'wsrep_on'; SHOW GLOBAL STATUS LIKE 'wsrep_ready'" | awk '{ printf "%s ", $2 }') || return 1
  [[ "$status" == "OFF "* || "$status" == "ON ON " ]]
}

# recovered_position MARIADBD_OPTION...: for a Galera node that did not shut down cleanly (seqno -1 in
# grastate.dat), its last committed position read from InnoDB, as Debian's galera_recovery finds it, so it
# rejoins with an incremental transfer instead of a full copy; fails for any other node.
recovered_position() {
  [[ " $* " == *" --wsrep-on=ON "* ]] && grep -Eq '^seqno: *-1$' "$DATADIR/grastate.dat" 2>/dev/null || return 1
  local recover_log=$LOGS/mariadb-recover.log position
  mariadbd "$@" --wsrep-recover --log-error="$recover_log" </dev/null >/dev/null 2>&1 || true
  position=$(sed -n 's/.*WSREP: Recovered position: *\([^ ]*\).*/\1/p' "$recover_log" | tail -n 1)
  [[ "$position" =~ ^[0-9a-f-]{36}:[0-9]+$ ]] || { show_log_tail "$recover_log"; die "MariaDB: no Galera position recovered (log: $recover_log)"; }
  printf '%s' "$position"
}

start_mariadb() {
  if our_pid "$DB_PID" >/dev/null; then
    log "MariaDB: already running"
    return 0
  fi
  port_in_use "$DB_PORT" && die "port 127.0.0.1:$DB_PORT is taken by another program: set SC_DB_PORT to a free port"
  if [[ ! -d "$DATADIR" ]]; then
    log "MariaDB: first start, initialising $DATADIR"
    rm -rf "$DATADIR.partial"
    local user_opt=()
    [[ $(id -u) -eq 0 ]] && user_opt=(--user=root)
    if ! mariadb-install-db --no-defaults --datadir="$DATADIR.partial" --auth-root-authentication-method=socket \
      --skip-test-db "${user_opt[@]}" >"$LOGS/mariadb-install.log" 2>&1; then
      show_log_tail "$LOGS/mariadb-install.log"
      die "mariadb-install-db failed"
    fi
    mv "$DATADIR.partial" "$DATADIR"
  fi
  local opts=() position
  mapfile -t opts < <(mariadbd_options)
  ((${#opts[@]} > 0)) || die "no mariadbd options (template $TEMPLATES/mariadbd.opts.tmpl)"
  if position=$(recovered_position "${opts[@]}"); then
    log "MariaDB: Galera node not shut down cleanly: rejoins from its recovered position $position"
    opts+=("--wsrep-start-position=$position")
  fi
  rm -f "$DB_SOCK" "$DB_PID"
  # setsid: own session, so neither Ctrl-C nor a job-control kill of the caller takes it down.
  setsid mariadbd "${opts[@]}" </dev/null >>"$LOGS/mariadb.log" 2>&1 &
  local pid=$!
  wait_until "MariaDB" 30 "$LOGS/mariadb.log" "$pid" \
    mariadb-admin --no-defaults --socket="$DB_SOCK" -uroot ping
  wait_until "MariaDB pid file" 5 "$LOGS/mariadb.log" "$pid" our_pid "$DB_PID"
  wait_until "MariaDB joining its Galera cluster" 120 "$LOGS/mariadb.log" "$pid" db_ready
  log "MariaDB: running on 127.0.0.1:$DB_PORT, socket $DB_SOCK"
}

ensure_database() {
  local pw
  pw=$(cat "$RUN/db-password")
  local host sql="CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  for host in 127.0.0.1 localhost; do
    sql+="CREATE USER IF NOT EXISTS '$DB_USER'@'$host' IDENTIFIED BY '$pw';"
    sql+="ALTER USER '$DB_USER'@'$host' IDENTIFIED BY '$pw';"
    # The pattern also covers e.g. solar_capture_test for suites that want their own database.
    sql+="GRANT ALL PRIVILEGES ON \`$DB_NAME%\`.* TO '$DB_USER'@'$host';"
  done
  db -e "$sql" || die "could not create database/user (MariaDB log: $LOGS/mariadb.log)"
}

# ---------------------------------------------------------------------------------------------- WordPress

ensure_wordpress_copy() {
  if [[ ! -f "$WP_DIR/wp-settings.php" ]]; then
    [[ -f /usr/share/wordpress/wp-settings.php ]] || die "/usr/share/wordpress missing (run: bash scripts/install-deps.sh)"
    log "WordPress: copying /usr/share/wordpress to $WP_DIR"
    rm -rf "$WP_DIR" "$WP_DIR.partial"
    # -L: Debian ships relative symlinks that a plain copy would break.
    cp -rL /usr/share/wordpress "$WP_DIR.partial"
    rm -f "$WP_DIR.partial/.htaccess"
    mv "$WP_DIR.partial" "$WP_DIR"
  fi
  write_wp_config
}

write_wp_config() {
  local pw
  pw=$(cat "$RUN/db-password")
  render_to "$WP_DIR/wp-config.php" wp-config.php.tmpl \
    DB_NAME_PHP="$(php_quote "$DB_NAME")" DB_USER_PHP="$(php_quote "$DB_USER")" \
    DB_PASSWORD_PHP="$(php_quote "$pw")" DB_PORT="$DB_PORT" SALTS_FILE_PHP="$(php_quote "$RUN/wp-salts.php")" \
    DEBUG_LOG_PHP="$(php_quote "$LOGS/wp-debug.log")" SITE_URL_PHP="$(php_quote "$SITE_URL")"
}

# The PHP helper run in CHILD processes (never in the process that runs tests: WP_INSTALLING would stick).
write_wp_tool() {
  render_to "$WP_TOOL" wp-tool.php.tmpl
}

# Runs wp-tool.php in a child PHP process with the stack's settings; extra php options first.
wp_tool() {
  local cmd=$1
  shift
  SC_WP_DIR="$WP_DIR" SC_URL="$SITE_URL" SC_ADMIN_PASSWORD="$(cat "$RUN/admin-password")" \
    SC_PLUGIN_SLUG="$PLUGIN_SLUG" php "$@" "$WP_TOOL" "$cmd"
}

install_wordpress() {
  write_wp_tool
  wp_tool install || die "WordPress install failed (debug log: $LOGS/wp-debug.log)"
}

# Links the plugin into wp-content/plugins and activates it. Missing plugin directory: skipped with a
# message (returns 0). Activation error: printed, returns 1.
activate_plugin() {
  local engine=$1 link="$WP_DIR/wp-content/plugins/$PLUGIN_SLUG"
  if [[ ! -d "$PLUGIN_DIR" ]]; then
    [[ -L "$link" ]] && rm -f "$link"
    rm -f "$RUN/plugin-activation-failed"
    log "plugin: $PLUGIN_DIR does not exist yet: activation skipped (run scripts/stack.sh activate once it does)"
    return 0
  fi
  local target
  target=$(realpath "$PLUGIN_DIR")
  if [[ ! -L "$link" || "$(readlink "$link")" != "$target" ]]; then
    rm -rf "$link"
    ln -s "$target" "$link"
  fi
  write_wp_tool
  local php_opts=()
  if [[ "$engine" == native ]]; then
    php_opts=(-d "extension=$SO")
  fi
  local out
  if out=$(SOLAR_CAPTURE_ENGINE="$engine" wp_tool activate "${php_opts[@]}" 2>&1); then
    rm -f "$RUN/plugin-activation-failed"
    log "plugin: $out (linked from $target)"
    return 0
  fi
  printf '%s\n' "$out" >"$RUN/plugin-activation-failed"
  printf 'stack: ERROR: plugin activation failed:\n    %s\n' "${out//$'\n'/$'\n    '}" >&2
  return 1
}

# ---------------------------------------------------------------------------------------------- php-fpm

write_fpm_conf() {
  local engine=$1 user_lines=""
  [[ $(id -u) -eq 0 ]] && user_lines=$'user = root\ngroup = root'
  local ext_line=""
  [[ "$engine" == native ]] && ext_line="php_admin_value[extension] = $FPM_SO"
  render_to "$FPM_CONF" php-fpm.conf.tmpl \
    FPM_PID="$FPM_PID" FPM_LOG="$LOGS/php-fpm.log" POOL="$FPM_POOL" USER_LINES="$user_lines" \
    FPM_SOCK="$FPM_SOCK" FPM_WORKERS="$FPM_WORKERS" ENGINE="$engine" PHP_ERROR_LOG="$LOGS/php-error.log" \
    CLIENT_MAX_BODY_SIZE="$CLIENT_MAX_BODY_SIZE" EXTENSION_LINE="$ext_line"
}

start_php_fpm() {
  local engine=$1
  if our_pid "$FPM_PID" >/dev/null; then
    log "php-fpm: already running (engine $(cat "$FPM_ENGINE" 2>/dev/null || echo '?'))"
    return 0
  fi
  if [[ "$engine" == native ]]; then
    # php-fpm loads a private copy: a `cargo build` while the stack runs cannot pull the file from
    # under running workers (restart the stack to pick up a new build).
    cp "$SO" "$FPM_SO.new" && mv -f "$FPM_SO.new" "$FPM_SO"
  fi
  write_fpm_conf "$engine"
  rm -f "$FPM_SOCK" "$FPM_PID"
  printf '%s\n' "$engine" >"$FPM_ENGINE"
  local root_opt=()
  [[ $(id -u) -eq 0 ]] && root_opt=(-R)
  if ! "$PHP_FPM" "${root_opt[@]}" --fpm-config "$FPM_CONF" </dev/null >"$LOGS/php-fpm-start.log" 2>&1; then
    cat "$LOGS/php-fpm-start.log" >&2
    show_log_tail "$LOGS/php-fpm.log"
    die "php-fpm failed to start (config $FPM_CONF)"
  fi
  wait_until "php-fpm" 15 "$LOGS/php-fpm.log" "" test -S "$FPM_SOCK"
  wait_until "php-fpm pid file" 5 "$LOGS/php-fpm.log" "" our_pid "$FPM_PID"
  log "php-fpm: running, engine $engine, $FPM_WORKERS workers on $FPM_SOCK"
}

# ---------------------------------------------------------------------------------------------- nginx

write_nginx_conf() {
  local user_line=""
  [[ $(id -u) -eq 0 ]] && user_line="user root root;"
  # No `include fastcgi_params`: Debian's sets HTTP_HOST to $host, which drops the port.
  local fcgi
  fcgi=$(render nginx-fastcgi.tmpl FPM_SOCK="$FPM_SOCK") || exit 1
  render_to "$NGINX_CONF" nginx.conf.tmpl \
    USER_LINE="$user_line" NGINX_PID="$NGINX_PID" NGINX_ERROR_LOG="$LOGS/nginx-error.log" \
    NGINX_ACCESS_LOG="$LOGS/nginx-access.log" NGINX_DIR="$NGINX_DIR" CLIENT_MAX_BODY_SIZE="$CLIENT_MAX_BODY_SIZE" WEBHOOK_MAX_BODY_SIZE="$WEBHOOK_MAX_BODY_SIZE" \
    HTTP_PORT="$HTTP_PORT" WP_DIR="$WP_DIR" PROBE="$PROBE" FASTCGI="$fcgi"
  render_to "$PROBE" probe.php.tmpl
}

start_nginx() {
  if our_pid "$NGINX_PID" >/dev/null; then
    log "nginx: already running"
    return 0
  fi
  port_in_use "$HTTP_PORT" && die "port 127.0.0.1:$HTTP_PORT is taken by another program: set SC_HTTP_PORT to a free port"
  mkdir -p "$NGINX_DIR/tmp"
  write_nginx_conf
  rm -f "$NGINX_PID"
  if ! nginx -e "$LOGS/nginx-error.log" -p "$NGINX_DIR/" -c "$NGINX_CONF" </dev/null >"$LOGS/nginx-start.log" 2>&1; then
    cat "$LOGS/nginx-start.log" >&2
    show_log_tail "$LOGS/nginx-error.log"
    die "nginx failed to start (config $NGINX_CONF)"
  fi
  wait_until "nginx" 10 "$LOGS/nginx-error.log" "" our_pid "$NGINX_PID"
  log "nginx: running on $SITE_URL"
}

# Checks nginx -> php-fpm -> engine, then WordPress's REST API.
check_http() {
  local engine=$1 probe
  wait_until "nginx -> php-fpm" 15 "$LOGS/nginx-error.log" "" curl -fsS -o /dev/null "$SITE_URL/__sc_stack_probe"
  probe=$(curl -fsS "$SITE_URL/__sc_stack_probe")
  local want=false
  [[ "$engine" == native ]] && want=true
  if ! grep -q "\"native\":$want" <<<"$probe"; then
    show_log_tail "$LOGS/php-fpm.log"
    die "php-fpm workers report $probe but engine $engine was asked for"
  fi
  local code
  code=$(curl -sS -o "$RUN/last-rest-check.json" -w '%{http_code}' "$SITE_URL/wp-json/") || true
  # shellcheck disable=SC2016 # PHP code: $argv is PHP's
  if [[ "$code" != 200 ]] || ! php -r 'exit(is_array(json_decode(file_get_contents($argv[1]), true)) ? 0 : 1);' "$RUN/last-rest-check.json"; then
    head -c 2000 "$RUN/last-rest-check.json" >&2 || true
    show_log_tail "$LOGS/wp-debug.log"
    die "GET $SITE_URL/wp-json/ answered HTTP $code, not JSON"
  fi
}

# ---------------------------------------------------------------------------------------------- commands

running_engine() { cat "$FPM_ENGINE" 2>/dev/null || echo "?"; }

all_running() {
  our_pid "$DB_PID" >/dev/null && our_pid "$FPM_PID" >/dev/null && our_pid "$NGINX_PID" >/dev/null
}

# Warns when the .so loaded by php-fpm differs from the freshly built one.
warn_if_stale_so() {
  if [[ "$(running_engine)" == native && -f "$SO" && -f "$FPM_SO" ]] && ! cmp -s "$SO" "$FPM_SO"; then
    warn "$SO changed since php-fpm started: restart (scripts/stack.sh stop && scripts/stack.sh start) to load it"
  fi
}

cmd_start() {
  local engine=${SC_ENGINE:-native} part=all
  while (($#)); do
    case $1 in
      --engine) engine=${2:-}; shift 2 || shift ;;
      --engine=*) engine=${1#--engine=}; shift ;;
      --web-only) part=web; shift ;;
      --db-only) part=db; shift ;;
      *) die "start: unknown option '$1' (usage: scripts/stack.sh start [--web-only|--db-only] [--engine native|php])" ;;
    esac
  done
  [[ "$engine" == native || "$engine" == php ]] || die "--engine must be 'native' or 'php', not '$engine'"

  if our_pid "$FPM_PID" >/dev/null && [[ "$(running_engine)" != "$engine" ]]; then
    die "the stack runs with engine '$(running_engine)', not '$engine': stop it first (scripts/stack.sh stop), then scripts/stack.sh start --engine $engine"
  fi
  case $part in
    web) start_node web "$engine"; return ;;
    db) start_node db "$engine"; return ;;
  esac
  if all_running; then
    log "already running (stop it with scripts/stack.sh stop): $SITE_URL, engine $(running_engine)"
    warn_if_stale_so
    if [[ -f "$RUN/plugin-activation-failed" ]]; then
      log "the last plugin activation failed: trying again"
      activate_plugin "$engine" || die "the stack runs but the plugin activation failed (see above): fix the plugin, then run scripts/stack.sh activate"
    fi
    return 0
  fi

  require_commands mariadbd mariadb mariadb-admin mariadb-install-db "$PHP_FPM" nginx php curl ss
  kill_strays
  if [[ "$engine" == native && ! -f "$SO" ]]; then
    die "engine native needs $SO, which does not exist: build it with 'cargo build --release' (or start with --engine php)"
  fi

  local t0
  t0=$(now_ms)
  mkdir -p "$RUN" "$LOGS" "$FPM_DIR" "$NGINX_DIR/tmp"
  ensure_secrets
  start_mariadb
  ensure_database
  ensure_wordpress_copy
  install_wordpress
  local activation_ok=true
  activate_plugin "$engine" || activation_ok=false
  start_php_fpm "$engine"
  start_nginx
  check_http "$engine"
  log "ready in $(( $(now_ms) - t0 ))ms: $SITE_URL (admin: $SITE_URL/wp-admin/ user $ADMIN_USER, password in $RUN/admin-password)"
  if [[ $activation_ok == false ]]; then
    die "the stack runs but the plugin activation failed (see above): fix the plugin, then run scripts/stack.sh activate"
  fi
}

# start_node web|db ENGINE: one part of a stack whose database is shared with a first node (the first
# node's secrets copied into $RUN beforehand, so every node uses the same database password).
start_node() {
  local part=$1 engine=$2 t0
  t0=$(now_ms)
  [[ -s "$RUN/db-password" ]] || die "start --$part-only: $RUN/db-password is missing: copy db-password, wp-salts.php and admin-password from the first node's run dir"
  mkdir -p "$RUN" "$LOGS"
  ensure_secrets
  if [[ $part == db ]]; then
    require_commands mariadbd mariadb mariadb-admin mariadb-install-db
    kill_strays
    start_mariadb
    ensure_database
    log "database node ready in $(( $(now_ms) - t0 ))ms: 127.0.0.1:$DB_PORT"
    return 0
  fi
  require_commands "$PHP_FPM" nginx php curl ss
  kill_strays
  if [[ "$engine" == native && ! -f "$SO" ]]; then
    die "engine native needs $SO, which does not exist: build it with 'cargo build --release' (or start with --engine php)"
  fi
  mkdir -p "$FPM_DIR" "$NGINX_DIR/tmp"
  ensure_wordpress_copy
  activate_plugin "$engine" || die "web node: the plugin activation failed (see above)"
  start_php_fpm "$engine"
  start_nginx
  check_http "$engine"
  log "web node ready in $(( $(now_ms) - t0 ))ms: $SITE_URL on the database at 127.0.0.1:$DB_PORT"
}

cmd_stop() {
  stop_process nginx "$NGINX_PID" TERM 10
  stop_process php-fpm "$FPM_PID" TERM 10
  stop_process MariaDB "$DB_PID" TERM 60
  kill_strays
  rm -f "$FPM_SOCK"
}

cmd_status() {
  local name pidfile pid any=false
  for name in MariaDB php-fpm nginx; do
    case $name in
      MariaDB) pidfile=$DB_PID ;;
      php-fpm) pidfile=$FPM_PID ;;
      nginx) pidfile=$NGINX_PID ;;
    esac
    if pid=$(our_pid "$pidfile"); then
      printf '%-8s running (pid %s)\n' "$name" "$pid"
      any=true
    else
      printf '%-8s stopped\n' "$name"
    fi
  done
  if [[ $any == true ]]; then
    printf 'engine   %s\n' "$(running_engine)"
    printf 'site     %s/\nadmin    %s/wp-admin/ (user %s, password in %s)\nREST     %s/wp-json/\n' \
      "$SITE_URL" "$SITE_URL" "$ADMIN_USER" "$RUN/admin-password" "$SITE_URL"
    printf 'database %s on 127.0.0.1:%s, socket %s\n' "$DB_NAME" "$DB_PORT" "$DB_SOCK"
    local link="$WP_DIR/wp-content/plugins/$PLUGIN_SLUG"
    if [[ -L "$link" ]]; then printf 'plugin   %s -> %s\n' "$link" "$(readlink "$link")"; else printf 'plugin   not linked\n'; fi
    warn_if_stale_so
  fi
  printf 'run dir  %s\nlogs     %s\n' "$RUN" "$LOGS"
}

cmd_env() {
  all_running || warn "the stack is not (fully) running: scripts/stack.sh start"
  local k v
  while IFS='=' read -r k v; do
    printf 'export %s=%q\n' "$k" "$v"
  done <<EOF
SC_URL=$SITE_URL
SC_DB_SOCKET=$DB_SOCK
SC_DB_PORT=$DB_PORT
SC_DB_NAME=$DB_NAME
SC_DB_USER=$DB_USER
SC_DB_PASSWORD=$(cat "$RUN/db-password" 2>/dev/null || true)
SC_WP_DIR=$WP_DIR
SC_ADMIN_USER=$ADMIN_USER
SC_ADMIN_PASSWORD=$(admin_password)
SC_ENGINE=$(running_engine)
SC_RUN_DIR=$RUN
SC_DEBUG_LOG=$LOGS/wp-debug.log
EOF
}

cmd_reset_db() {
  our_pid "$DB_PID" >/dev/null || die "MariaDB is not running: scripts/stack.sh start"
  local t0 engine
  t0=$(now_ms)
  engine=$(running_engine)
  [[ "$engine" == "?" ]] && engine=${SC_ENGINE:-native}
  ensure_secrets
  db -e "DROP DATABASE IF EXISTS \`$DB_NAME\`;"
  ensure_database
  ensure_wordpress_copy
  install_wordpress
  activate_plugin "$engine" || die "database reset, but the plugin activation failed (see above): fix the plugin, then run scripts/stack.sh activate"
  log "database reset in $(( $(now_ms) - t0 ))ms"
}

cmd_activate() {
  our_pid "$DB_PID" >/dev/null || die "MariaDB is not running: scripts/stack.sh start"
  local engine
  engine=$(running_engine)
  [[ "$engine" == "?" ]] && engine=${SC_ENGINE:-native}
  [[ -d "$PLUGIN_DIR" ]] || die "plugin directory $PLUGIN_DIR does not exist"
  activate_plugin "$engine" || exit 1
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    reset-db) cmd_reset_db ;;
    activate) cmd_activate ;;
    *)
      sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
