// What the sales team sees, in a real browser (Playwright driving Debian's Chromium): a Sales rep finds
// their leads under "Mine", sets a stage and adds a note on a lead (both on its timeline, with their name),
// filters the list by stage, exports it as CSV, and sees the week on the dashboard.
// Usage: node sales.mjs <site-url> <rep-login> <rep-password> <tag> <screenshot-dir>; exit 1 on failure.
import { check, finish, launch, logIn } from './checks.mjs';

const [ site, login, password, tag, shots ] = process.argv.slice( 2 );

const browser = await launch();
try {
	const context = await browser.newContext( { viewport: { width: 1280, height: 900 }, acceptDownloads: true } );
	const page = await context.newPage();
	const dialogs = [];
	page.on( 'dialog', ( dialog ) => {
		dialogs.push( dialog.message() );
		dialog.dismiss();
	} );
	await logIn( page, site, login, password );

	const list = `${ site }/wp-admin/edit.php?post_type=solar_lead`;
	await page.goto( list );
	const mine = page.locator( '.subsubsub .mine a' );
	check( await mine.count() === 1, 'the list offers "Mine"' );
	await Promise.all( [ page.waitForNavigation(), mine.click() ] );
	const rows = ( await page.locator( '#the-list' ).textContent() ) || '';
	check( rows.includes( 'Grace Hopper' ) && rows.includes( 'Alan <b>Turing</b>' ), 'Mine lists both leads the rep hosts, names as text' );
	check( await page.locator( '#the-list b' ).count() === 0, 'no markup from a name' );
	check( ( ( await page.locator( '.displaying-num' ).first().textContent() ) || '' ).includes( '2' ), 'and counts 2' );
	check( rows.includes( 'Riley Rep' ), 'the Owner column names the rep' );
	check( await page.locator( 'a.solar-capture-export' ).count() === 1, 'Export CSV is offered' );
	await page.screenshot( { path: `${ shots }/sales-01-mine.png` } );

	await Promise.all( [ page.waitForNavigation(), page.locator( '#the-list a.row-title', { hasText: 'Grace Hopper' } ).click() ] );
	await page.selectOption( '#solar-capture-stage', 'contacted' );
	await page.fill( '#solar-capture-note', `Called Grace ${ tag }: wants 12 panels, quote by Friday` );
	await Promise.all( [ page.waitForNavigation(), page.click( '#publish' ) ] );
	const timeline = ( await page.locator( '#solar-capture-timeline' ).textContent() ) || '';
	check( timeline.includes( 'Stage: none → Contacted' ), 'the stage change is on the timeline' );
	check( timeline.includes( `Called Grace ${ tag }: wants 12 panels` ), 'so is the note' );
	check( timeline.includes( 'by Riley Rep' ), 'with the rep\'s name' );
	check( 'contacted' === await page.inputValue( '#solar-capture-stage' ), 'the Sales box shows the stage' );
	await page.locator( '#solar-capture-sales' ).scrollIntoViewIfNeeded();
	await page.screenshot( { path: `${ shots }/sales-02-lead.png`, fullPage: true } );

	await page.goto( list );
	await page.selectOption( '#filter-by-solar-stage', 'contacted' );
	await Promise.all( [ page.waitForNavigation(), page.click( '#post-query-submit' ) ] );
	const filtered = ( await page.locator( '#the-list' ).textContent() ) || '';
	check( filtered.includes( 'Grace Hopper' ) && ! filtered.includes( 'Turing' ), 'the stage filter keeps Grace only' );
	check( filtered.includes( 'Contacted' ), 'the Stage column says Contacted' );
	const [ download ] = await Promise.all( [ page.waitForEvent( 'download' ), page.click( 'a.solar-capture-export' ) ] );
	const csv = await ( await download.createReadStream() ).toArray();
	const text = Buffer.concat( csv ).toString( 'utf8' );
	check( text.includes( 'Grace Hopper' ) && ! text.includes( 'Turing' ), 'the export holds the filtered list: ' + download.suggestedFilename() );
	check( text.includes( 'Contacted' ) && text.includes( 'Riley Rep' ) && text.includes( "'+44 20 7946 0000" ), 'with stage, owner, and the phone made inert' );

	await page.goto( `${ site }/wp-admin/` );
	const widget = ( await page.locator( '#solar_capture_week .inside' ).textContent() ) || '';
	check( /\d+\s*Surveys booked/.test( widget ), 'the dashboard shows the week: ' + widget.replace( /\s+/g, ' ' ).trim().slice( 0, 120 ) );
	await page.locator( '#solar_capture_week' ).screenshot( { path: `${ shots }/sales-03-dashboard.png` } );
	check( dialogs.length === 0, 'no JavaScript dialog opened' );
} finally {
	await browser.close();
}
finish();
