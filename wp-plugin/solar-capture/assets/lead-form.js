/**
 * Sends the enquiry form to the REST route and shows errors beside their fields; without this script the
 * form posts to the page itself and works the same. No dependencies, no third parties.
 */
( function () {
	'use strict';

	// The form's fields are named solar_capture[...] (a plain POST must not use WordPress's query
	// variables such as "name"); the REST route takes the same fields unprefixed.
	function fieldFor( form, name ) {
		if ( name.indexOf( 'answer_' ) === 0 ) {
			return form.querySelector( '[name="solar_capture[answers][' + name.slice( 7 ) + ']"]' );
		}
		return form.querySelector( '[name="solar_capture[' + name + ']"]' );
	}

	function clearErrors( form ) {
		form.querySelectorAll( '[aria-invalid="true"]' ).forEach( function ( input ) {
			input.removeAttribute( 'aria-invalid' );
			input.removeAttribute( 'aria-describedby' );
		} );
		form.querySelectorAll( '.solar-capture-form-error' ).forEach( function ( node ) {
			node.hidden = true;
			node.textContent = '';
		} );
	}

	function showError( form, field, message ) {
		var input = field ? fieldFor( form, field ) : null;
		var node = input ? form.querySelector( '#' + input.id + '-error' ) : form.querySelector( '.solar-capture-form-summary' );
		node.textContent = message;
		node.hidden = false;
		if ( input ) {
			input.setAttribute( 'aria-invalid', 'true' );
			input.setAttribute( 'aria-describedby', node.id );
			input.focus();
		} else {
			node.focus && node.focus();
		}
	}

	function data( form ) {
		var out = { answers: {} };
		new FormData( form ).forEach( function ( value, key ) {
			var answer = /^solar_capture\[answers\]\[(.+)\]$/.exec( key );
			var field = /^solar_capture\[([a-z_]+)\]$/.exec( key );
			if ( answer ) {
				out.answers[ answer[ 1 ] ] = value;
			} else if ( field ) {
				out[ field[ 1 ] ] = value;
			}
		} );
		return out;
	}

	function bookingStep( form, url ) {
		var step = form.parentNode.querySelector( '.solar-capture-booking' );
		var thanks = document.createElement( 'p' );
		thanks.setAttribute( 'role', 'status' );
		thanks.textContent = step.getAttribute( 'data-thanks' );
		step.appendChild( thanks );
		if ( url ) {
			var link = document.createElement( 'a' );
			link.className = 'solar-capture-book';
			link.href = url;
			link.textContent = step.getAttribute( 'data-book' );
			var p = document.createElement( 'p' );
			p.appendChild( link );
			step.appendChild( p );
		}
		form.hidden = true;
		step.hidden = false;
		embed( step, url );
		step.setAttribute( 'tabindex', '-1' );
		step.focus();
	}

	/**
	 * Cal.com's embed loader (their snippet, unminified): Cal(...) calls queue until the script arrives.
	 */
	function calFor( script ) {
		if ( window.Cal ) {
			return window.Cal;
		}
		var cal = function () {
			cal.q.push( arguments );
		};
		cal.q = [];
		cal.ns = {};
		cal.loaded = true;
		window.Cal = cal;
		var tag = document.createElement( 'script' );
		tag.src = script;
		tag.async = true;
		document.head.appendChild( tag );
		return cal;
	}

	/**
	 * Cal.com's inline booking page for the lead, configured from its booking link's parameters (name,
	 * e-mail, metadata[lead_id], metadata[lead_ref]); the link stays below it, for when it can't load.
	 */
	function embed( step, bookingUrl ) {
		var calLink = step.getAttribute( 'data-cal-link' );
		if ( ! calLink || ! bookingUrl || ! window.URL ) {
			return;
		}
		var config = {};
		new URL( bookingUrl ).searchParams.forEach( function ( value, key ) {
			config[ key ] = value;
		} );
		var box = document.createElement( 'div' );
		box.className = 'solar-capture-cal';
		box.id = 'solar-capture-cal-' + Math.random().toString( 36 ).slice( 2 );
		step.insertBefore( box, step.lastChild );
		var Cal = calFor( step.getAttribute( 'data-cal-script' ) );
		Cal( 'init', { origin: step.getAttribute( 'data-cal-origin' ) } );
		Cal( 'inline', { elementOrSelector: '#' + box.id, calLink: calLink, config: config } );
		Cal( 'on', {
			action: 'bookingSuccessful',
			callback: function () {
				var done = document.createElement( 'p' );
				done.setAttribute( 'role', 'status' );
				done.className = 'solar-capture-booked';
				done.textContent = step.getAttribute( 'data-booked' );
				step.insertBefore( done, step.firstChild );
			},
		} );
	}

	document.querySelectorAll( '.solar-capture-booking[data-booking-url]' ).forEach( function ( step ) {
		embed( step, step.getAttribute( 'data-booking-url' ) );
	} );

	document.querySelectorAll( 'form.solar-capture-form' ).forEach( function ( form ) {
		form.addEventListener( 'submit', function ( event ) {
			if ( ! window.fetch ) {
				return; // The plain POST does it.
			}
			event.preventDefault();
			clearErrors( form );
			var button = form.querySelector( '.solar-capture-form-submit' );
			button.disabled = true;
			fetch( form.getAttribute( 'data-endpoint' ), {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify( data( form ) ),
				// Same origin: the first-touch cookie (assets/attribution.js) goes along.
				credentials: 'same-origin',
			} )
				.then( function ( response ) {
					return response.json().then( function ( body ) {
						return { status: response.status, body: body };
					} );
				} )
				.then( function ( answer ) {
					button.disabled = false;
					if ( answer.status === 201 ) {
						bookingStep( form, answer.body.booking_url );
						return;
					}
					showError( form, answer.body && answer.body.data ? answer.body.data.field : '', answer.body && answer.body.message ? answer.body.message : '' );
				} )
				.catch( function () {
					// The network failed: the plain POST still can.
					button.disabled = false;
					form.submit();
				} );
		} );
	} );
} )();
