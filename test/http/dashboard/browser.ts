/**
 * A real headless Chromium for the dashboard's tests, from the npm registry
 * alone: @sparticuz/chromium ships the browser brotli-compressed, with the
 * fonts and the few shared libraries (NSS, NSPR, expat) a bare Debian image
 * lacks, so nothing comes from Debian's packages and nothing is downloaded.
 * The files are unpacked once into node_modules/.cache (atomically: a
 * directory is renamed into place), and the browser runs with the bundled
 * libraries and fonts first on its paths, as root, with no sandbox and no
 * background networking (this machine has no network).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import puppeteer, { type Browser } from 'puppeteer-core';

const require = createRequire(import.meta.url);

function unpacked(): { executable: string; libs: string; fonts: string } {
  const entry = require.resolve('@sparticuz/chromium');
  const root = join(dirname(entry), '..', '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const bin = join(root, 'bin');
  const cache = join(process.cwd(), 'node_modules', '.cache', `sparticuz-chromium-${version}`);
  const paths = { executable: join(cache, 'chromium'), libs: join(cache, 'lib'), fonts: join(cache, 'fonts') };
  if (existsSync(paths.executable)) return paths;
  mkdirSync(dirname(cache), { recursive: true });
  const staging = mkdtempSync(`${cache}.partial-`);
  writeFileSync(join(staging, 'chromium'), brotliDecompressSync(readFileSync(join(bin, 'chromium.br'))), { mode: 0o755 });
  for (const archive of ['al2023.tar.br', 'fonts.tar.br', 'swiftshader.tar.br']) {
    execFileSync('tar', ['-x', '-C', staging], { input: brotliDecompressSync(readFileSync(join(bin, archive))) });
  }
  try {
    renameSync(staging, cache);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process got there first
  }
  return paths;
}

export async function launchBrowser(): Promise<Browser> {
  const { executable, libs, fonts } = unpacked();
  const profile = mkdtempSync(join(tmpdir(), 'gl-rl-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: executable,
    headless: true,
    env: { ...process.env, LD_LIBRARY_PATH: [libs, dirname(executable), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), FONTCONFIG_PATH: fonts, LANG: 'en_US.UTF-8' },
    args: ['--lang=en-US', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', `--user-data-dir=${profile}`],
  });
  // The browser's helpers may still be writing the profile as it disconnects: retry, and never fail a test over a temp dir.
  browser.once('disconnected', () => {
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // left in the temp dir
    }
  });
  return browser;
}
