// Connect Cal.com in a real browser (Playwright driving Debian's Chromium) against the project's fake of
// Cal.com's API v2: paste a key, press Connect, see the connection; Reconcile now finds the booking whose
// webhook never came; the form tab offers the event types; Disconnect deletes the webhook.
// Usage: node integrations.mjs <site-url> <admin-password> <fake-calcom-url> <screenshot-dir>; exit 1 on failure.
import { check, finish, launch, logIn } from './checks.mjs';

const [ site, password, fake, shots ] = process.argv.slice( 2 );
const KEY = 'cal_test_fake0123456789abcdef';
async function fakeState( state ) {
	const answer = await fetch( `${ fake }/_fake/state`, state ? { method: 'PUT', body: JSON.stringify( state ), headers: { 'Content-Type': 'application/json' } } : {} );
	return answer.json();
}

// One booking Cal.com holds whose webhook never reached the site: changed five minutes ago.
const changed = new Date( Date.now() - 300000 ).toISOString();
const uid = `browser-missed-${ Date.now() }`;
await fakeState( {
	log: [],
	bookings: [ {
		id: 501, uid, title: 'Solar survey between Sunny Solar and Rosalind Franklin', status: 'accepted',
		start: '2027-03-10T09:00:00.000Z', end: '2027-03-10T09:30:00.000Z', duration: 30,
		eventType: { id: 7, slug: 'solar-survey' },
		hosts: [ { id: 11, name: 'Sunny Solar', email: 'sales@sunny.example', username: 'sunny', timeZone: 'Europe/London' } ],
		attendees: [ { name: 'Rosalind Franklin', email: `rosalind.${ Date.now() }@example.org`, timeZone: 'Europe/London', language: 'en', absent: false } ],
		guests: [], location: `https://cal.com/video/${ uid }`, metadata: {},
		bookingFieldsResponses: { name: 'Rosalind Franklin' }, createdAt: changed, updatedAt: changed,
	} ],
} );

const browser = await launch();
try {
	const page = await browser.newPage( { viewport: { width: 1280, height: 900 } } );
	page.on( 'dialog', ( dialog ) => dialog.accept() );
	await logIn( page, site, 'admin', password );

	const settings = `${ site }/wp-admin/edit.php?post_type=solar_lead&page=solar-capture`;
	await page.goto( settings );
	check( '0' === await page.getAttribute( '#solar-capture-calcom', 'data-connected' ), 'before: not connected, the key field is offered' );
	check( await page.locator( '#solar-capture-api-key' ).isVisible(), 'the API key field is on the Integrations tab' );
	await page.fill( '#solar-capture-api-key', KEY );
	await page.fill( '#solar-capture-api-base', fake );
	await page.locator( '#solar-capture-calcom-heading' ).scrollIntoViewIfNeeded();
	await page.screenshot( { path: `${ shots }/integrations-01-paste-key.png` } );

	await Promise.all( [ page.waitForNavigation(), page.click( '#solar-capture-connect' ) ] );
	const result = ( await page.locator( '#solar-capture-calcom-result' ).textContent() ) || '';
	check( '1' === await page.getAttribute( '#solar-capture-calcom-result', 'data-ok' ), 'Connect says it worked: ' + result.trim().slice( 0, 160 ) );
	check( result.includes( 'Test delivery' ) || result.includes( 'test delivery' ), 'and that the test delivery was sent' );
	check( '1' === await page.getAttribute( '#solar-capture-calcom', 'data-connected' ), 'the screen shows the connection' );
	check( ( ( await page.locator( '#solar-capture-calcom-user' ).textContent() ) || '' ).includes( 'sunny' ), 'as the Cal.com user the key belongs to' );
	check( '1' === await page.getAttribute( '#solar-capture-calcom-webhook', 'data-ok' ), 'with the webhook set up' );
	check( ! ( await page.content() ).includes( KEY ), 'the key is never shown again' );
	let state = await fakeState();
	check( 1 === state.webhooks.length && state.webhooks[ 0 ].subscriberUrl === `${ site }/wp-json/solar-capture/v1/calcom-webhook`, "one webhook in Cal.com, sending to the site's endpoint" );
	await page.screenshot( { path: `${ shots }/integrations-02-connected.png` } );

	await Promise.all( [ page.waitForNavigation(), page.click( '#solar-capture-reconcile' ) ] );
	check( 'complete' === await page.getAttribute( '#solar-capture-last-reconcile', 'data-status' ), 'Reconcile now: the last run is shown, complete' );
	check( ( ( await page.locator( '#solar-capture-last-reconcile' ).textContent() ) || '' ).includes( '1 missed and applied' ), 'it found the booking whose webhook never came' );
	await page.locator( '#solar-capture-last-reconcile' ).scrollIntoViewIfNeeded();
	await page.screenshot( { path: `${ shots }/integrations-03-reconciled.png` } );

	await page.goto( `${ site }/wp-admin/edit.php?post_type=solar_lead&s=Rosalind` );
	check( ( ( await page.locator( '#the-list' ).textContent() ) || '' ).includes( 'Rosalind Franklin' ), 'the missed booking is a lead in the list' );

	await page.goto( `${ settings }&tab=form` );
	const types = await page.locator( '#solar-capture-event-types option' ).evaluateAll( ( options ) => options.map( ( o ) => o.value ) );
	check( types.some( ( v ) => v.includes( 'solar-survey' ) ), "the form tab offers the account's event types: " + types.join( ', ' ) );

	await page.goto( settings );
	await Promise.all( [ page.waitForNavigation(), page.click( '#solar-capture-disconnect' ) ] );
	check( '0' === await page.getAttribute( '#solar-capture-calcom', 'data-connected' ), 'Disconnect: not connected any more' );
	state = await fakeState();
	check( 0 === state.webhooks.length, 'and the webhook is deleted in Cal.com' );
	await page.screenshot( { path: `${ shots }/integrations-04-disconnected.png` } );
} finally {
	await browser.close();
}
finish();
