"""Open311 GeoReport v2 server at /open311/v2/: parameters (parsing), rendering (JSON and XML), views, urls."""
