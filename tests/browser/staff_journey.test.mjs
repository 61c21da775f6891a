// The counter's journey through the real staff pages (職員用) in Debian's
// chromium driven by playwright-core, at a PC viewport, against the real
// shiori on a fresh demo library whose day is 2026-12-17: a copy returned at
// 野田 travels to 中央 for a hold and is ready only when received there; a
// hold pulled from 高尾野's shelf travels to 野田 and is phoned; a checkout at
// 中央 is due after the year-end closure; 取置棚, ダッシュボード and 操作記録.
// Patrons reserve on the public site in the same browser, in contexts of
// their own. Every staff page reached is checked: its status, Content-Type
// text/html; charset=UTF-8 and Cache-Control no-store, lang="ja", exactly
// one h1, a label for every field, the focus on the first field (the
// barcode, card or login field: a scanner types into it at once), the
// outcome of an action in the role="status" region, no console error, no
// HTTP error the journey did not expect, no off-site link, and axe-core
// (serious and critical violations fail). The scan forms are used as a
// scanner does: typed into the focused field, then Enter. Screenshots of
// every page go to $ARTIFACTS/shiori-browser/staff/ (default: the temporary
// directory), never into the tree.
//
//   (cd tests/browser && npm ci)   # once; ./setup.sh test does it
//   SHIORI_BIN=build/gateway/shiori node --test tests/browser/staff_journey.test.mjs
//
// Staff pages have no script of their own, so axe runs in the page itself,
// with JavaScript on. Their Content-Security-Policy (default-src 'none') is
// kept, so a blocked resource still shows as a console error: axe goes in
// through page.evaluate (DevTools' evaluation, which the policy does not
// govern), not as a <script> element.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CHROMIUM, LANDMARK_RULES, axeSource, launchChromium } from './chromium.mjs';
import { startShiori } from './shiori.mjs';

const ARTIFACTS = path.join(process.env.ARTIFACTS || os.tmpdir(), 'shiori-browser', 'staff');
const STEP_MS = 20000;
// A Thursday in December: 14 days on is 12-31, inside the year-end closure.
const TODAY = '2026-12-17';
const COUNTER_PASSWORD = 'counter-pass-2026';

const PC = {
  viewport: { width: 1280, height: 800 },
  isMobile: false,
  hasTouch: false,
  userAgent:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/124.0.0.0 Safari/537.36',
  locale: 'ja-JP',
};

// What the whole journey shares: the staff site, what went wrong so far, the
// pages seen and the screenshots.
class Journey {
  constructor(t, browser, server) {
    this.t = t;
    this.browser = browser;
    this.server = server;
    this.base = new URL(server.staffUrl);
    this.problems = [];
    this.minor = new Map(); // axe's moderate and minor findings: reported, not failed
    this.visited = new Set(); // paths of the staff pages seen
    this.shots = 0;
    this.contexts = [];
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  }

  async context(javaScriptEnabled) {
    const c = await this.browser.newContext({ ...PC, javaScriptEnabled });
    c.setDefaultTimeout(STEP_MS);
    this.contexts.push(c);
    return c;
  }

  // One member's browser, at the counter of one branch.
  async desk(who) {
    const context = await this.context(true);
    return new Desk(this, who, context, await context.newPage());
  }

  // One patron's browser on the public site (JavaScript off, as the patron
  // journey walks it).
  async patron(card, password) {
    const context = await this.context(false);
    const p = new Patron(this, card, context, await context.newPage());
    await p.login(password);
    return p;
  }

  sql(query) {
    return execFileSync('sqlite3', [this.server.db, query], { encoding: 'utf8' }).trim();
  }

  async close() {
    for (const c of this.contexts) await c.close();
  }
}

// One member at one branch: the page, and the checks run on every staff page
// it reaches.
class Desk {
  constructor(j, who, context, page) {
    this.j = j;
    this.who = who;
    this.context = context;
    this.page = page;
    this.expected = new Map(); // URL path -> status the current step expects
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const where = m.location()?.url || '';
      const status = /status of (\d+)/.exec(m.text());
      if (status && this.isExpected(where, Number(status[1]))) return;
      j.problems.push(`${who}: console error on ${page.url()}: ${m.text()} (${where})`);
    });
    page.on('pageerror', (e) => j.problems.push(`${who}: page error on ${page.url()}: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400 && !this.isExpected(r.url(), r.status())) {
        j.problems.push(`${who}: HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
      }
    });
    page.on('requestfailed', (r) => j.problems.push(`${who}: request failed: ${r.url()} ${r.failure()?.errorText}`));
  }

  isExpected(url, status) {
    try {
      return this.expected.get(new URL(url).pathname) === status;
    } catch {
      return false;
    }
  }

  // Runs `action`, waits for the page it leads to and checks it. `status`: the
  // final status this step expects (200 unless said, then `action.expectPath`
  // is the path that may answer it); `h1`: the page's heading; `outcome`: what
  // the role="status" region must say (a string it contains, or a RegExp).
  async step(label, action, { status = 200, h1, outcome } = {}) {
    const page = this.page;
    this.expected.clear();
    if (status >= 400) this.expected.set(action.expectPath, status);
    const landed = page.waitForResponse(
      (r) => r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400),
      { timeout: STEP_MS },
    );
    await action.run();
    const response = await landed;
    await page.waitForLoadState('load', { timeout: STEP_MS });
    label = `${this.who}-${label}`;
    assert.equal(response.status(), status, `${label}: status of ${response.request().method()} ${response.url()}`);
    await this.checkPage(label, response, { h1, outcome });
    return response;
  }

  async checkPage(label, response, { h1, outcome }) {
    const page = this.page;
    const j = this.j;
    const url = new URL(response.url());
    assert.equal(url.origin, j.base.origin, `${label}: stays on the staff site`);
    j.visited.add(url.pathname);
    const headers = response.headers();
    assert.equal(headers['content-type'], 'text/html; charset=UTF-8', `${label}: Content-Type`);
    assert.equal(headers['cache-control'], 'no-store', `${label}: Cache-Control`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ja', `${label}: lang`);
    const h1s = await page.locator('h1').allTextContents();
    assert.equal(h1s.length, 1, `${label}: exactly one h1, got ${JSON.stringify(h1s)}`);
    if (h1) assert.equal(h1s[0], h1, `${label}: h1`);

    // The outcome of an action (a POST) is in the role="status" region,
    // where a screen reader announces it.
    const statusTexts = (await page.locator('[role=status]').allTextContents()).map((s) => s.trim());
    if (response.request().method() === 'POST' || outcome) {
      assert.equal(statusTexts.length, 1, `${label}: one role="status" region, got ${JSON.stringify(statusTexts)}`);
      assert.ok(statusTexts[0], `${label}: the role="status" region says something`);
    }
    if (outcome instanceof RegExp) assert.match(statusTexts[0], outcome, `${label}: the outcome`);
    else if (outcome) assert.ok(statusTexts[0].includes(outcome), `${label}: the outcome 「${outcome}」, got 「${statusTexts[0]}」`);

    // The first field of the page takes the focus (autofocus), so the
    // scanner's or the keyboard's first key goes into it.
    const first = 'main :is(input:not([type=hidden]), select, textarea)';
    await page
      .waitForFunction((sel) => {
        const f = document.querySelector(sel);
        return !f || document.activeElement === f;
      }, first, { timeout: 3000 })
      .catch(() => {});
    const facts = await page.evaluate((sel) => {
      const f = document.querySelector(sel);
      const nameOf = (e) => (e.labels && e.labels.length ? e.labels[0].textContent.trim() : e.getAttribute('aria-label') || '');
      return {
        first: f ? { html: f.outerHTML.slice(0, 120), autofocus: f.autofocus } : null,
        focused: f ? document.activeElement === f : true,
        active: document.activeElement
          ? `<${document.activeElement.tagName.toLowerCase()}${document.activeElement.name ? ` name="${document.activeElement.name}"` : ''}>`
          : '',
        // A field without a label, a button without a name.
        unlabelled: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
          .filter((e) => !nameOf(e))
          .map((e) => e.outerHTML.slice(0, 120)),
        nameless: [...document.querySelectorAll('button, input[type=submit]')]
          .filter((b) => !(b.getAttribute('aria-label') || b.textContent.trim() || b.value))
          .map((b) => b.outerHTML.slice(0, 120)),
        links: [...document.querySelectorAll('a[href]')].map((a) => ({ href: a.href, text: a.textContent.trim() })),
      };
    }, first);
    if (facts.first) {
      if (!facts.first.autofocus) j.problems.push(`${label}: the first field has no autofocus: ${facts.first.html}`);
      if (!facts.focused) j.problems.push(`${label}: the focus is on ${facts.active || 'nothing'}, not on ${facts.first.html}`);
    }
    for (const f of facts.unlabelled) j.problems.push(`${label}: a field without a label: ${f}`);
    for (const b of facts.nameless) j.problems.push(`${label}: a button without a name: ${b}`);
    for (const l of facts.links) {
      if (new URL(l.href).origin !== j.base.origin) j.problems.push(`${label}: off-site link ${l.href}`);
      if (!l.text) j.problems.push(`${label}: link without text: ${l.href}`);
    }

    const n = String(++j.shots).padStart(2, '0');
    const slug = label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
    await page.screenshot({ path: path.join(ARTIFACTS, `${n}-${slug}.png`), fullPage: true, timeout: STEP_MS });
    await this.axe(label);
  }

  // axe-core in the page as it is now.
  async axe(label) {
    const page = this.page;
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return {
        rules: r.passes.length + r.violations.length,
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.slice(0, 3).map((n) => n.html),
        })),
      };
    });
    if (result.rules < 10) this.j.problems.push(`${label}: axe checked only ${result.rules} rules`);
    for (const v of result.violations) {
      const line = `${label}: axe ${v.impact} ${v.id}: ${v.help} ${JSON.stringify(v.nodes)}`;
      if (v.impact === 'serious' || v.impact === 'critical' || LANDMARK_RULES.has(v.id)) this.j.problems.push(line);
      else {
        const key = `${v.impact} ${v.id}: ${v.help}`;
        this.j.minor.set(key, (this.j.minor.get(key) || 0) + 1);
      }
    }
  }

  goto(p) {
    return { run: () => this.page.goto(new URL(p, this.j.base).href, { timeout: STEP_MS }), expectPath: new URL(p, this.j.base).pathname };
  }
  // A page of the menu, opened from the menu.
  menu(name) {
    return { run: () => this.page.getByRole('navigation', { name: '職員メニュー' }).getByRole('link', { name, exact: true }).click() };
  }
  // A button pressed from the keyboard: focused, then Enter.
  press(locator, expectPath) {
    return {
      run: async () => {
        await locator.focus();
        await this.page.keyboard.press('Enter');
      },
      expectPath,
    };
  }
  // What a barcode scanner does: types into the focused field, then Enter.
  // The focused field must be the one labelled `field`.
  async scan(label, field, value, expectPath, options) {
    const focused = await this.page.evaluate(() => {
      const e = document.activeElement;
      return e && e.labels && e.labels.length ? e.labels[0].textContent.trim() : '';
    });
    assert.equal(focused, field, `${this.who}-${label}: the focused field before the scan`);
    return this.step(
      label,
      {
        run: async () => {
          await this.page.keyboard.type(value);
          await this.page.keyboard.press('Enter');
        },
        expectPath,
      },
      options,
    );
  }

  // Logs in from the login page, working at `branch` (its name).
  async login(login, password, branch) {
    const page = this.page;
    // A staff page without a session leads to the login page.
    await this.step('login-form', this.goto('/staff'), { h1: '職員ログイン' });
    assert.equal(new URL(page.url()).pathname, '/staff/login');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('name'));
    assert.equal(focused, 'login', `${this.who}: the login field has the focus`);
    await page.keyboard.type(login);
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Tab');
    await page.getByLabel('作業する館').selectOption({ label: branch });
    await this.step(
      'login',
      { run: () => page.getByLabel('パスワード', { exact: true }).press('Enter') },
      { h1: 'ダッシュボード' },
    );
    await page.locator('header').getByText(`${branch}で作業中`).waitFor();
  }

  // The text of the table's row that contains `text`, or '' without one.
  async row(text) {
    const row = this.page.locator('main tbody tr', { hasText: text });
    return (await row.count()) ? (await row.first().textContent()) : '';
  }
}

// A patron on the public site: logs in, reserves, looks at 予約確保一覧.
class Patron {
  constructor(j, card, context, page) {
    this.j = j;
    this.card = card;
    this.context = context;
    this.page = page;
    this.base = new URL(j.server.url);
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) j.problems.push(`patron ${card}: console error on ${page.url()}: ${m.text()}`);
    });
  }

  async go(p) {
    return this.page.goto(new URL(p, this.base).href, { timeout: STEP_MS });
  }

  async login(password) {
    const page = this.page;
    await this.go('/account');
    await page.getByLabel('利用者カードの番号').fill(this.card);
    await page.getByLabel('パスワード', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: '利用照会', exact: true }).waitFor();
  }

  // Reserves record `id` for pickup at `branch` (its name), told by `contact`
  // (the radio button's first words: メール or 電話, then the address or number).
  async reserve(id, branch, contact) {
    const page = this.page;
    const button = (name) => page.getByRole('button', { name, exact: true });
    await this.go(`/record?id=${id}`);
    await button('カートに入れる').click();
    await page.getByRole('status').getByText(/^カートに入れました/).waitFor();
    await page.getByRole('link', { name: 'カートを見る', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'カート' }).waitFor();
    await page.getByRole('link', { name: '予約する', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: '予約する' }).waitFor();
    await page.getByLabel('受取館').selectOption({ label: branch });
    await page.getByLabel(new RegExp(`^${contact}（`)).check();
    await button('確認へ進む').click();
    await page.getByText(`受取館: ${branch}`).waitFor();
    await button('予約する').click();
    await page.getByText('予約しました').waitFor();
  }

  // The text of 予約確保一覧 (/account/ready).
  async ready() {
    const r = await this.go('/account/ready');
    assert.equal(r.status(), 200, `patron ${this.card}: /account/ready`);
    return this.page.locator('main').textContent();
  }
}

// The journey itself.
async function walk(t, j) {
  const { server } = j;
  for (const who of ['chuo1', 'takaono1']) {
    server.cli(['staff', 'add', who, '--name', `${who}さん`, '--role', 'counter'], { input: `${COUNTER_PASSWORD}\n` });
  }
  // A title with a single copy, on the shelf, nobody's hold or loan on it:
  // its record id, title and the copy's barcode.
  const quietTitle = (extra = '') => {
    const row = j.sql(
      "SELECT r.id || '|' || k.barcode || '|' || r.title FROM records r JOIN copies k ON k.record_id = r.id" +
        " WHERE k.status = 'shelf' AND (SELECT count(*) FROM copies c WHERE c.record_id = r.id) = 1" +
        ` AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = r.id) ${extra} ORDER BY r.id LIMIT 1`,
    );
    const [id, barcode, title] = row.split('|');
    assert.ok(id && barcode && title, `a quiet title ${extra}`);
    return { id, barcode, title };
  };

  // 1. The only copy of a title is on loan; two patrons reserve it for 中央.
  const t1 = quietTitle();
  server.cli(['circ', 'checkout', '1000000022', t1.barcode]);
  const kyoko = await j.patron('1000000011', 'neko2026');
  const shota = await j.patron('1000000033', 'hon4649');
  await kyoko.reserve(t1.id, '中央図書館', 'メール');
  await shota.reserve(t1.id, '中央図書館', '電話');

  // Returned at 野田: it goes to 中央 in the van, and is nobody's to pick up yet.
  const noda = await j.desk('noda');
  await noda.login('madoguchi', 'madoguchi-2026', '野田図書館');
  const counterMenu = await noda.page.getByRole('navigation', { name: '職員メニュー' }).getByRole('link').allTextContents();
  assert.ok(!counterMenu.includes('操作記録'), 'a counter member has no 操作記録 in the menu');
  await noda.step('checkin', noda.menu('返却'), { h1: '返却' });
  await noda.scan('checkin-t1', '資料のバーコード', t1.barcode, undefined, {
    h1: '返却',
    outcome: `返却: 「${t1.title}」 → 回送（中央図書館へ）`,
  });
  await noda.page.getByRole('heading', { level: 2, name: '回送' }).waitFor();
  assert.ok(!(await kyoko.ready()).includes(t1.title), '予約確保一覧 does not list a copy in the van');
  // 操作記録 is for admins.
  await noda.step('audit-refused', noda.goto('/staff/audit'), { status: 403, h1: '管理者だけが開けるページです' });

  // 2. Received at 中央: on the hold shelf, with its 取置票.
  const chuo = await j.desk('chuo');
  await chuo.login('chuo1', COUNTER_PASSWORD, '中央図書館');
  await chuo.step('receive', chuo.menu('回送受入'), { h1: '回送受入' });
  assert.ok((await chuo.row(t1.barcode)).includes(t1.title), '回送受入 lists the copy coming to 中央');
  await chuo.scan('receive-t1', '資料のバーコード', t1.barcode, undefined, {
    h1: '回送受入',
    outcome: `回送受入: 「${t1.title}」 → 取置`,
  });
  const slip = await chuo.page.locator('.slip').textContent();
  assert.match(slip, /取置票/);
  assert.ok(slip.includes('……0011'), 'the slip has the card\'s last digits');
  assert.ok(!slip.includes('1000000011'), 'never the whole card number');
  // Printed, the page gives the slip alone.
  await chuo.page.emulateMedia({ media: 'print' });
  const printed = await chuo.page.evaluate(() => ({
    slip: getComputedStyle(document.querySelector('.slip')).visibility,
    h1: getComputedStyle(document.querySelector('h1')).visibility,
    nav: getComputedStyle(document.querySelector('nav')).visibility,
  }));
  await chuo.page.emulateMedia({ media: 'screen' });
  assert.deepEqual(printed, { slip: 'visible', h1: 'hidden', nav: 'hidden' }, 'printing shows the slip only');
  assert.equal(await chuo.row(t1.barcode), '', 'received: no longer coming');
  assert.ok((await kyoko.ready()).includes(t1.title), '予約確保一覧 lists the copy on the hold shelf');

  // 3. On 高尾野's shelf, reserved for 野田 by phone: pulled, sent, received, phoned.
  const t2 = quietTitle("AND k.branch = 'takaono'");
  await kyoko.reserve(t2.id, '野田図書館', '電話');
  const takaono = await j.desk('takaono');
  await takaono.login('takaono1', COUNTER_PASSWORD, '高尾野図書館');
  await takaono.step('pull', takaono.menu('予約資料の準備'), { h1: '予約資料の準備' });
  assert.ok((await takaono.row(t2.barcode)).includes(t2.title), '予約資料の準備 lists the title');
  await takaono.step('pull-found', takaono.press(takaono.page.getByRole('button', { name: `「${t2.title}」を確保` })), {
    h1: '予約資料の準備',
    outcome: `確保: 「${t2.title}」 → 回送（野田図書館へ）`,
  });
  assert.equal(await takaono.row(t2.barcode), '', 'pulled: off the list');

  await noda.step('receive', noda.menu('回送受入'), { h1: '回送受入' });
  assert.ok((await noda.row(t2.barcode)).includes(t2.title), '回送受入 lists the copy coming to 野田');
  await noda.scan('receive-t2', '資料のバーコード', t2.barcode, undefined, {
    h1: '回送受入',
    outcome: `回送受入: 「${t2.title}」 → 取置`,
  });
  await noda.page.getByText('電話で連絡してください').waitFor();
  await noda.step('calls', noda.menu('電話連絡'), { h1: '電話連絡' });
  const line = await noda.row(t2.title);
  assert.ok(line.includes('0996-63-1111'), `電話連絡 lists the title with the number: ${line}`);
  assert.ok(line.includes('未連絡'), `not called yet: ${line}`);
  await noda.step('calls-absent', noda.press(noda.page.getByRole('button', { name: `「${t2.title}」不在` })), {
    h1: '電話連絡',
    outcome: '不在を記録しました。',
  });
  assert.match(await noda.row(t2.title), /不在 1回/, '不在 keeps the line with the attempt');
  await noda.step('calls-reached', noda.press(noda.page.getByRole('button', { name: `「${t2.title}」連絡済` })), {
    h1: '電話連絡',
    outcome: '連絡済にしました。',
  });
  assert.equal(await noda.row(t2.title), '', '連絡済 removes the line');
  await noda.step('shelf', noda.menu('取置棚'), { h1: '取置棚' });
  assert.ok((await noda.row(t2.barcode)).includes(t2.title), 'on 野田\'s hold shelf');

  // 4. 貸出 at 中央: the card, then a copy, due after the year-end closure.
  const w = j.sql(
    "SELECT k.barcode FROM copies k WHERE k.branch = 'chuo' AND k.status = 'shelf' AND NOT" +
      ' EXISTS (SELECT 1 FROM holds h WHERE h.record_id = k.record_id) ORDER BY k.id LIMIT 1',
  );
  assert.ok(w, 'a copy on 中央\'s shelf');
  await chuo.step('checkout', chuo.menu('貸出'), { h1: '貸出' });
  await chuo.scan('checkout-card', '利用者カード番号', '1000000033', undefined, { h1: '貸出' });
  await chuo.page.getByText('ノダ ショウタ').waitFor();
  await chuo.scan('checkout-copy', '資料のバーコード', w, undefined, { h1: '貸出', outcome: '返却期限 1月5日(火)' });
  assert.ok((await chuo.row(w)).includes('1月5日(火)'), 'listed among the loans');
  // The same copy again: refused, and said so in the status region.
  await chuo.scan('checkout-again', '資料のバーコード', w, '/staff/checkout', {
    status: 409,
    h1: '貸出',
    outcome: '貸出中です',
  });
  assert.equal(await chuo.page.locator('[role=status]').getAttribute('class'), 'refused');

  // 5. The admin at 中央: ダッシュボード, 取置棚, 操作記録, and the rest of the menu.
  const kanri = await j.desk('kanri');
  await kanri.login('kanri', 'kanri-demo-2026', '中央図書館');
  const nav = kanri.page.getByRole('navigation', { name: '職員メニュー' }).getByRole('link');
  const menu = await nav.allTextContents();
  const menuPaths = await nav.evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
  assert.ok(menu.includes('操作記録'), `an admin's menu has 操作記録: ${menu}`);
  const listed = await kanri.page.locator('main ul.pages a').allTextContents();
  assert.deepEqual(listed, menu.filter((m) => m !== 'ダッシュボード'), 'the dashboard lists the other pages of the menu');
  await kanri.step('shelf', kanri.menu('取置棚'), { h1: '取置棚' });
  const held = await kanri.row(t1.barcode);
  assert.ok(held.includes(t1.title) && held.includes('……0011'), `中央's hold shelf: ${held}`);
  for (const name of menu.filter((m) => !['取置棚', '操作記録', 'ダッシュボード'].includes(m))) {
    await kanri.step(`menu-${menuPaths[menu.indexOf(name)].split('/').pop()}`, kanri.menu(name), { h1: name });
  }
  await kanri.step('audit', kanri.menu('操作記録'), { h1: '操作記録' });
  const audit = async (who, action, barcode = '') => {
    const rows = kanri.page.locator('main tbody tr', { hasText: who }).filter({ hasText: action });
    return (barcode ? rows.filter({ hasText: barcode }) : rows).count();
  };
  for (const [who, action, barcode] of [
    ['madoguchi', '返却', t1.barcode],
    ['chuo1', '回送受入', t1.barcode],
    ['takaono1', '予約資料の準備', t2.barcode],
    ['madoguchi', '回送受入', t2.barcode],
    ['madoguchi', '電話連絡'],
    ['chuo1', '貸出', w],
    ['kanri', 'ログイン'],
  ]) {
    assert.ok((await audit(who, action, barcode)) >= 1, `操作記録 lists ${who}'s ${action} ${barcode || ''}`);
  }
  assert.equal(await audit('madoguchi', '電話連絡'), 2, '操作記録 lists both calls');
  const actions = await kanri.page.locator('main tbody tr td:nth-child(4)').allTextContents();
  const unnamed = actions.filter((a) => /^[a-z_]+$/.test(a));
  assert.deepEqual(unnamed, [], '操作記録 names every action in words');
  await kanri.step('dashboard', kanri.menu('ダッシュボード'), { h1: 'ダッシュボード' });
  await kanri.step('logout', kanri.press(kanri.page.getByRole('button', { name: 'ログアウト', exact: true })), {
    h1: '職員ログイン',
    outcome: 'ログアウトしました。',
  });

  const missing = menuPaths.filter((p) => !j.visited.has(p));
  assert.deepEqual(missing, [], 'every page of the menu was visited');
  for (const [what, pages] of j.minor) t.diagnostic(`axe ${what} (${pages} pages)`);
  t.diagnostic(`${j.shots} staff pages checked, screenshots in ${ARTIFACTS}`);
  assert.deepEqual(j.problems, [], 'problems seen on the staff pages');
}

test('the counter journey through the staff pages in chromium', { timeout: 240000 }, async (t) => {
  assert.ok(fs.existsSync(CHROMIUM), `no chromium at ${CHROMIUM}`);
  const server = await startShiori({ env: { SHIORI_TODAY: TODAY } });
  const browser = await launchChromium();
  const j = new Journey(t, browser, server);
  try {
    await walk(t, j);
  } catch (e) {
    // A step that could not go on: say what the pages showed wrong before it.
    if (j.problems.length) e.message += `\nproblems seen before:\n  ${j.problems.join('\n  ')}`;
    throw e;
  } finally {
    await j.close();
    await browser.close();
    await server.stop();
  }
});
