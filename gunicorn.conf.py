"""gunicorn's settings for the portal's web processes, read from the working directory by every
`gunicorn cswb.wsgi` (the Docker image, docker-compose, `make loadtest`). Sizes come from the
environment so that an operator sets them per machine (README, "Running at scale").

Sync workers: each handles one request at a time and keeps one database connection open
(CONN_MAX_AGE), so PostgreSQL sees at most WEB_WORKERS connections per web process. The pages
are quick and CPU-bound once the queries use their indexes, so about two workers per core keep
the cores busy while one waits on PostgreSQL or Redis; more only adds queueing and memory."""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", str(2 * multiprocessing.cpu_count())))
worker_class = "sync"
# A worker that takes longer than this on one request is restarted (the answer is a 502).
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 30
# Recycle workers now and then, so that slow memory growth never builds up.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# The proxy in front speaks HTTP/1.1 with keep-alive to us; sync workers answer and close.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")


def post_worker_init(worker) -> None:
    """Once a worker has loaded the portal, put every object alive now (modules, settings, URL
    patterns, translations: about 150,000 of them) out of the cyclic garbage collector's
    sight: they live as long as the process, and each full collection otherwise walks them
    all (about 90 ms, once every few dozen requests of a long page). Measured in process: a
    long page's share of collection time went from about 2.0 ms to 0.2 ms a request."""
    import gc

    gc.collect()
    gc.freeze()
