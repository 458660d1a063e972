#!/usr/bin/env python3
"""Runs a command under a pseudo-terminal of a given width and replays what it wrote through a
minimal terminal (CR, LF, BS, ESC[nA, ESC[K, ESC[J, SGR ignored) to check what a person sees.

    pty_screen.py --cols 80 [--resize-at-ms MS --resize-cols N] [--stdin TEXT] -- CMD ARGS...

Prints one JSON object:
  rc            the command's exit code
  overflow      text written past the last column (a line wider than the terminal), with the width;
                only while a progress region was on screen (before its last clear): the summary
                after it is ordinary text the terminal wraps
  partial       rows of the final screen that are not a whole line the program wrote (overwritten
                leftovers such as ":20:58.100Z 3.5sloying")
  unknown       escape sequences the minimal terminal does not know
  screen        the final screen (rows, trailing blanks removed)
  last_frame    the screen just before the progress region was cleared the last time
  frames        how many times a region was redrawn
  clocks        per app name, the clock values shown in the region, in order
"""
import argparse
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time


class Terminal:
    def __init__(self, cols):
        self.cols = cols
        self.rows = [[]]
        self.r = 0
        self.c = 0
        self.overflow = []
        self.unknown = []
        self.written = set()   # whole runs of text that began at column 0
        self.run = None
        self.frames = []       # screens just before a redraw moved up

    def _row(self):
        while len(self.rows) <= self.r:
            self.rows.append([])
        return self.rows[self.r]

    def _end_run(self):
        if self.run is not None:
            self.written.add(self.run.rstrip())
            self.run = None

    def screen(self):
        return [("".join(ch for ch in row)).rstrip() for row in self.rows]

    def put(self, ch):
        if self.c >= self.cols:
            self.overflow.append({"cols": self.cols, "row": "".join(self._row()), "frame": len(self.frames)})
            self.c = 0           # autowrap, as a real terminal would
            self._end_run()
            self.r += 1
        row = self._row()
        if self.c == 0 and self.run is None:
            self.run = ""
        if self.run is not None:
            self.run += ch
        while len(row) < self.c:
            row.append(" ")
        if self.c < len(row):
            row[self.c] = ch
        else:
            row.append(ch)
        self.c += 1

    def feed(self, text):
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "\x1b":
                m = re.match(r"\x1b\[([0-9;?]*)([A-Za-z])", text[i:])
                if not m:
                    self.unknown.append(repr(text[i:i + 8]))
                    i += 1
                    continue
                self.escape(m.group(1), m.group(2))
                i += m.end()
                continue
            if ch == "\r":
                self._end_run()
                self.c = 0
            elif ch == "\n":
                self._end_run()
                self.r += 1
                self._row()
            elif ch == "\b":
                self._end_run()
                self.c = max(0, self.c - 1)
            elif ch == "\t":
                self.c = (self.c // 8 + 1) * 8
            elif ord(ch) >= 32:
                self.put(ch)
            i += 1

    def resize(self, cols):
        """Reflows the rows, as terminals that rewrap do (vte, kitty, tmux): a row wider
        than the new width continues on the next row. The cursor keeps its place in the text."""
        rows, cursor = [], None
        for i, row in enumerate(self.rows):
            chunks = [row[k:k + cols] for k in range(0, max(len(row), 1), cols)] or [[]]
            if i == self.r:
                cursor = (len(rows) + min(self.c // cols, len(chunks) - 1), self.c % cols if self.c < len(row) else min(self.c, cols - 1))
                if self.c == 0:
                    cursor = (len(rows), 0)
            rows.extend(chunks)
            if len(chunks) > 1:
                self.written.update("".join(c).rstrip() for c in chunks)
        self.rows, self.cols = rows, cols
        if cursor:
            self.r, self.c = cursor

    def escape(self, args, final):
        n = int(args) if args.isdigit() else None
        if final == "m":
            return  # SGR (colour) changes no text: a coloured line is still one run
        self._end_run()
        if final == "A":
            self.frames.append(self.screen())
            self.r = max(0, self.r - (n or 1))
        elif final == "K":
            row = self._row()
            if n in (None, 0):
                del row[self.c:]
            elif n == 2:
                row.clear()
            else:
                self.unknown.append("ESC[%sK" % args)
        elif final == "J" and n in (None, 0):
            del self._row()[self.c:]
            del self.rows[self.r + 1:]
        else:
            self.unknown.append("ESC[%s%s" % (args, final))


def set_size(fd, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cols", type=int, required=True)
    ap.add_argument("--resize-at-ms", type=int, default=0)
    ap.add_argument("--resize-cols", type=int, default=0)
    ap.add_argument("--stdin", default=None, help="typed on the terminal once it asks")
    ap.add_argument("--raw", default=None, help="also save the raw output here")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    master, slave = os.openpty()
    set_size(slave, a.cols)

    def child_setup():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, preexec_fn=child_setup, close_fds=True)
    os.close(slave)
    raw = b""
    started = time.monotonic()
    resized = False
    typed = False
    while True:
        if a.resize_at_ms and not resized and (time.monotonic() - started) * 1000 >= a.resize_at_ms:
            set_size(master, a.resize_cols)   # the kernel sends SIGWINCH to the command
            raw += b"\x00RESIZE\x00"
            resized = True
        if a.stdin is not None and not typed and b"?" in raw:
            os.write(master, a.stdin.encode() + b"\n")
            typed = True
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            raw += data
        elif proc.poll() is not None:
            # drain what is left
            try:
                while select.select([master], [], [], 0.1)[0]:
                    data = os.read(master, 65536)
                    if not data:
                        break
                    raw += data
            except OSError:
                pass
            break
    rc = proc.wait()
    os.close(master)
    if a.raw:
        with open(a.raw, "wb") as f:
            f.write(raw)
    text = raw.decode("utf-8", "replace")
    parts = text.split("\x00RESIZE\x00")
    term = Terminal(a.cols)
    term.feed(parts[0])
    if len(parts) > 1:
        term._end_run()
        term.resize(a.resize_cols)
        term.feed(parts[1])
    term._end_run()
    screen = term.screen()
    while screen and not screen[-1]:
        screen.pop()
    partial = [row for row in screen if row and row not in term.written]
    clocks = {}
    for frame in term.frames + [term.screen()]:
        for row in frame:
            m = re.match(r"^(/\S+)\s+(\d+m\d\ds|\d+s)\s", row)
            if m:
                seq = clocks.setdefault(m.group(1), [])
                if not seq or seq[-1] != m.group(2):
                    seq.append(m.group(2))
    last_frame = term.frames[-1] if term.frames else []
    while last_frame and not last_frame[-1]:
        last_frame.pop()
    live_overflow = [o for o in term.overflow if o["frame"] < len(term.frames)]
    print(json.dumps({"rc": rc, "overflow": live_overflow, "partial": partial, "unknown": term.unknown,
                      "screen": screen, "last_frame": last_frame, "frames": len(term.frames), "clocks": clocks}))


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    main()
