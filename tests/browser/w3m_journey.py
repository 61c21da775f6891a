#!/usr/bin/env python3
"""Feature-phone journeys with the real text browser w3m.

For a docomo (DoCoMo/1.0, no cookies, 5 KB), an au and a SoftBank User-Agent,
w3m (-no-cookie) walks the patron journey against the real shiori on a fresh
demo library: top page, search 猫, record, カートに入れる (back to the record),
cart, 予約する (login), confirm, place, the three lists, 延長, password change and back, a
new e-mail address confirmed through its link opened without the session,
logout. w3m fetches every page (-dump_extra gives the status, the headers and
the raw bytes; forms are sent with -post as the phone would send them: fields
from the page, values in Shift_JIS) and renders it as text (-dump). Every page
must: answer with charset=Shift_JIS, decode as CP932 with `iconv -f CP932`
(strict), fit the device's page budget, have lang="ja" and one h1, a label for
every field, accesskeys on its main links, keep the session in every same-site
link and form (w3m keeps no cookie) but on the exit page, which carries none
in any link (an old phone sends its address as the Referer), have no broken
same-site link (each is followed with -dump_head), and put no session id in
any off-site link (the exit page's link is checked).

    SHIORI_BIN=build/gateway/shiori python3 tests/browser/w3m_journey.py

Exit status 0 when every journey passes; the last line counts them.
"""

import html.parser
import os
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
W3M_TIMEOUT = 30  # seconds for one w3m run

# name, User-Agent, page budget in bytes (the gateway's profile for it).
PHONES = [
    ("docomo", "DoCoMo/1.0/N503i", 5 * 1024),
    ("au", "KDDI-SA31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0", 30 * 1024),
    ("softbank", "SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3", 30 * 1024),
]


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


# ------------------------------------------------------------------ server


class Shiori:
    """The real server on a fresh demo database and a free loopback port."""

    def __init__(self, workdir):
        bin_ = os.environ.get("SHIORI_BIN") or os.path.join(HERE, "..", "..", "build", "gateway", "shiori")
        check(os.path.exists(bin_), f"no shiori binary at {bin_}: set SHIORI_BIN")
        self.db = os.path.join(workdir, "demo.db")
        self.proc = subprocess.Popen(
            [bin_, "serve", "--demo", "--db", self.db, "--listen", "127.0.0.1:0",
             "--staff-listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out = b""
        deadline = time.monotonic() + 30
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self.stop()
                raise Failure("shiori printed no listening line:\n" + out.decode("utf-8", "replace"))
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                out += chunk
                m = re.search(rb"shiori: listening on (http://127\.0\.0\.1:\d+/)", out)
                if m:
                    self.url = m.group(1).decode()
                    return

    def confirmation_code(self, address):
        """The code in the confirmation mail to `address`, as it waits in the outbox
        (no SMTP server listens here, so it is not sent)."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as db:
            row = db.execute("SELECT detail FROM outbox WHERE kind = 'email_confirm'"
                             " AND status IN ('pending', 'sending') AND to_address = ?", (address,)).fetchone()
        check(row and row[0], f"no confirmation waits for {address}")
        return row[0]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()


# ------------------------------------------------------------------ pages


class PageParser(html.parser.HTMLParser):
    """Links, forms (with their fields and options), h1s and lang of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []  # (href, attrs, text)
        self.forms = []  # {action, method, fields: [(name, value, type)], selects: {name: [(value, text)]}, buttons}
        self.h1 = []
        self.lang = None
        self.keys = set()  # accesskeys of links and fields
        self.labels = set()  # the ids labels are for
        self.fields = []  # ids of the fields a patron fills in
        self.title = ""
        self._a = None
        self._h1 = None
        self._title = None
        self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("accesskey"):
            self.keys.add(a["accesskey"])
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "a" and "href" in a:
            self._a = [a["href"], a, ""]
        elif tag == "h1":
            self._h1 = ""
        elif tag == "title":
            self._title = ""
        elif tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                               "fields": [], "selects": {}, "buttons": []})
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.fields.append(a.get("id") or a.get("name") or tag)
        if tag == "input" and self.forms:
            t = a.get("type", "text")
            if t == "submit":
                self.forms[-1]["buttons"].append(a.get("value", ""))
            elif t == "radio":
                self.forms[-1]["fields"].append((a.get("name"), a.get("value", ""), t))
            else:
                self.forms[-1]["fields"].append((a.get("name"), a.get("value", ""), t))
        elif tag == "select" and self.forms:
            self._select = a.get("name")
            self.forms[-1]["selects"][self._select] = []
        elif tag == "option" and self._select:
            self._option = [a.get("value", ""), ""]

    def handle_endtag(self, tag):
        if tag == "a" and self._a:
            self.links.append(tuple(self._a))
            self._a = None
        elif tag == "h1" and self._h1 is not None:
            self.h1.append(self._h1)
            self._h1 = None
        elif tag == "title" and self._title is not None:
            self.title = self._title
            self._title = None
        elif tag == "option" and self._option:
            self.forms[-1]["selects"][self._select].append(tuple(self._option))
            self._option = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._a:
            self._a[2] += data
        if self._h1 is not None:
            self._h1 += data
        if self._title is not None:
            self._title += data
        if self._option:
            self._option[1] += data


class Page:
    def __init__(self, url, status, headers, raw, text):
        self.url, self.status, self.headers, self.raw, self.text = url, status, headers, raw, text
        self.html = raw.decode("cp932")
        p = PageParser()
        p.feed(self.html)
        self.p = p

    def link(self, text):
        for href, _, t in self.p.links:
            if t.strip() == text or re.sub(r"^\[\d\]", "", t.strip()) == text:
                return href
        raise Failure(f"no link 「{text}」 on {self.url}: {[t for _, _, t in self.p.links]}")

    def link_starting(self, prefix):
        for href, _, t in self.p.links:
            if t.strip().startswith(prefix):
                return href
        raise Failure(f"no link 「{prefix}…」 on {self.url}")

    def form(self, button):
        for f in self.p.forms:
            if button in f["buttons"]:
                return f
        raise Failure(f"no form with 「{button}」 on {self.url}: {[f['buttons'] for f in self.p.forms]}")


# ------------------------------------------------------------------ w3m


class Phone:
    """One feature phone: w3m with its User-Agent and no cookies."""

    def __init__(self, name, ua, budget, server, home):
        self.name, self.ua, self.budget, self.server = name, ua, budget, server
        self.base = urllib.parse.urlsplit(server.url)
        self.env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.env["HOME"] = home  # w3m's ~/.w3m: a scratch one, never the user's
        self.env["no_proxy"] = "*"
        self.sid = None
        self.pages = 0
        self.bytes = []
        self.checked = {}  # URL -> status of the links already followed

    def w3m(self, args, stdin=None):
        r = subprocess.run(["w3m", "-no-cookie", "-o", f"user_agent={self.ua}", "-o", "accept_encoding=identity"]
                           + args, input=stdin, capture_output=True, env=self.env, timeout=W3M_TIMEOUT)
        check(r.returncode == 0, f"w3m {args} failed: {r.stderr.decode('utf-8', 'replace')}")
        return r.stdout

    def absolute(self, href):
        return urllib.parse.urljoin(self.server.url, href)

    def fetch(self, href, post=None):
        """GETs `href` or POSTs the bytes `post` to it; follows redirects. -> (status, headers, raw)"""
        args = ["-dump_extra"]
        tmp = None
        if post is not None:
            tmp = tempfile.NamedTemporaryFile(delete=False)
            tmp.write(post)
            tmp.close()
            args += ["-post", tmp.name]
        try:
            out = self.w3m(args + [self.absolute(href)])
        finally:
            if tmp:
                os.unlink(tmp.name)
        # w3m writes its own W3m-* lines, then for each response the status line
        # and headers, then the body of the last one after a blank line.
        starts = [m.start() for m in re.finditer(rb"(?m)^HTTP/1\.[01] \d{3}", out)]
        check(starts, f"no HTTP response for {href}: {out[:200]!r}")
        last = out[starts[-1]:]
        end = re.search(rb"\r?\n\r?\n", last)
        check(end, f"no end of headers for {href}")
        head, body = last[: end.start()], last[end.end():]
        lines = head.decode("latin-1").splitlines()
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        length = headers.get("content-length")
        if length:
            body = body[: int(length[0])]
        cookies = re.findall(rb"(?mi)^Set-Cookie:", out)
        return status, headers, body, bool(cookies)

    def render(self, raw):
        """What the patron reads: w3m's text rendering of the page's bytes."""
        return self.w3m(["-T", "text/html", "-I", "Shift_JIS", "-O", "UTF-8", "-cols", "40", "-dump"],
                        stdin=raw).decode("utf-8")

    def visit(self, label, href, post=None, status=200, h1=None, shows=(), keys=()):
        code, headers, raw, cookie = self.fetch(href, post)
        where = f"{self.name} {label} ({href})"
        check(code == status, f"{where}: HTTP {code}, expected {status}")
        ct = headers.get("content-type", [""])[-1]
        check(ct == "text/html; charset=Shift_JIS", f"{where}: Content-Type {ct!r}")
        iconv = subprocess.run(["iconv", "-f", "CP932", "-t", "UTF-8"], input=raw, capture_output=True)
        check(iconv.returncode == 0, f"{where}: not CP932: {iconv.stderr.decode('utf-8', 'replace')}")
        check(len(raw) <= self.budget, f"{where}: {len(raw)} bytes, over the budget of {self.budget}")
        if self.name == "docomo":
            check(not cookie, f"{where}: a cookie sent to an i-mode phone that keeps none")
        page = Page(href, code, headers, raw, self.render(raw))
        check(page.p.lang == "ja", f"{where}: lang={page.p.lang!r}")
        check(len(page.p.h1) == 1, f"{where}: {len(page.p.h1)} h1 elements")
        if h1:
            check(page.p.h1[0] == h1, f"{where}: h1 「{page.p.h1[0]}」, expected 「{h1}」")
        check('content="text/html; charset=Shift_JIS"' in page.html, f"{where}: meta charset")
        check(page.p.title and page.p.h1[0] in page.p.title, f"{where}: title 「{page.p.title}」")
        check(page.p.h1[0] in page.text, f"{where}: w3m shows no heading:\n{page.text}")
        for f in page.p.fields:
            check(f in page.p.labels, f"{where}: field {f} has no label")
        for s in shows:
            # w3m wraps lines at the screen's width, in the middle of a word too.
            check(s in page.text.replace("\n", ""), f"{where}: w3m shows no 「{s}」:\n{page.text}")
        self.check_links(where, page, keys)
        self.pages += 1
        self.bytes.append((label, len(raw)))
        return page

    def check_links(self, where, page, keys):
        given = {a.get("accesskey") for _, a, _ in page.p.links if a.get("accesskey")}
        check(given, f"{where}: no link has an accesskey")
        for k in keys:
            check(k in page.p.keys, f"{where}: nothing on key {k} (keys: {sorted(page.p.keys)})")
        for href, _, text in page.p.links:
            u = urllib.parse.urlsplit(self.absolute(href))
            q = urllib.parse.parse_qs(u.query)
            if (u.scheme, u.netloc) != (self.base.scheme, self.base.netloc):
                check("sid" not in q and "sid=" not in href, f"{where}: session id in off-site link {href}")
                continue
            if u.path == "/exit":
                check("sid" not in q, f"{where}: session id in the exit link {href}")
                continue
            if self.sid:
                check(q.get("sid") == [self.sid], f"{where}: link 「{text}」 without the session: {href}")
            self.check_link(where, text, href)
        for f in page.p.forms:
            if self.sid:
                sids = [v for n, v, _ in f["fields"] if n == "sid"]
                check(sids == [self.sid], f"{where}: form {f['action']} without the session")

    def check_link(self, where, text, href):
        """A same-site link answers below 400 (401: the login form) to this phone."""
        url = self.absolute(href)
        if url not in self.checked:
            out = self.w3m(["-dump_head", url])
            codes = re.findall(rb"(?m)^HTTP/1\.[01] (\d{3})", out)
            check(codes, f"{where}: no answer for link 「{text}」 {href}")
            self.checked[url] = int(codes[-1])
        code = self.checked[url]
        check(code < 400 or code == 401, f"{where}: broken link 「{text}」 {href}: HTTP {code}")

    def learn_session(self, page):
        """The session id the page's links carry (the phone keeps it only there)."""
        for href, _, _ in page.p.links:
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
            if "sid" in q:
                if self.sid and q["sid"][0] != self.sid:
                    self.sid = q["sid"][0]  # rotated at login: checked by the page's own links
                self.sid = q["sid"][0]
                return

    @staticmethod
    def encode(fields):
        """application/x-www-form-urlencoded in Shift_JIS (CP932), as the phone sends it."""
        return "&".join(urllib.parse.quote_plus(k.encode("cp932")) + "=" + urllib.parse.quote_plus(v.encode("cp932"))
                        for k, v in fields).encode("ascii")

    def submit(self, page, button, values=(), **visit):
        """Sends the form of `page` with `button`: its hidden fields plus `values`."""
        f = page.form(button)
        fields = [(n, v) for n, v, t in f["fields"] if t == "hidden" and n]
        fields += list(values)
        body = self.encode(fields)
        if f["method"] == "get":
            sep = "&" if "?" in f["action"] else "?"
            return self.visit(visit.pop("label"), f["action"] + sep + body.decode(), **visit)
        return self.visit(visit.pop("label"), f["action"], post=body, **visit)


# ------------------------------------------------------------------ journey


def journey(phone):
    top = phone.visit("top", "/", h1="出水市立図書館", shows=("蔵書検索",), keys="123")
    results = phone.submit(top, "検索", [("q", "猫")], label="search", h1="検索結果", shows=("吾輩は猫である",))
    phone.learn_session(results)
    record = phone.visit("record", results.link("吾輩は猫である"), h1="吾輩は猫である", shows=("所蔵",), keys="0")
    phone.learn_session(record)
    added = phone.submit(record, "カートに入れる", label="cart-add", h1="吾輩は猫である",
                         shows=("カートに入れました（1冊）", "カートに入っています"))
    phone.learn_session(added)
    check("カートに入れる" not in added.text, f"{phone.name}: a title in the cart is offered again")
    cart = phone.visit("cart", added.link("カートを見る"), h1="カート", shows=("吾輩は猫である",), keys="5")
    phone.learn_session(cart)
    check(phone.sid, f"{phone.name}: the cart has no session id in its links")
    login = phone.visit("reserve-login", cart.link("予約する"), status=401, h1="利用照会（ログイン）",
                        shows=("利用者カードの番号", "パスワード"))
    before = phone.sid
    phone.sid = None  # a new id at login: learnt from the next page
    reserve = phone.submit(login, "ログイン", [("card", "1000000011"), ("password", "neko2026")],
                           label="reserve", h1="予約する", shows=("受取館",))
    phone.learn_session(reserve)
    check(phone.sid and phone.sid != before, f"{phone.name}: the session id did not change at login")
    noda = [v for v, t in reserve.form("確認へ進む")["selects"]["branch"] if t == "野田図書館"]
    check(noda, f"{phone.name}: no 野田図書館 to pick up at")
    confirm = phone.submit(reserve, "確認へ進む", [("branch", noda[0]), ("contact", "none")],
                           label="reserve-confirm", h1="予約の確認", shows=("野田図書館", "連絡不要"))
    placed = phone.submit(confirm, "予約する", label="reserve-place", h1="予約の結果", shows=("予約しました",))
    holds = phone.visit("holds", placed.link("予約中一覧"), h1="予約中一覧", shows=("吾輩は猫である",))
    account = phone.visit("account", holds.link("利用照会のトップへ"), h1="利用照会", keys="12345")
    phone.visit("loans", account.link_starting("貸出中一覧"), h1="貸出中一覧", shows=("返却期限",))
    phone.visit("ready", account.link_starting("予約確保一覧"), h1="予約確保一覧")
    for old, new, label in (("neko2026", "Mike2027", "password-changed"), ("Mike2027", "neko2026", "password-restored")):
        form = phone.visit("password", account.link("パスワードの変更"), h1="パスワードの変更")
        account = phone.submit(form, "変更する", [("current", old), ("password", new), ("password2", new)],
                               label=label, h1="利用照会", shows=("パスワードを変更しました",))
    # A new address: the confirmation's link opened as the phone opens a mail's
    # link, without the session; the login leads back to it, its button confirms.
    form = phone.visit("email", account.link("Eメールアドレスの変更"), h1="Eメールアドレスの変更")
    sent = phone.submit(form, "変更する", [("email", "kyoko.new@docomo.ne.jp")], label="email-sent",
                        h1="Eメールアドレスの変更", shows=("確認のメールを",))
    check("再度手続きをしてください" in sent.html, f"{phone.name}: no advice for a mail that does not arrive")
    code = phone.server.confirmation_code("kyoko.new@docomo.ne.jp")
    phone.sid = None
    login = phone.visit("email-link", "/account/email/confirm?c=" + code, status=401, h1="利用照会（ログイン）")
    check("ログインしてください" in login.html, f"{phone.name}: the link's login page does not say why")
    phone.learn_session(login)
    phone.sid = None
    confirm = phone.submit(login, "ログイン", [("card", "1000000011"), ("password", "neko2026")],
                           label="email-confirm", h1="メールアドレスの確認", shows=("kyoko.new@docomo.ne.jp",))
    phone.learn_session(confirm)
    account = phone.submit(confirm, "登録する", label="email-confirmed", h1="利用照会", shows=("変更しました",))
    # The exit page in front of an off-site address, reached with the session
    # (a crafted link): sent again without it, and no link on it carries the id
    # (an old phone sends the exit page's address as the Referer).
    site = "https://www.city.izumi.kagoshima.jp/"
    kept, phone.sid = phone.sid, None
    exit_page = phone.visit("exit", "/exit?to=" + urllib.parse.quote(site, safe="") + "&sid=" + kept)
    check(any(href == site for href, _, _ in exit_page.p.links), f"{phone.name}: no link to {site} on the exit page")
    check(not any("sid=" in href for href, _, _ in exit_page.p.links),
          f"{phone.name}: a link on the exit page carries the session id")
    # (logged out next: the pages carry no id until the next one is needed)
    # Logging out says so, on the login page for whoever comes next.
    login = phone.submit(account, "ログアウト", label="logout", h1="利用照会（ログイン）",
                         shows=("ログアウトしました",))
    # The second patron renews her loan due today, after a confirmation that
    # names the new due date; the list then says 延長済み.
    phone.learn_session(login)
    phone.sid = None
    home = phone.submit(login, "ログイン", [("card", "1000000055"), ("password", "satsuma5")],
                        label="account-2", h1="利用照会")
    phone.learn_session(home)
    loans = phone.visit("loans-2", home.link_starting("貸出中一覧"), h1="貸出中一覧")
    ask = phone.submit(loans, "延長", label="renew-ask", h1="貸出の延長",
                       shows=("延長は1回だけです", "新しい返却期限は"))
    renewed = phone.submit(ask, "延長する", label="renew", h1="貸出中一覧",
                           shows=("延長しました", "延長済み"))
    home = phone.visit("account-3", renewed.link("利用照会のトップへ"), h1="利用照会")
    phone.sid = None
    phone.submit(home, "ログアウト", label="logout-2", h1="利用照会（ログイン）")


def main():
    passed = failed = 0
    root = tempfile.mkdtemp(prefix="shiori-w3m-")
    try:
        for name, ua, budget in PHONES:
            work = os.path.join(root, name)
            os.makedirs(os.path.join(work, "home"))
            started = time.monotonic()
            server = None
            try:
                server = Shiori(work)
                phone = Phone(name, ua, budget, server, os.path.join(work, "home"))
                journey(phone)
                biggest = max(phone.bytes, key=lambda x: x[1])
                print(f"ok {name}: {phone.pages} pages, {len(phone.checked)} links, "
                      f"largest {biggest[0]} {biggest[1]} bytes "
                      f"(budget {budget}), {time.monotonic() - started:.1f} s")
                passed += 1
            except (Failure, subprocess.TimeoutExpired, UnicodeDecodeError) as e:
                print(f"FAIL {name}: {e}")
                failed += 1
            finally:
                if server:
                    server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == len(PHONES) else 1


if __name__ == "__main__":
    sys.exit(main())
