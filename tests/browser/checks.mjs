// What the Playwright tests share: Debian's Chromium, the wp-admin login, and checks that print "ok" or
// "FAIL" per line and end the run with exit 1 when any failed.
import { chromium } from 'playwright-core';

const failures = [];

export function check( ok, what ) {
	console.log( ( ok ? 'ok   ' : 'FAIL ' ) + what );
	if ( ! ok ) {
		failures.push( what );
	}
}

export function launch() {
	return chromium.launch( {
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: [ '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync' ],
	} );
}

export async function logIn( page, site, user, password ) {
	await page.goto( `${ site }/wp-login.php` );
	await page.fill( '#user_login', user );
	await page.fill( '#user_pass', password );
	await Promise.all( [ page.waitForNavigation(), page.click( '#wp-submit' ) ] );
}

export function finish() {
	console.log( failures.length ? `FAILED: ${ failures.length } check(s)` : 'PASS: every check' );
	process.exit( failures.length ? 1 : 0 );
}
