/**
 * Solar Capture admin screens: copy buttons, the secret generator and the live length hint.
 * No dependencies; buttons are marked hide-if-no-js, so without JavaScript the forms still work.
 */
( function () {
	'use strict';

	var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

	/** A random string of letters and digits from the browser's CSPRNG (rejection sampling: no bias). */
	function randomSecret( length ) {
		var out = '';
		var bytes = new Uint8Array( 1 );
		while ( out.length < length ) {
			window.crypto.getRandomValues( bytes );
			// 248 = 4 * 62: bytes above it would favour the first characters.
			if ( bytes[ 0 ] < 248 ) {
				out += ALPHABET.charAt( bytes[ 0 ] % 62 );
			}
		}
		return out;
	}

	function status( button, text ) {
		var node = button.parentNode.querySelector( '.solar-capture-copy-status' );
		if ( node ) {
			node.textContent = text;
		}
	}

	function copy( button ) {
		var field = document.querySelector( button.getAttribute( 'data-solar-capture-copy' ) );
		if ( ! field || '' === field.value ) {
			return;
		}
		var done = function () {
			status( button, button.getAttribute( 'data-copied' ) || '' );
		};
		var fallback = function () {
			field.focus();
			field.select();
			try {
				document.execCommand( 'copy' );
			} catch ( e ) {}
			done();
		};
		if ( navigator.clipboard && window.isSecureContext ) {
			navigator.clipboard.writeText( field.value ).then( done, fallback );
		} else {
			fallback();
		}
	}

	function showLength( field ) {
		var hint = document.getElementById( 'solar-capture-secret-length' );
		if ( ! hint ) {
			return;
		}
		var length = field.value.trim().length;
		var min = parseInt( field.getAttribute( 'data-min-length' ), 10 ) || 32;
		if ( 0 === length ) {
			hint.textContent = '';
			hint.classList.remove( 'solar-capture-too-short' );
			return;
		}
		var template = field.getAttribute( length < min ? 'data-short' : 'data-long' ) || '%d';
		hint.textContent = template.replace( '%d', String( length ) );
		hint.classList.toggle( 'solar-capture-too-short', length < min );
	}

	document.addEventListener( 'click', function ( event ) {
		var target = event.target instanceof Element ? event.target : null;
		if ( ! target ) {
			return;
		}
		var copyButton = target.closest( '[data-solar-capture-copy]' );
		if ( copyButton ) {
			event.preventDefault();
			copy( copyButton );
			return;
		}
		var generate = target.closest( '[data-solar-capture-generate]' );
		if ( generate ) {
			event.preventDefault();
			var field = document.querySelector( generate.getAttribute( 'data-solar-capture-generate' ) );
			if ( field ) {
				field.value = randomSecret( parseInt( generate.getAttribute( 'data-length' ), 10 ) || 48 );
				showLength( field );
				field.focus();
				field.select();
			}
		}
	} );

	document.addEventListener( 'input', function ( event ) {
		if ( event.target instanceof Element && 'solar-capture-new-secret' === event.target.id ) {
			showLength( event.target );
		}
	} );
} )();
