import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEFAULT_TABLE_SETTINGS, type TableSettings } from '../../server/tables/settings';
import { launchBrowser } from './browser';
import { startTestServer, type TestServer } from './server';

// Steps the browser tests share: a player signs up, buys chips, takes a seat,
// and every screen is checked for accessibility the same way.

export const E2E_PASSWORD = 'correct horse battery';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * A page in a fresh browser context (kept in `contexts` for closing). bypassCSP:
 * the accessibility check injects axe-core as an inline script, which the
 * server's CSP (rightly) refuses.
 */
export async function openPage(browser: Browser, contexts: BrowserContext[], viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/**
 * A state of the app saved at both sizes (`<name>-1280x800.png`, `<name>-390x844.png`):
 * the page is resized to a phone for the second picture, then back to what it was.
 */
export async function shotAtBothSizes(page: Page, dir: string, name: string): Promise<void> {
  const size = page.viewportSize() ?? DESKTOP;
  for (const viewport of [DESKTOP, PHONE]) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150); // the layout settles
    await page.screenshot({ path: path.join(dir, `${name}-${viewport.width}x${viewport.height}.png`) });
  }
  await page.setViewportSize(size);
}

export async function signUp(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(E2E_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('header-balance').waitFor();
}

/** Buys `dollars` worth of chips on the wallet page and waits for `expectBalance` to show. */
export async function buyChips(page: Page, baseUrl: string, dollars: string, expectBalance = '1,000'): Promise<void> {
  await page.goto(`${baseUrl}/wallet`);
  await page.getByLabel('Amount (USD)').fill(dollars);
  await page.getByRole('button', { name: /^Buy for/ }).click();
  await expect.poll(() => page.getByTestId('wallet-balance').textContent(), { timeout: 15_000 }).toContain(expectBalance);
}

export async function sit(page: Page, baseUrl: string, tableId: number, seat: number, buyIn: number): Promise<void> {
  await page.goto(`${baseUrl}/table/${tableId}`);
  await page.getByTestId(`sit-${seat}`).click();
  await page.getByLabel('Chips', { exact: true }).fill(String(buyIn));
  await page.getByRole('button', { name: /^Sit with/ }).click();
  await page.locator('.seat-me').waitFor();
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Accessibility of what is on screen, by axe-core: text contrast (WCAG AA),
 * names of buttons, links, images and form fields. (axe is injected as an
 * inline script: the browser contexts bypass the server's CSP for it.)
 * `scope`: a CSS selector to check only that part of the page.
 */
export async function checkAccessibility(page: Page, name: string, scope?: string): Promise<void> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async (scope) => {
    const axe = (window as unknown as { axe: { run(context: Document | { include: string[] }, options: object): Promise<{ violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
    const result = await axe.run(scope ? { include: [scope] } : document, {
      runOnly: { type: 'rule', values: ['color-contrast', 'button-name', 'link-name', 'image-alt', 'label', 'aria-valid-attr-value', 'aria-required-attr'] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${(n.failureSummary ?? '').split('\n').slice(1, 2).join('').trim()})`).join('; ')}`);
  }, scope);
  expect(violations, `accessibility of ${name}`).toEqual([]);
}

/**
 * The bottom edge of `locator` once the page has laid it out within `max` (polled: after a resize
 * the page fits the felt to the new window, and a busy machine can be read between the two).
 */
export async function expectBottomWithin(locator: Locator, max: number, what: string): Promise<void> {
  await expect.poll(async () => {
    const box = await locator.boundingBox();
    return box ? box.y + box.height : Infinity;
  }, { message: what }).toBeLessThanOrEqual(max);
}

export interface BrowserRoom {
  server: TestServer;
  browser: Browser;
  /** The id of the lobby table "Main Street 1/2". */
  tableId: number;
  contexts: BrowserContext[];
  close(): Promise<void>;
}

/** The built client, a server with slow hands (time to look), Chromium, and the table the tests play at. */
export async function openBrowserRoom(screenshotsDir: string, tableSettings: Partial<TableSettings> = {}): Promise<BrowserRoom> {
  mkdirSync(screenshotsDir, { recursive: true });
  // The run-out and the showdown hold as players get them (issue #13), not FAST_TABLES'.
  const { runOutStreetMs, showdownHoldMs } = DEFAULT_TABLE_SETTINGS;
  const server = await startTestServer({ tableSettings: { handIntervalMs: 3_500, disconnectGraceMs: 30_000, runOutStreetMs, showdownHoldMs, ...tableSettings } });
  const browser = await launchBrowser();
  const tables = (await (await fetch(`${server.url}/api/tables`)).json()) as { tables: { id: number; name: string }[] };
  const contexts: BrowserContext[] = [];
  return {
    server, browser, contexts,
    tableId: tables.tables.find((t) => t.name === 'Main Street 1/2')!.id,
    close: async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await server.close();
    },
  };
}
