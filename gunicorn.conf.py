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
