#!/usr/bin/env bash
# Postfix anchor for `npm run bench:smtp`, after /work/shared/reference/anchor-bench/
# (setup.sh and postfix-smtp.sh): Postfix from Debian, "Local only", loopback only, local(8)
# delivery to ~bench/Maildir/. Only the Postfix part of the reference set-up (no Dovecot,
# no smtp-sink transport). Run as root on Debian 12.
#
#   postfix-anchor.sh setup     install (if missing) and configure; idempotent
#   postfix-anchor.sh start     start Postfix unless it runs; prints "started" or "already-running"
#   postfix-anchor.sh stop      stop Postfix
#   postfix-anchor.sh wait-empty  wait (at most 300 s) until the Postfix queue is empty
#   postfix-anchor.sh maildir   prints the Maildir/new path of the bench user
set -euo pipefail
BENCH_USER=${BENCH_USER:-bench}

setup() {
  if ! command -v postconf >/dev/null || [ ! -x /usr/sbin/smtp-source ]; then
    apt-get update -qq
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string example.test" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix
  fi
  if [ ! -f /etc/postfix/main.cf ]; then
    # Installed earlier as "No configuration": let Debian write a Local-only main.cf.
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    echo "postfix postfix/mailname string example.test" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive dpkg-reconfigure -f noninteractive postfix >/dev/null 2>&1
  fi
  id "$BENCH_USER" >/dev/null 2>&1 || useradd -m -s /bin/bash "$BENCH_USER"
  # Same settings as the reference setup.sh: local-only, loopback, ~/Maildir/ via local(8).
  postconf -e \
    'inet_interfaces = loopback-only' \
    'mydestination = example.test, $myhostname, localhost.localdomain, localhost' \
    'mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128' \
    'home_mailbox = Maildir/' \
    'mailbox_command =' \
    'maillog_file = /var/log/postfix.log' \
    'default_transport = error' 'relay_transport = error' 'relayhost ='
  newaliases
  if postfix status >/dev/null 2>&1; then postfix reload >/dev/null 2>&1 || true; fi
  echo "postfix $(postconf -h mail_version) configured (loopback only, Maildir of $BENCH_USER)"
}

start() {
  if postfix status >/dev/null 2>&1; then echo already-running; return; fi
  # Same as Debian's ExecStartPre (chroot files), as in the reference postfix-smtp.sh.
  /usr/lib/postfix/configure-instance.sh - >/dev/null 2>&1 || true
  postfix start >/dev/null 2>&1
  sleep 2
  echo started
}

wait_empty() {
  for _ in $(seq 1 300); do
    [ -z "$(postqueue -j 2>/dev/null | head -c1)" ] && return 0
    sleep 1
  done
  echo "postfix queue not empty after 300 s" >&2
  return 1
}

case "${1:-}" in
  setup) setup ;;
  start) start ;;
  stop) postfix stop >/dev/null 2>&1 || true ;;
  wait-empty) wait_empty ;;
  maildir) echo "$(getent passwd "$BENCH_USER" | cut -d: -f6)/Maildir/new" ;;
  *) echo "usage: $0 setup|start|stop|wait-empty|maildir" >&2; exit 2 ;;
esac
