#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store and restart tests (CI and developers alike).
#
#   source .ci/postgres.sh   # starts it, exports TWILIO_EMULATOR_TEST_POSTGRES_URL,
#                            # and stops it (deleting its data) when the shell exits
#
# initdb into a temporary directory, a free TCP port on 127.0.0.1, the unix socket in the same
# directory. As root, the server runs as the 'postgres' (or 'nobody') user: postgres refuses root.
pg_bin=""
for d in /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then pg_bin="$d"; break; fi
done
if [ -z "$pg_bin" ]; then
    echo "postgres.sh: no initdb found; installing Debian's postgresql" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin | tail -1)"
fi
pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/twilio-emulator-pg.XXXXXX")"
pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
pg_as=()
if [ "$(id -u)" = 0 ]; then
    pg_user=postgres; id "$pg_user" >/dev/null 2>&1 || pg_user=nobody
    chown "$pg_user" "$pg_dir"
    pg_as=(runuser -u "$pg_user" --)
fi
"${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U emulator --auth=trust -E UTF8 >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; return 1 2>/dev/null || exit 1; }
"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -s \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off" start \
    || { cat "$pg_dir/server.log" >&2; return 1 2>/dev/null || exit 1; }
export TWILIO_EMULATOR_TEST_POSTGRES_URL="postgresql://emulator@127.0.0.1:$pg_port/postgres"
_twilio_emulator_pg_stop() {
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -s stop >/dev/null 2>&1
    rm -rf "$pg_dir"
}
trap _twilio_emulator_pg_stop EXIT
echo "postgres.sh: $TWILIO_EMULATOR_TEST_POSTGRES_URL (data in $pg_dir)" >&2
