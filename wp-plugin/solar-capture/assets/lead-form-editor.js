/**
 * The block in the editor: the form as the site renders it (no build step: plain wp.* globals).
 */
( function ( blocks, element, serverSideRender ) {
	'use strict';
	blocks.registerBlockType( 'solar-capture/lead-form', {
		edit: function () {
			return element.createElement( serverSideRender, { block: 'solar-capture/lead-form' } );
		},
		save: function () {
			return null;
		},
	} );
} )( window.wp.blocks, window.wp.element, window.wp.serverSideRender );
