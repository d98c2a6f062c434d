"""The policies the portal sends with every page: the Content-Security-Policy
(django-csp) and the Permissions-Policy (django-permissions-policy)."""

# Content-Security-Policy (django-csp 4): everything from the portal's own origin,
# no inline script or style, no eval; htmx is told not to add its own <style>.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # No form-action: logging out posts to the portal, which redirects to the
        # identity provider's log-out on its own origin; browsers apply form-action to that redirect.
        "frame-ancestors": ["'none'"],
    },
}
# Browser features the portal never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
