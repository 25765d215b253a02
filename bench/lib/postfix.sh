# Sourced by bench/postfix-compare.sh: a throw-away second Postfix instance configured as the relay
# under test in BENCHMARK.md, beside (never instead of) the system one, whose daemon stays stopped.
# Everything lives under one directory: config, queue, data, log. Needs root (Postfix's master).

# postfix_setup DIR SMTPD_PORT SINK_PORT: writes DIR/etc/{main,master}.cf.
postfix_setup() {
  local dir=$1 port=$2 sink=$3
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  # Postfix's daemons run as the postfix user: it must reach the queue and own the data directory.
  chmod 755 "$dir" "$(dirname "$dir")"
  chown postfix "$dir/data"
  # Only what BENCHMARK.md asks for, plus what a second instance needs (own directories, no
  # local delivery, no chroot because the chroot would need copies of /etc files); the rest are
  # Postfix's defaults, so this is Postfix as a mail admin would run it (fsync on, in_flow_delay on).
  cat > "$dir/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
myhostname = postfix.bench.test
mydestination =
local_recipient_maps =
local_transport = error:no local delivery in the benchmark
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relayhost = [127.0.0.1]:$sink
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
default_destination_concurrency_limit = 20
maillog_file = $dir/maillog
maillog_file_prefixes = /var, /dev/stdout, $dir
biff = no
CONF
  # The Debian master.cf minus the pipe transports and the port-25 smtpd, with chroot off.
  cat > "$dir/etc/master.cf" <<CONF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
}

# postfix_start DIR: starts the instance; its master's pid ends up in DIR/queue/pid/master.pid.
postfix_start() {
  postfix -c "$1/etc" start > "$1/start.log" 2>&1 || { cat "$1/start.log" >&2; return 1; }
}

# postfix_stop DIR: stops the instance, killing its master if `postfix stop` does not manage.
postfix_stop() {
  local dir=$1 pid
  [ -d "$dir/etc" ] || return 0
  postfix -c "$dir/etc" stop > /dev/null 2>&1 || true
  pid=$(tr -d ' ' < "$dir/queue/pid/master.pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
}
