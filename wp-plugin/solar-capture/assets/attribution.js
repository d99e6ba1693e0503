/**
 * First-touch attribution in a first-party cookie: where a visitor first came from (utm_* parameters,
 * gclid, fbclid, the referring site) and the page they landed on. The enquiry form sends it along. No
 * third party is contacted; the cookie is kept 90 days and set once.
 */
( function () {
	'use strict';
	var NAME = 'solar_capture_source';
	if ( document.cookie.split( '; ' ).some( function ( c ) {
		return c.indexOf( NAME + '=' ) === 0;
	} ) ) {
		return;
	}
	var params = new URLSearchParams( window.location.search );
	var source = {};
	[ 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid', 'fbclid' ].forEach( function ( key ) {
		if ( params.get( key ) ) {
			source[ key ] = params.get( key ).slice( 0, 200 );
		}
	} );
	if ( document.referrer ) {
		try {
			var from = new URL( document.referrer );
			if ( from.host !== window.location.host ) {
				source.referrer = ( from.origin + from.pathname ).slice( 0, 200 );
			}
		} catch ( e ) {}
	}
	source.landing = ( window.location.pathname + window.location.search ).slice( 0, 200 );
	document.cookie = NAME + '=' + encodeURIComponent( JSON.stringify( source ) ) + '; path=/; max-age=' + 90 * 86400 + '; SameSite=Lax' + ( window.location.protocol === 'https:' ? '; Secure' : '' );
} )();
