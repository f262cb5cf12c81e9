#!/usr/bin/env python3
"""bench:imap measuring clients (stdlib imaplib and a plain socket POP3 client), written in
the style of the anchor's /work/shared/reference/anchor-bench/dovecot-imap.py so that Dizi
and Dovecot are measured with the same client code.

Per run (each opens its own connection; STARTTLS/STLS first with --starttls, the
certificate is not verified):
  imap-meta   : LOGIN, SELECT INBOX, FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE), LOGOUT
  imap-body   : LOGIN, SELECT INBOX, FETCH <batch> (BODY.PEEK[]) over all messages, LOGOUT
  imap-search : LOGIN, SELECT INBOX, SEARCH BODY <word>, LOGOUT  (answer count checked)
  pop3-raw    : [STLS], USER/PASS, STAT, RETR 1..N one at a time (no DELE), QUIT, with the
                anchor's minimal socket client (scans for CRLF.CRLF)
--warmup W runs are taken first and reported as "warmup", then --runs R measured runs.
Each run prints one line "RESULT {json}" with msgs (messages in the box), bytes
(message data received), wall_s and client_cpu_s (time.process_time).

Usage: imap_clients.py --imap-port P --pop3-port Q --user U --password W
                       [--host 127.0.0.1] [--starttls] [--runs 3] [--warmup 1]
                       [--batch 500] [--word zanzibar] [--expect-found N]
                       [--tests imap-meta,imap-body,imap-search,pop3-raw] [--label NAME]
"""
import argparse
import imaplib
import json
import re
import socket
import ssl
import time

p = argparse.ArgumentParser()
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--imap-port", type=int, default=143)
p.add_argument("--pop3-port", type=int, default=110)
p.add_argument("--user", default="bench")
p.add_argument("--password", default="benchpass")
p.add_argument("--starttls", action="store_true")
p.add_argument("--runs", type=int, default=3)
p.add_argument("--warmup", type=int, default=1)
p.add_argument("--batch", type=int, default=500)
p.add_argument("--word", default="zanzibar")
p.add_argument("--expect-found", type=int, default=-1)
p.add_argument("--tests", default="imap-meta,imap-body,imap-search,pop3-raw")
p.add_argument("--label", default="server")
a = p.parse_args()
assert a.host in ("127.0.0.1", "::1", "localhost"), "loopback only"

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE

FETCH_LINE = re.compile(rb"^\d+ \(")


def imap_login():
    M = imaplib.IMAP4(a.host, a.imap_port)
    if a.starttls:
        M.starttls(ssl_context=TLS)
    M.login(a.user, a.password)
    typ, d = M.select("INBOX")
    assert typ == "OK", (typ, d)
    return M, int(d[0])


def count_fetch(data):
    """Messages and bytes in an imaplib FETCH answer: a tuple per literal, a line otherwise."""
    nmsg = nbytes = 0
    for part in data:
        if isinstance(part, tuple):  # (b'1 (UID 1 BODY[] {10571}', b'<literal>')
            if FETCH_LINE.match(part[0]):
                nmsg += 1
            nbytes += len(part[1])
        elif part and FETCH_LINE.match(part):  # ENVELOPE etc.: one line per message
            nmsg += 1
            nbytes += len(part)
    return nmsg, nbytes


def imap_meta():
    t0, c0 = time.perf_counter(), time.process_time()
    M, n = imap_login()
    typ, data = M.fetch("1:*", "(UID FLAGS RFC822.SIZE ENVELOPE)")
    assert typ == "OK", (typ, data)
    nmsg, nbytes = count_fetch(data)
    M.logout()
    return n, nmsg, nbytes, time.perf_counter() - t0, time.process_time() - c0


def imap_body():
    t0, c0 = time.perf_counter(), time.process_time()
    M, n = imap_login()
    nmsg = nbytes = 0
    for lo in range(1, n + 1, a.batch):
        hi = min(n, lo + a.batch - 1)
        typ, data = M.fetch(f"{lo}:{hi}", "(BODY.PEEK[])")
        assert typ == "OK", (typ, data)
        m, b = count_fetch(data)
        nmsg += m
        nbytes += b
    M.logout()
    return n, nmsg, nbytes, time.perf_counter() - t0, time.process_time() - c0


def imap_search():
    t0, c0 = time.perf_counter(), time.process_time()
    M, n = imap_login()
    typ, data = M.search(None, "BODY", a.word)
    assert typ == "OK", (typ, data)
    found = len(data[0].split()) if data and data[0] else 0
    if a.expect_found >= 0:
        assert found == a.expect_found, f"SEARCH BODY {a.word}: {found} found, {a.expect_found} expected"
    M.logout()
    return n, n, found, time.perf_counter() - t0, time.process_time() - c0


def pop3_raw():
    """The anchor's pop3-raw client (one command at a time, no pipelining), plus STLS."""
    t0, c0 = time.perf_counter(), time.process_time()
    s = socket.create_connection((a.host, a.pop3_port))
    buf = bytearray()

    def reply_line():
        nonlocal buf
        while b"\r\n" not in buf:
            chunk = s.recv(1 << 16)
            assert chunk, "connection closed"
            buf += chunk
        i = buf.index(b"\r\n")
        line = bytes(buf[:i])
        del buf[: i + 2]
        assert line.startswith(b"+OK"), line
        return line

    def cmd(c):
        s.sendall(c.encode() + b"\r\n")
        return reply_line()

    reply_line()
    if a.starttls:
        cmd("STLS")
        assert not buf, "data after +OK to STLS"
        s = TLS.wrap_socket(s, server_hostname=None)
    cmd(f"USER {a.user}")
    cmd(f"PASS {a.password}")
    n = int(cmd("STAT").split()[1])
    nbytes = 0
    for i in range(1, n + 1):
        cmd(f"RETR {i}")
        while True:
            j = buf.find(b"\r\n.\r\n")
            if j >= 0 or (buf[:3] == b".\r\n"):
                break
            chunk = s.recv(1 << 16)
            assert chunk, "connection closed"
            buf += chunk
        if buf[:3] == b".\r\n":
            j = -2
        nbytes += j + 2
        del buf[: j + 5]
    cmd("QUIT")
    s.close()
    return n, n, nbytes, time.perf_counter() - t0, time.process_time() - c0


TESTS = {
    "imap-meta": imap_meta,
    "imap-body": imap_body,
    "imap-search": imap_search,
    "pop3-raw": pop3_raw,
}

for name in a.tests.split(","):
    for r in range(1 - a.warmup, a.runs + 1):
        n, nmsg, nbytes, wall, cpu = TESTS[name]()
        assert nmsg == n, (name, nmsg, n)
        print(
            "RESULT "
            + json.dumps(
                {
                    "label": a.label,
                    "test": name,
                    "run": r if r > 0 else "warmup",
                    "msgs": n,
                    "bytes": nbytes,
                    "wall_s": round(wall, 4),
                    "client_cpu_s": round(cpu, 3),
                }
            ),
            flush=True,
        )
