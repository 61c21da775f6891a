#!/usr/bin/env python3
"""Page weight: the bytes shiori sends for every page of the patron journey,
per device class. Run by bench/page_weight.sh, which says how.

Each device walks the same journey on its own fresh demo library, as that
device would: feature phones without cookies (the session in URLs and forms,
forms sent in Shift_JIS), smartphones and PCs with the session cookie, UTF-8,
and asking for gzip as their browsers do (Accept-Encoding: gzip, deflate, br;
the feature phones ask for nothing). For each page: the body bytes of the page
the patron ends on, uncompressed (what counts against a phone's page cache).
The last rows: the stylesheet, and the whole journey on the wire (status
lines, headers and bodies as sent, redirects included), once without
Accept-Encoding and once as the device asks.
"""

import gzip
import html.parser
import http.client
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import urllib.parse

BROWSER_CODINGS = "gzip, deflate, br"  # what Chrome, Safari and Firefox send
DEVICES = [  # name, User-Agent, Accept-Encoding (None: the header is not sent)
    ("docomo 1.0", "DoCoMo/1.0/N503i", None),
    ("FOMA", "DoCoMo/2.0 N905i(c100;TB;W24H16)", None),
    ("au", "KDDI-SA31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0", None),
    ("SoftBank", "SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3", None),
    ("ガラホ", "Mozilla/5.0 (Linux; Android 8.1.0; SH-02L Build/S3080; wv) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Version/4.0 Chrome/67.0.3396.127 Mobile Safari/537.36",
     "gzip, deflate"),  # what the Android WebView sends
    ("smartphone", "Mozilla/5.0 (Linux; Android 13; SH-M24) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/124.0.0.0 Mobile Safari/537.36", BROWSER_CODINGS),
    ("PC", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0.0.0 Safari/537.36", BROWSER_CODINGS),
]


class Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms, self._a = [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self._a = [a["href"], ""]
        elif tag == "form":
            self.forms.append({"action": a.get("action"), "method": a.get("method", "get"), "hidden": [],
                               "buttons": [], "options": []})
        elif tag == "input" and self.forms:
            if a.get("type") == "hidden":
                self.forms[-1]["hidden"].append((a.get("name"), a.get("value", "")))
            elif a.get("type") == "submit":
                self.forms[-1]["buttons"].append(a.get("value"))
        elif tag == "option" and self.forms:
            self.forms[-1]["options"].append([a.get("value"), ""])

    def handle_endtag(self, tag):
        if tag == "a" and self._a:
            self.links.append(tuple(self._a))
            self._a = None

    def handle_data(self, data):
        if self._a:
            self._a[1] += data
        if self.forms and self.forms[-1]["options"] and self.lasttag == "option":
            self.forms[-1]["options"][-1][1] += data


class Client:
    def __init__(self, port, ua, codings=None):
        self.port, self.ua, self.codings = port, ua, codings
        self.sent = 0  # the last response's body bytes as sent
        self.cookies = {}  # name -> value: the session's, and a visitor's form-token cookie
        self.wire = 0
        self.charset = "utf-8"

    def request(self, method, target, body=None):
        """One request and its redirects; returns the final (status, body bytes)."""
        for _ in range(5):
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            headers = {"User-Agent": self.ua}
            if self.codings is not None:
                headers["Accept-Encoding"] = self.codings
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            c.request(method, target, body=body, headers=headers)
            r = c.getresponse()
            data = r.read()
            self.sent = len(data)
            self.wire += len(f"HTTP/1.1 {r.status} {r.reason}\r\n") + 2 + len(data)
            self.wire += sum(len(k) + len(v) + 4 for k, v in r.getheaders())
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    name, _, value = v.split(";")[0].partition("=")
                    if value and "Max-Age=0" not in v:
                        self.cookies[name] = value
                    else:
                        self.cookies.pop(name, None)
            ct = r.getheader("Content-Type", "")
            encoding = r.getheader("Content-Encoding", "")
            c.close()
            if encoding == "gzip":
                data = gzip.decompress(data)
            elif encoding:
                raise RuntimeError(f"{target}: Content-Encoding {encoding} not asked for")
            if r.status in (301, 302, 303):
                method, target, body = "GET", r.getheader("Location"), None
                continue
            self.charset = "cp932" if "Shift_JIS" in ct else "utf-8"
            self.page = Forms()
            self.page.feed(data.decode(self.charset))
            return r.status, data
        raise RuntimeError(f"too many redirects at {target}")

    def link(self, text, prefix=False):
        for href, t in self.page.links:
            t = re.sub(r"^\[\d\]", "", t.strip())
            if t == text or (prefix and t.startswith(text)):
                return href
        raise RuntimeError(f"no link {text}")

    def submit(self, button, values=()):
        f = next(f for f in self.page.forms if button in f["buttons"])
        fields = f["hidden"] + list(values)
        body = "&".join(urllib.parse.quote_plus(k.encode(self.charset)) + "=" +
                        urllib.parse.quote_plus(v.encode(self.charset)) for k, v in fields)
        if f["method"] == "get":
            return self.request("GET", f["action"] + ("&" if "?" in f["action"] else "?") + body)
        return self.request("POST", f["action"], body.encode("ascii"))

    def option(self, button, text):
        f = next(f for f in self.page.forms if button in f["buttons"])
        return next(v for v, t in f["options"] if t == text)


def journey(c):
    """Yields (page, status, body bytes) along the journey."""
    yield ("top /",) + c.request("GET", "/")
    yield ("search 猫",) + c.submit("検索", [("q", "猫")])
    yield ("record",) + c.request("GET", c.link("吾輩は猫である"))
    yield ("record (after カートに入れる)",) + c.submit("カートに入れる")
    yield ("cart",) + c.request("GET", c.link("カートを見る"))
    yield ("reserve → login (401)",) + c.request("GET", c.link("予約する"))
    yield ("reserve form",) + c.submit("ログイン", [("card", "1000000011"), ("password", "neko2026")])
    noda = c.option("確認へ進む", "野田図書館")
    yield ("reserve confirm",) + c.submit("確認へ進む", [("branch", noda), ("contact", "none")])
    yield ("reserve result",) + c.submit("予約する")
    yield ("holds 予約中一覧",) + c.request("GET", c.link("予約中一覧"))
    yield ("account 利用照会",) + c.request("GET", c.link("利用照会のトップへ"))
    loans = c.link("貸出中一覧", prefix=True)
    ready = c.link("予約確保一覧", prefix=True)
    password = c.link("パスワードの変更")
    email = c.link("Eメールアドレスの変更")
    yield ("loans 貸出中一覧",) + c.request("GET", loans)
    yield ("ready 予約確保一覧",) + c.request("GET", ready)
    yield ("password form",) + c.request("GET", password)
    yield ("password changed",) + c.submit("変更する", [("current", "neko2026"), ("password", "Mike2027"),
                                                      ("password2", "Mike2027")])
    yield ("email form",) + c.request("GET", email)
    c.request("GET", c.link("利用照会のトップへ"))
    yield ("logout",) + c.submit("ログアウト")


def start(bin_, work):
    proc = subprocess.Popen([bin_, "serve", "--demo", "--db", os.path.join(work, "demo.db"),
                             "--listen", "127.0.0.1:0", "--staff-listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    out, deadline = b"", time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if select.select([proc.stdout], [], [], 1)[0]:
            out += os.read(proc.stdout.fileno(), 4096)
            m = re.search(rb"listening on http://127\.0\.0\.1:(\d+)/", out)
            if m:
                return proc, int(m.group(1))
    proc.kill()
    sys.exit("shiori did not start:\n" + out.decode("utf-8", "replace"))


def main():
    bin_ = sys.argv[1]
    columns, rows, plain_wire, wire, style = [], {}, [], [], []
    with tempfile.TemporaryDirectory(prefix="shiori-weight-") as root:
        for name, ua, codings in DEVICES:
            # Twice, each on a fresh library: without Accept-Encoding, then as the device asks.
            for asks in (None, codings) if codings else (None,):
                work = os.path.join(root, f"{len(columns)}-{asks is not None}")
                os.makedirs(work)
                proc, port = start(bin_, work)
                try:
                    c = Client(port, ua, asks)
                    pages = [(page, status, data) for page, status, data in journey(c)]
                    (wire if asks else plain_wire).append(c.wire)
                    if asks or not codings:
                        for page, status, data in pages:
                            rows.setdefault(page, []).append(
                                f"{len(data):,}" + ("" if status < 400 else f" ({status})"))
                    if not codings:
                        wire.append(c.wire)
                    if asks and name in ("smartphone", "PC"):
                        sheet = Client(port, ua, asks)
                        status, data = sheet.request("GET", "/style.css")
                        style.append(f"{len(data):,} ({sheet.sent:,} sent)" if status == 200
                                     else f"not served ({status})")
                    elif not codings or (asks and name == "ガラホ"):
                        style.append("none")
                finally:
                    proc.terminate()
                    proc.wait(10)
            columns.append(name)
    print("| page | " + " | ".join(columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    for page, values in rows.items():
        print(f"| {page} | " + " | ".join(values) + " |")
    print("| stylesheet /style.css (once, cached) | " + " | ".join(style) + " |")
    print("| Accept-Encoding sent | " +
          " | ".join(f"`{c}`" if c else "none" for _, _, c in DEVICES) + " |")
    print("| whole journey on the wire, no Accept-Encoding | " +
          " | ".join(f"{n:,}" for n in plain_wire) + " |")
    print("| **whole journey on the wire, as the device asks** | " +
          " | ".join(f"**{n:,}**" for n in wire) + " |")

if __name__ == "__main__":
    main()
