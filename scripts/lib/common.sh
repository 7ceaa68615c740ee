# Shared by scripts/dev, scripts/test and scripts/build: system packages and a throwaway
# PostgreSQL. Source it; it defines functions only.

PAKA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PAKA_APT_PACKAGES=(pkg-config librdkafka-dev libpq-dev libcurl4-openssl-dev postgresql kcat python3-aiosmtpd curl poppler-utils)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the Debian packages Paka builds and tests with, when any is missing.
ensure_system_packages() {
  local missing=()
  for p in "${PAKA_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]} — run: sudo apt-get install -y ${missing[*]}"
  fi
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  [ -n "$dir" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
  echo "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the PostgreSQL owner: initdb refuses to run as root.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres DIR: initialises (once) and starts a private cluster in DIR on a free loopback
# port with trust auth, creates database "paka", and exports DATABASE_URL and PAKA_PG_DIR.
start_postgres() {
  local dir="$1" bin port
  bin="$(pg_bin)"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$(dirname "$dir")" 2>/dev/null; then
    # The postgres user cannot reach a folder below (say) /root: keep the cluster in /tmp.
    dir="/tmp/paka-postgres-$(echo "$dir" | md5sum | cut -c1-8)"
  fi
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir" && chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null || die "initdb failed in $dir"
  fi
  # A run that was killed can leave its throwaway server up: stop it rather than fail on its lock.
  if as_pg_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg_owner "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
  port="$(free_port)"
  as_pg_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; die "PostgreSQL did not start (log above)"; }
  as_pg_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname='paka'" | grep -q 1 \
    || as_pg_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres paka
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/paka"
  export PAKA_PG_DIR="$dir"
  log "PostgreSQL running: $DATABASE_URL"
}

stop_postgres() {
  [ -n "${PAKA_PG_DIR:-}" ] || return 0
  as_pg_owner "$(pg_bin)/pg_ctl" -D "$PAKA_PG_DIR" -m fast -w stop >/dev/null 2>&1 || true
}
