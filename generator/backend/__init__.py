"""``papershelf serve``: the local preview of the site and the API the browser extension talks to.

Read in this order: ``protocol`` (versions, headers, errors), ``guards`` (what a request
must be to get in), ``routing`` (which handler answers), ``handlers`` (the endpoints),
``pagemeta`` (a clipped page's raw metadata → record fields), ``shelf`` (the store behind
a lock), ``rebuild`` (watching content/ and swapping builds), ``sitefiles`` (serving the
live build), ``app`` (the HTTP server that ties them together).
"""
