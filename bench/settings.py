"""Production settings as `make bench` and `make loadtest` serve them, on loopback: the only
change is the root URL conf, which adds the floor view (bench.urls). HTTPS redirects are off
because the benchmark speaks plain HTTP to 127.0.0.1 (set by the environment, as an operator
behind a TLS proxy would)."""

from cswb.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
