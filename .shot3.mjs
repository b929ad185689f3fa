import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
await page.goto('file:///tmp/report.html');
await page.screenshot({ path: '/tmp/report.png' });
await browser.close();
