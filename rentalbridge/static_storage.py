"""Static files in production: hashed names, compressed copies, served by WhiteNoise with a far-future cache.

Django's manifest storage also rewrites the `sourceMappingURL` comment of every JavaScript file and fails
collectstatic when the map it names is missing; the vendored Chart.js names one it does not ship (source
maps are for debugging, never served in production). So only stylesheets are rewritten: their url() and
@import references must point at the hashed names, and do.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (glob, rules) for glob, rules in CompressedManifestStaticFilesStorage.patterns if glob != "*.js"
    )
