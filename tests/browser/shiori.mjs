// Starts the real shiori on a fresh demo database and a free loopback port, and
// stops it again: the server the browser journeys talk to.
import { spawn } from 'node:child_process';
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

// Resolves to {url, dir, stop()} once the server printed its listening line
// (within `timeoutMs`); rejects with the server's output otherwise.
export async function startShiori({ timeoutMs = 30000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shiori-browser-'));
  const child = spawn(
    shioriBin(),
    ['serve', '--demo', '--db', path.join(dir, 'demo.db'), '--listen', '127.0.0.1:0',
      '--staff-listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shiori printed no listening line within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d) => {
      out += d;
      const m = /shiori: listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
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
  return { url, dir, stop, output: () => out };
}
