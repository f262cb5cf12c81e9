#!/usr/bin/env python3
"""The bench:imap mailbox: N messages of about 10 KB, in the format of Postfix's
smtp-source (the generator of the anchor's Maildir, see
/work/shared/reference/anchor-bench/postfix-smtp.sh): From/To/Date/Message-Id/Subject
headers, then a body of SIZE bytes in lines of 78 characters, each starting with its line
number modulo 10 and filled with X. One message in EVERY (default 10) also carries the
word WORD in the middle of its body, so SEARCH BODY WORD has a known answer.

Two ways to put the same messages somewhere (setup, not measured):
  smtp     send them with smtplib over SESSIONS concurrent sessions to HOST:PORT (Dizi's MX)
  maildir  write them as files into DIR/new the way Postfix's local(8) does (a
           Return-Path, Delivered-To and Received header in front), for Dovecot

Usage: messages.py smtp    --port P [--host 127.0.0.1] [--sessions 8] [common options]
       messages.py maildir --dir D [common options]
Common: --n 5000 --size 10240 --word zanzibar --every 10 --rcpt bench@example.test
"""
import argparse
import os
import smtplib
import sys
import threading
import time

p = argparse.ArgumentParser()
p.add_argument("mode", choices=["smtp", "maildir"])
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--port", type=int, default=0)
p.add_argument("--sessions", type=int, default=8)
p.add_argument("--dir", default="")
p.add_argument("--n", type=int, default=5000)
p.add_argument("--size", type=int, default=10240)
p.add_argument("--word", default="zanzibar")
p.add_argument("--every", type=int, default=10)
p.add_argument("--sender", default="sender@example.test")
p.add_argument("--rcpt", default="bench@example.test")
a = p.parse_args()
assert a.host in ("127.0.0.1", "::1", "localhost"), "loopback only"

DATE = "Mon, 23 Nov 2026 12:00:00 +0000 (UTC)"
LINE = 78  # characters per body line, as smtp-source writes them (plus CRLF)


def has_word(i: int) -> bool:
    """Message i (1-based) carries the search word: 1 in every `every`."""
    return a.every > 0 and i % a.every == 0


def message(i: int) -> bytes:
    head = (
        f"From: <{a.sender}>\r\n"
        f"To: <{a.rcpt}>\r\n"
        f"Date: {DATE}\r\n"
        f"Message-Id: <{i:05d}.0001.bench@example.test>\r\n"
        f"Subject: anchor test {i}\r\n"
        "\r\n"
    )
    lines = []
    nlines = max(1, a.size // (LINE + 2))
    for k in range(1, nlines + 1):
        line = str(k % 10) + "X" * (LINE - 1)
        if k == nlines // 2 and has_word(i):
            text = f"{k % 10} the word {a.word} is in this line "
            line = text + "X" * (LINE - len(text))
        lines.append(line)
    return (head + "\r\n".join(lines) + "\r\n").encode("ascii")


def send_smtp() -> None:
    errors: list = []
    counter = iter(range(1, a.n + 1))
    lock = threading.Lock()

    def worker() -> None:
        try:
            s = smtplib.SMTP(a.host, a.port, local_hostname="example.test", timeout=120)
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                s.sendmail(a.sender, [a.rcpt], message(i))
            s.quit()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(a.sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"smtp load failed: {errors[0]!r} ({len(errors)} sessions failed)", file=sys.stderr)
        sys.exit(1)
    wall = time.perf_counter() - t0
    print(f"sent={a.n} wall_s={wall:.2f} msgs_per_s={a.n / wall:.1f}", flush=True)


def write_maildir() -> None:
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(a.dir, sub), exist_ok=True)
    base = int(time.time())
    for i in range(1, a.n + 1):
        data = (
            f"Return-Path: <{a.sender}>\r\n"
            f"Delivered-To: {a.rcpt}\r\n"
            "Received: from example.test (localhost [127.0.0.1])\r\n"
            f"\tby bench.test (Postfix) with ESMTP id B{i:05d}\r\n"
            f"\tfor <{a.rcpt}>; {DATE}\r\n"
        ).encode("ascii") + message(i)
        # local(8) writes LF line ends into a Maildir; Dovecot adds the CR when it sends.
        data = data.replace(b"\r\n", b"\n")
        name = f"{base}.M{i:06d}P{os.getpid()}.bench.test,S={len(data)}"
        with open(os.path.join(a.dir, "tmp", name), "wb") as f:
            f.write(data)
        os.rename(os.path.join(a.dir, "tmp", name), os.path.join(a.dir, "new", name))
    print(f"written={a.n} dir={a.dir}", flush=True)


if a.mode == "smtp":
    assert a.port > 0, "--port is needed"
    send_smtp()
else:
    assert a.dir, "--dir is needed"
    write_maildir()
