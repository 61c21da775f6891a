// What the chromium journeys share: Debian's chromium launched headless for
// playwright-core, axe-core's source to put into a page, and the axe rules
// about landmarks that fail although axe calls them "moderate".
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
// Every page has its landmarks (header, main; a menu or footer), so these count.
export const LANDMARK_RULES = new Set(['landmark-one-main', 'region', 'landmark-no-duplicate-main']);

export async function launchChromium() {
  // playwright gives every launch a fresh temporary profile (user-data dir) and removes it.
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 60000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
