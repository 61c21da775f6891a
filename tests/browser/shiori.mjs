// Starts the real shiori on a fresh demo database and a free loopback port, and
// stops it again: the server the browser journeys talk to.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// SHIORI_BIN (set by ctest) or the release build of ./setup.sh demo.
export function shioriBin() {
  const bin = process.env.SHIORI_BIN || path.join(here, '..', '..', 'build', 'gateway', 'shiori');
  if (!fs.existsSync(bin)) throw new Error(`no shiori binary at ${bin}: set SHIORI_BIN`);
  return bin;
}

// Resolves to {url, staffUrl, dir, stop()} once the server printed its
// listening line and its staff pages' line (within `timeoutMs`); rejects with
// the server's output otherwise. `url` is the public site's root, `staffUrl`
// the staff pages' address as printed (http://127.0.0.1:PORT/staff), `db` the
// database file, `cli(args, {input})` runs a shiori command on that database
// with the same environment and returns its stdout (throws on a non-zero
// exit, with its stderr). `env`: variables added to the server's environment
// (SHIORI_TODAY=YYYY-MM-DD…).
export async function startShiori({ timeoutMs = 30000, env = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiori-browser-'));
  const child = spawn(
    shioriBin(),
    ['serve', '--demo', '--db', path.join(dir, 'demo.db'), '--listen', '127.0.0.1:0',
      '--staff-listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  let out = '';
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  const { url, staffUrl } = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shiori printed no listening and staff lines within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d) => {
      out += d;
      // gateway/main.cc prints the public line, then the staff one.
      const m = /shiori: listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      const s = /shiori: staff pages on (http:\/\/127\.0\.0\.1:\d+\/staff)\n/.exec(out);
      if (m && s) {
        clearTimeout(timer);
        resolve({ url: m[1], staffUrl: s[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`shiori ended (${code ?? signal}) before listening:\n${out}`));
    });
  });
  const stop = async () => {
    if (exited) return exited;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    const result = await exit;
    clearTimeout(kill);
    fs.rmSync(dir, { recursive: true, force: true });
    return result;
  };
  const db = path.join(dir, 'demo.db');
  const cli = (args, { input } = {}) =>
    execFileSync(shioriBin(), [...args, '--db', db], {
      env: { ...process.env, ...env },
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
  return { url, staffUrl, dir, db, cli, stop, output: () => out };
}
