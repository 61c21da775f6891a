// The patron journey in a real browser: Debian's chromium driven by
// playwright-core with JavaScript off, as a smartphone, a ガラホ and a PC,
// against the real shiori on a fresh demo library. Fails on a console error,
// an HTTP error the journey did not expect, a broken same-site link or any
// off-site link, a page without exactly one h1 or lang="ja", a field without a
// label (the journey fills every field by its label), a link or button under
// 44 px on a touch screen, a page wider than the screen, a tabindex, a ガラホ
// page with a stylesheet, a drawing or a number-key link without its [n]
// label, and on a serious or critical axe-core violation.
// Screenshots of every page go to $ARTIFACTS/shiori-browser/{phone,garaho,pc}/
// (default: the temporary directory), never into the tree.
//
//   (cd tests/browser && npm ci)   # once; ./setup.sh test does it
//   SHIORI_BIN=build/gateway/shiori node --test tests/browser/journey.test.mjs
//
// axe-core with JavaScript off: the page's own scripts are disabled, and with
// them its timers, so axe (which needs setTimeout and promises) cannot run in
// the patron's page: a <script> from addScriptTag never runs there, and an
// evaluate of axe.run never settles. So every page the journey reaches is
// replayed, byte for byte as served (POST results included), in a second
// context with JavaScript on, at the same URL (page.route fulfils the document;
// the stylesheet comes from the server, so colour contrast counts); axe's
// source goes in with addScriptTag({content}) and axe.run reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CHROMIUM, LANDMARK_RULES, axeSource, launchChromium } from './chromium.mjs';
import { startShiori } from './shiori.mjs';

const ARTIFACTS = path.join(process.env.ARTIFACTS || os.tmpdir(), 'shiori-browser');
const STEP_MS = 20000;

const VIEWPORTS = [
  {
    name: 'phone',
    viewport: { width: 360, height: 640 },
    isMobile: true,
    hasTouch: true,
    // A Japanese Android phone (AQUOS) with Chrome.
    userAgent:
      'Mozilla/5.0 (Linux; Android 13; SH-M24) AppleWebKit/537.36 (KHTML, like Gecko) ' +
      'Chrome/124.0.0.0 Mobile Safari/537.36',
  },
  {
    // A ガラホ: a flip phone with a D-pad and number keys, no touch screen,
    // and the Android WebView of its day (AQUOS ケータイ SH-02L, docomo).
    name: 'garaho',
    keypad: true,
    viewport: { width: 320, height: 480 },
    isMobile: true,
    hasTouch: false,
    userAgent:
      'Mozilla/5.0 (Linux; Android 8.1.0; SH-02L Build/S3080; wv) AppleWebKit/537.36 ' +
      '(KHTML, like Gecko) Version/4.0 Chrome/67.0.3396.127 Mobile Safari/537.36',
  },
  {
    name: 'pc',
    viewport: { width: 1280, height: 800 },
    isMobile: false,
    hasTouch: false,
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
      'Chrome/124.0.0.0 Safari/537.36',
  },
];

// Link texts that say nothing out of context.
const VAGUE_LINKS = new Set(['こちら', 'ここ', 'ここをクリック', '詳細', 'もっと見る', 'click here', 'here', 'more']);

// One patron's visit: the page, what went wrong so far, and the checks run on
// every page the journey reaches.
class Visit {
  constructor(t, context, page, axePage, base, device) {
    this.t = t;
    this.context = context;
    this.page = page;
    this.axePage = axePage;
    this.base = new URL(base);
    this.device = device;
    this.problems = [];
    this.expected = new Map(); // URL path -> status the current step expects
    this.minor = new Map(); // axe's moderate and minor findings: reported, not failed
    this.checkedLinks = new Map();
    this.shots = 0;
    this.dir = path.join(ARTIFACTS, device.name);
    fs.mkdirSync(this.dir, { recursive: true });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const where = m.location()?.url || '';
      const status = /status of (\d+)/.exec(m.text());
      if (status && this.isExpected(where, Number(status[1]))) return;
      this.problems.push(`console error on ${this.page.url()}: ${m.text()} (${where})`);
    });
    page.on('pageerror', (e) => this.problems.push(`page error on ${this.page.url()}: ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400 && !this.isExpected(r.url(), r.status())) {
        this.problems.push(`HTTP ${r.status()} for ${r.url()}`);
      }
    });
    page.on('requestfailed', (r) => this.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  }

  isExpected(url, status) {
    try {
      const p = new URL(url).pathname;
      return this.expected.get(p) === status;
    } catch {
      return false;
    }
  }

  // Runs `action` (a click or a goto), waits for the page it leads to and checks
  // it. `status`: the final status this step expects (200 unless said).
  async step(label, action, { status = 200, h1 } = {}) {
    this.expected.clear();
    const landed = this.page.waitForResponse(
      (r) => r.request().isNavigationRequest() && r.frame() === this.page.mainFrame() && (r.status() < 300 || r.status() >= 400),
      { timeout: STEP_MS },
    );
    const expectPath = status >= 400 ? action.expectPath : null;
    if (expectPath) this.expected.set(expectPath, status);
    await action.run();
    const response = await landed;
    await this.page.waitForLoadState('load', { timeout: STEP_MS });
    assert.equal(response.status(), status, `${label}: status of ${response.url()}`);
    await this.checkPage(label, response, h1);
    return response;
  }

  async checkPage(label, response, h1) {
    const page = this.page;
    const ct = response.headers()['content-type'] || '';
    assert.equal(ct, 'text/html; charset=UTF-8', `${label}: Content-Type`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ja', `${label}: lang`);
    const h1s = await page.locator('h1').allTextContents();
    assert.equal(h1s.length, 1, `${label}: exactly one h1, got ${JSON.stringify(h1s)}`);
    if (h1) assert.equal(h1s[0], h1, `${label}: h1`);
    const n = String(++this.shots).padStart(2, '0');
    const slug = label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
    await page.screenshot({ path: path.join(this.dir, `${n}-${slug}.png`), fullPage: true, timeout: STEP_MS });
    // The footer's QR code carries this page's address (the configured
    // site_url, no session id, not the cart's one-time added=1): read it
    // back from the screenshot with zbar.
    const qr = page.locator('svg.qr');
    if ((await qr.count()) > 0) {
      const file = path.join(this.dir, `${n}-${slug}-qr.png`);
      await qr.screenshot({ path: file, timeout: STEP_MS });
      const text = execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).trim();
      const u = new URL(response.url());
      u.searchParams.delete('sid');
      u.searchParams.delete('added');
      const expected = 'http://127.0.0.1:8080' + u.pathname + (u.search || '');
      assert.equal(text, expected, `${label}: the QR code's address`);
      this.qrs = (this.qrs || 0) + 1;
    }
    const facts = await page.evaluate(() => ({
      links: [...document.querySelectorAll('a[href]')].map((a) => ({ href: a.href, text: a.textContent.trim() })),
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      small: [...document.querySelectorAll('a[href], input:not([type=hidden]), select')]
        .filter((e) => e.offsetParent !== null && !['radio', 'checkbox'].includes(e.type))
        .map((e) => ({ what: e.outerHTML.slice(0, 80), h: e.getBoundingClientRect().height }))
        .filter((e) => e.h < 44),
      // The D-pad moves through focusable elements in the order they are read.
      tabindex: [...document.querySelectorAll('[tabindex]')].map((e) => e.outerHTML.slice(0, 80)),
      // Number keys: the links bound to a key, and the label written before each.
      keys: [...document.querySelectorAll('a[accesskey]')].map((a) => ({
        key: a.accessKey,
        text: a.textContent.trim(),
        label: (a.previousSibling?.textContent || '').slice(-3),
      })),
      sheet: document.querySelectorAll('link[rel=stylesheet]').length,
      svg: document.querySelectorAll('svg').length,
    }));
    for (const l of facts.links) {
      const u = new URL(l.href);
      if (u.origin !== this.base.origin) {
        this.problems.push(`${label}: off-site link ${l.href} (off-site links go through /exit)`);
        continue;
      }
      if (/[?&]sid=/.test(u.search)) this.problems.push(`${label}: session id in a URL: ${l.href}`);
      if (!l.text) this.problems.push(`${label}: link without text: ${l.href}`);
      if (VAGUE_LINKS.has(l.text)) this.problems.push(`${label}: vague link text 「${l.text}」: ${l.href}`);
      await this.checkLink(label, l.href);
    }
    // The stylesheet's promises: nothing wider than the screen, 44 px to tap
    // (a ガラホ has no touch screen and no stylesheet: it moves by D-pad).
    if (facts.overflow > 0) this.problems.push(`${label}: ${facts.overflow}px wider than the viewport`);
    for (const e of facts.tabindex) this.problems.push(`${label}: tabindex changes the reading order: ${e}`);
    if (this.device.keypad) {
      if (facts.sheet || facts.svg) this.problems.push(`${label}: a stylesheet or drawing on a ガラホ page`);
      if (facts.keys.length === 0) this.problems.push(`${label}: no link bound to a number key`);
      for (const k of facts.keys) {
        if (k.label !== `[${k.key}]`) this.problems.push(`${label}: key ${k.key} not shown before 「${k.text}」`);
      }
      this.keyed = (this.keyed || 0) + facts.keys.length;
    } else {
      for (const s of facts.small) this.problems.push(`${label}: tap target ${s.h}px high: ${s.what}`);
    }
    await this.axe(label, response);
  }

  // A same-site link answers below 400 (HEAD, or GET where HEAD is refused).
  async checkLink(label, href) {
    const u = new URL(href);
    u.hash = '';
    const key = u.href;
    if (this.checkedLinks.has(key)) return;
    let r = await this.context.request.fetch(key, { method: 'HEAD', timeout: STEP_MS, maxRedirects: 5 });
    if (r.status() === 405) r = await this.context.request.fetch(key, { method: 'GET', timeout: STEP_MS });
    this.checkedLinks.set(key, r.status());
    // 401 is a page that needs a login and shows the login form: not broken.
    if (r.status() >= 400 && r.status() !== 401) this.problems.push(`${label}: broken link ${key}: HTTP ${r.status()}`);
  }

  // Replays `response` (the page as served) in the JavaScript context and runs axe there.
  async axe(label, response) {
    const url = response.url();
    const body = await response.body();
    const page = this.axePage;
    await page.route((u) => u.href === url, (route) =>
      route.fulfill({ status: response.status(), contentType: response.headers()['content-type'], body }),
      { times: 1 },
    );
    await page.goto(url, { timeout: STEP_MS });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.html),
      }));
    });
    for (const v of result) {
      const line = `${label}: axe ${v.impact} ${v.id}: ${v.help} ${JSON.stringify(v.nodes)}`;
      // Landmarks are kept too (header, main, footer on every smartphone/PC page).
      if (v.impact === 'serious' || v.impact === 'critical' || LANDMARK_RULES.has(v.id)) this.problems.push(line);
      else this.minor.set(`${v.impact} ${v.id}: ${v.help}`, (this.minor.get(`${v.impact} ${v.id}: ${v.help}`) || 0) + 1);
    }
  }

  // A click that navigates; `expectPath` lets step() accept a 4xx for it.
  click(locator, expectPath) {
    return { run: () => locator.click({ timeout: STEP_MS }), expectPath };
  }
  goto(p) {
    return { run: () => this.page.goto(new URL(p, this.base).href, { timeout: STEP_MS }), expectPath: p };
  }
}

async function journey(t, browser, device) {
  const server = await startShiori();
  const options = {
    viewport: device.viewport,
    isMobile: device.isMobile,
    hasTouch: device.hasTouch,
    userAgent: device.userAgent,
    locale: 'ja-JP',
  };
  const context = await browser.newContext({ ...options, javaScriptEnabled: false });
  const axeContext = await browser.newContext({ ...options, javaScriptEnabled: true });
  context.setDefaultTimeout(STEP_MS);
  axeContext.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  const v = new Visit(t, context, page, await axeContext.newPage(), server.url, device);
  try {
    await walk(t, v, server);
  } catch (e) {
    // A step that could not go on: say what the pages showed wrong before it.
    if (v.problems.length) e.message += `\nproblems seen before:\n  ${v.problems.join('\n  ')}`;
    throw e;
  } finally {
    await axeContext.close();
    await context.close();
    await server.stop();
  }
}

// The journey itself: every step a click or an address, every page checked.
async function walk(t, v, server) {
  const { device, page, context } = v;
  const button = (name) => page.getByRole('button', { name, exact: true });
  const link = (name) => page.getByRole('link', { name, exact: true });
  // The stylesheet: linked by every page, served as a cached file.
  const css = await context.request.get(new URL('/style.css', server.url).href, { timeout: STEP_MS });
  assert.equal(css.status(), 200, 'GET /style.css');
  assert.match(css.headers()['content-type'] || '', /^text\/css/);
  assert.match(css.headers()['cache-control'] || '', /max-age=\d+/);
  assert.ok((await css.body()).length < 1536, 'the stylesheet stays under 1.5 KB');

  await v.step('top', v.goto('/'), { h1: '出水市立図書館' });
  await page.getByLabel('蔵書検索').fill('猫');
  await v.step('search', v.click(button('検索')), { h1: '検索結果' });
  assert.ok((await page.locator('ol li').count()) >= 3, 'several hits for 猫');
  await v.step('record', v.click(link('吾輩は猫である')), { h1: '吾輩は猫である' });
  // 「カートに入れる」 leads back to the record, which says so and marks the title.
  await v.step('cart-add', v.click(button('カートに入れる')), { h1: '吾輩は猫である' });
  await page.getByRole('status').getByText('カートに入れました（1冊）').waitFor();
  assert.equal(await button('カートに入れる').count(), 0, 'a title in the cart is not offered again');
  await link('カートに入っています').waitFor();
  await v.step('cart', v.click(link('カートを見る')), { h1: 'カート' });
  await page.getByRole('link', { name: '吾輩は猫である' }).waitFor();
  assert.equal(await link('予約する').count(), 2, '予約する above and below the list');
  // Not logged in yet: 予約する answers 401 with the login form, which leads back.
  await v.step('reserve-login', v.click(link('予約する').first(), '/reserve'), { status: 401, h1: '利用照会（ログイン）' });
  await page.getByLabel('利用者カードの番号').fill('1000000011');
  await page.getByLabel('パスワード', { exact: true }).fill('neko2026');
  await v.step('reserve', v.click(button('ログイン')), { h1: '予約する' });
  await page.getByLabel('受取館').selectOption({ label: '野田図書館' });
  await page.getByLabel('メール（kyoko.izumi@docomo.ne.jp）').waitFor();
  await page.getByLabel(/^連絡不要/).check();
  await v.step('reserve-confirm', v.click(button('確認へ進む')), { h1: '予約の確認' });
  await page.getByText('受取館: 野田図書館').waitFor();
  await page.getByText('連絡方法: 連絡不要').waitFor();
  await v.step('reserve-place', v.click(button('予約する')), { h1: '予約の結果' });
  await page.getByText('予約しました').waitFor();

  await v.step('holds', v.click(link('予約中一覧')), { h1: '予約中一覧' });
  await page.getByRole('link', { name: '吾輩は猫である' }).waitFor();
  await v.step('account', v.click(page.locator('footer').getByRole('link', { name: '利用照会' })), { h1: '利用照会' });
  await v.step('loans', v.click(page.getByRole('link', { name: /^貸出中一覧/ })), { h1: '貸出中一覧' });
  // Her loans are renewed already or reserved by someone else: no 延長 here.
  assert.equal(await button('延長').count(), 0, 'no 延長 for a renewed or reserved loan');
  await v.step('account-2', v.click(link('利用照会のトップへ')), { h1: '利用照会' });
  await v.step('ready', v.click(page.getByRole('link', { name: /^予約確保一覧/ })), { h1: '予約確保一覧' });
  await v.step('account-3', v.click(link('利用照会のトップへ')), { h1: '利用照会' });

  for (const [from, to, shot] of [
    ['neko2026', 'Mike2027', 'password-changed'],
    ['Mike2027', 'neko2026', 'password-restored'],
  ]) {
    await v.step(`password-${to}`, v.click(link('パスワードの変更')), { h1: 'パスワードの変更' });
    await page.getByLabel('いまのパスワード').fill(from);
    await page.getByLabel('新しいパスワード', { exact: true }).fill(to);
    await page.getByLabel('新しいパスワード（確認）').fill(to);
    await v.step(shot, v.click(button('変更する')), { h1: '利用照会' });
    await page.getByText('パスワードを変更しました').waitFor();
  }
  await v.step('email', v.click(link('Eメールアドレスの変更')), { h1: 'Eメールアドレスの変更' });
  await page.getByLabel(/^新しいEメールアドレス/).fill('kyoko.new@example.jp');
  await v.step('email-sent', v.click(button('変更する')), { h1: 'Eメールアドレスの変更' });
  await page.getByText('確認のメールを kyoko.new@example.jp に送りました', { exact: false }).waitFor();
  // The link of the confirmation mail, as it waits in the outbox (nothing listens for SMTP here).
  const code = execFileSync(
    'sqlite3',
    [path.join(server.dir, 'demo.db'),
      "SELECT detail FROM outbox WHERE kind = 'email_confirm' AND status IN ('pending', 'sending')"],
    { encoding: 'utf8' },
  ).trim();
  assert.match(code, /^[a-z2-7]{20}$/, 'a confirmation waits');
  await v.step('email-confirm', v.goto(`/account/email/confirm?c=${code}`), { h1: 'メールアドレスの確認' });
  await v.step('email-confirmed', v.click(button('登録する')), { h1: '利用照会' });
  await page.getByText('Eメールアドレスを kyoko.new@example.jp に変更しました', { exact: false }).waitFor();
  // Who is logged in is on every page, with ログアウト; logging out says so.
  await page.getByText('イズミ キョウコ さん（カード ……0011）でログイン中').waitFor();
  await v.step('logout', v.click(button('ログアウト')), { h1: '利用照会（ログイン）' });
  await page.getByText('ログアウトしました').waitFor();
  await v.step('loans-after-logout', v.goto('/account/loans'), { status: 401, h1: '利用照会（ログイン）' });

  // A second patron, whose loan due today can be renewed once.
  await page.getByLabel('利用者カードの番号').fill('1000000055');
  await page.getByLabel('パスワード', { exact: true }).fill('satsuma5');
  await v.step('loans-2', v.click(button('ログイン')), { h1: '貸出中一覧' });
  const renewable = await button('延長').count();
  assert.ok(renewable >= 1, 'a loan due today offers 延長');
  // 延長 asks first, naming the new due date; only the second button renews.
  await v.step('renew-ask', v.click(button('延長').first()), { h1: '貸出の延長' });
  await page.getByText('延長は1回だけです', { exact: false }).waitFor();
  await v.step('loans-renewed', v.click(button('延長する')), { h1: '貸出中一覧' });
  assert.equal(await button('延長').count(), renewable - 1, 'a renewed loan offers 延長 no more');
  await page.getByText('延長済み', { exact: false }).first().waitFor();
  await v.step('account-5', v.click(link('利用照会のトップへ')), { h1: '利用照会' });
  await v.step('logout-2', v.click(button('ログアウト')));
  await v.step('not-found', v.goto('/no-such-page'), { status: 404, h1: 'ページが見つかりません' });

  for (const [what, pages] of v.minor) t.diagnostic(`axe ${what} (${pages} pages)`);
  t.diagnostic(`${device.name}: ${v.shots} pages, ${v.checkedLinks.size} links checked, ${v.qrs || 0} QR codes read, screenshots in ${v.dir}`);
  if (device.keypad) t.diagnostic(`${device.name}: ${v.keyed} links bound to number keys`);
  // The QR code carries a page from a PC to a phone; a phone shows none of itself.
  if (device.isMobile) {
    assert.equal(v.qrs || 0, 0, 'no QR code on a smartphone page');
  } else {
    assert.ok((v.qrs || 0) > 10, 'QR codes were found and read on the pages');
  }
  assert.deepEqual(v.problems, [], `problems seen at the ${device.name} viewport`);
}

test('the patron journey in chromium, JavaScript off', { timeout: 420000 }, async (t) => {
  assert.ok(fs.existsSync(CHROMIUM), `no chromium at ${CHROMIUM}`);
  const browser = await launchChromium();
  try {
    for (const device of VIEWPORTS) {
      await t.test(`${device.name} ${device.viewport.width}x${device.viewport.height}`, { timeout: 130000 }, (tt) =>
        journey(tt, browser, device),
      );
    }
  } finally {
    await browser.close();
  }
});
