// The enquiry form in a real browser (Playwright driving Debian's Chromium): with JavaScript (REST
// submit, inline errors, the booking step and the iframe Cal.com's own embed script makes) and without
// (plain POST, the booking link). Usage: node form.mjs <page-url> <screenshot-dir>; exit 1 on failure.
import { check, finish, launch } from './checks.mjs';

const [ url, shots ] = process.argv.slice( 2 );

const browser = await launch();
try {
	// With JavaScript.
	const context = await browser.newContext();
	const page = await context.newPage();
	const requests = [];
	page.on( 'request', ( request ) => requests.push( request.url() ) );
	await page.goto( url + ( url.includes( '?' ) ? '&' : '?' ) + 'utm_source=browser-test' );
	check( await page.locator( 'form.solar-capture-form' ).isVisible(), 'the form is on the page' );
	check( ( await context.cookies() ).some( ( c ) => c.name === 'solar_capture_source' && decodeURIComponent( c.value ).includes( 'browser-test' ) ), 'the first touch is kept in a first-party cookie' );
	await page.fill( '#solar-capture-name', 'Grace <b>Hopper</b>' );
	await page.fill( '#solar-capture-email', 'not-an-address' );
	await page.selectOption( '#solar-capture-answer-homeowner', 'Yes' );
	await page.check( '#solar-capture-consent' );
	await page.screenshot( { path: `${ shots }/form-01-filled.png`, fullPage: true } );
	await page.waitForTimeout( 3200 ); // A person takes longer than the form's minimum fill time.
	await page.click( '.solar-capture-form-submit' );
	await page.locator( '#solar-capture-email-error' ).waitFor( { state: 'visible' } );
	check( ( await page.locator( '#solar-capture-email-error' ).textContent() ).includes( 'valid e-mail' ), 'a bad e-mail is named beside its field' );
	check( 'true' === ( await page.getAttribute( '#solar-capture-email', 'aria-invalid' ) ), 'the field is marked invalid for screen readers' );
	check( await page.evaluate( () => document.activeElement && document.activeElement.id === 'solar-capture-email' ), 'focus moves to the field' );
	await page.screenshot( { path: `${ shots }/form-02-error.png`, fullPage: true } );
	const email = `grace.${ Date.now() }@example.org`;
	await page.fill( '#solar-capture-email', email );
	await page.click( '.solar-capture-form-submit' );
	await page.locator( '.solar-capture-booking' ).waitFor( { state: 'visible' } );
	const link = await page.getAttribute( '.solar-capture-book', 'href' );
	check( /metadata%5Blead_id%5D=\d+&metadata%5Blead_ref%5D=[0-9a-f]{32}/.test( link || '' ), 'the booking step links to Cal.com with the lead id and its reference' );
	const frame = page.locator( '.solar-capture-cal iframe' );
	await frame.waitFor( { state: 'attached', timeout: 10000 } );
	const src = decodeURIComponent( ( await frame.getAttribute( 'src' ) ) || '' );
	console.log( '     iframe: ' + src.slice( 0, 220 ) );
	check( src.includes( '/sunny-solar/roof-survey' ), "Cal.com's embed opens the configured event type" );
	check( /metadata\[lead_id\]=\d+/.test( src ) && /metadata\[lead_ref\]=[0-9a-f]{32}/.test( src ), 'the embed carries metadata[lead_id] and metadata[lead_ref]' );
	check( src.includes( 'name=Grace <b>Hopper</b>' ) || src.includes( 'name=Grace+<b>Hopper</b>' ), 'and prefills the name' );
	check( src.includes( 'email=' + email ), 'and the e-mail' );
	await page.screenshot( { path: `${ shots }/form-03-booking-step.png`, fullPage: true } );
	const origin = new URL( url ).origin;
	check( requests.every( ( r ) => r.startsWith( origin ) || r.startsWith( 'data:' ) || r.includes( '/sunny-solar/roof-survey' ) ), 'no request leaves the site except the booking page itself' );
	await context.close();

	// Without JavaScript.
	const plain = await browser.newContext( { javaScriptEnabled: false } );
	const noJs = await plain.newPage();
	await noJs.goto( url );
	await noJs.fill( '#solar-capture-name', 'Ada Lovelace' );
	await noJs.fill( '#solar-capture-email', `ada.${ Date.now() }@example.org` );
	await noJs.selectOption( '#solar-capture-answer-homeowner', 'No' );
	await noJs.check( '#solar-capture-consent' );
	await noJs.waitForTimeout( 3200 );
	await Promise.all( [ noJs.waitForNavigation(), noJs.click( '.solar-capture-form-submit' ) ] );
	check( ( await noJs.locator( '.solar-capture-booking' ).textContent() ).includes( 'Your enquiry has arrived' ), 'without JavaScript the plain POST shows the booking step' );
	check( /metadata%5Blead_ref%5D=[0-9a-f]{32}/.test( ( await noJs.getAttribute( '.solar-capture-book', 'href' ) ) || '' ), 'with the signed booking link' );
	await noJs.screenshot( { path: `${ shots }/form-04-no-javascript.png`, fullPage: true } );
	await plain.close();
} finally {
	await browser.close();
}
finish();
